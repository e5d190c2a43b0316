import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, tempDatabase, type Backend, type TempDatabase } from '../../test/helpers/stores.ts';
import { sampleDraft, seedStories } from '../../test/helpers/stories.ts';
import { COPIED_TABLES, DestinationNotEmptyError, canonicalRow, copyStore, isTimeColumn } from './copy.ts';
import type { Store } from './index.ts';

const NOW = new Date('2026-12-01T09:00:00.000Z');

/**
 * A store with a row in every table, seeded on SQLite (whose store methods all work): stories with
 * articles and drafts, an editor's version, decisions, a user with a session, an issue, a trial and
 * its evaluation, a run holding the lease, and coverage rows written directly (one story's source is a later story).
 */
async function seed(store: Store): Promise<number[]> {
  const ids = await seedStories(store, [
    { title: 'Lighthouse keepers use AI to count seabirds' },
    { title: 'Second story', draft: { headline: 'Grid batteries smooth the evening peak' } },
    { title: 'Third story' },
  ]);
  const [v1] = await store.editorial.versions(ids[0]!);
  const edited = await store.editorial.saveEdit(ids[0]!, v1!.id, { ...v1!.draft, headline: 'An editor’s headline', judgement: { verdict: 'positive', recommendation: 'include' } }, 'ann', NOW);
  if (!edited.ok) throw new Error('edit refused');
  await store.editorial.decide(ids[0]!, { action: 'approve', by: 'ann', now: NOW });
  await store.editorial.decide(ids[1]!, { action: 'reject', reason: 'spin', note: 'hype', by: 'bob', now: NOW });
  const ann = await store.users.addUser('Ann', 'scrypt$hash', NOW);
  await store.users.createSession({ tokenHash: 'token-hash', userId: ann.id, csrfToken: 'csrf', now: NOW, expiresAt: new Date(NOW.getTime() + 86_400_000) });
  await store.users.reserveLoginAttempt({ username: 'ann', address: '10.0.0.1', now: NOW, since: NOW, perPair: 5, perAddress: 5, forgetBefore: new Date(0) });
  await store.issues.create({ title: 'Week 49', storyIds: [ids[0]!], now: NOW });
  const trial = await store.trials.open('short-prompt', { id: 'draft-story-v2', hash: 'abc123', path: 'prompts/short.md' }, 'test-model', NOW);
  const result = { draft: sampleDraft(), failure: null, inputTokens: 10, outputTokens: 20, latencyMs: 30, cost: 0.0125 };
  await store.trials.record(trial.id, ids[1]!, 'cache-key', result, false, NOW);
  await store.trials.recordEvaluation({ trial: 'short-prompt', prompt: { id: 'draft-story-v2', hash: 'abc123' }, model: 'test-model', where: 'database', at: NOW, result: { agreement: 0.75, z: [1, { b: 2, a: 1 }] } });
  // A run still going on another host: its lease is copied too.
  const lease = await store.runs.start({ pid: 4242, host: 'other-host', now: NOW, expiresAt: new Date(NOW.getTime() + 600_000), isAlive: () => true });
  if (!lease.acquired) throw new Error('lease not taken');
  await store.db.write(async (tx) => {
    const at = NOW.toISOString();
    await tx.run(sql`UPDATE stories SET source_item_id = ${ids[2]!} WHERE id = ${ids[0]!}`);
    await tx.run(sql`INSERT INTO story_signatures (item_id, signature, signed_at) VALUES (${ids[0]!}, ${'{"shingles":[3,1,2],"kind":"minhash"}'}, ${at})`);
    await tx.run(sql`INSERT INTO story_bands (band, item_id) VALUES (${'b:Zeta'}, ${ids[0]!}), (${'b:alpha'}, ${ids[0]!}), (${'b:Beta'}, ${ids[1]!})`);
    await tx.run(sql`INSERT INTO coverage (item_id, story_id, reason, similarity, at) VALUES (${ids[2]!}, ${ids[0]!}, 'same_text', 0.93, ${at})`);
    await tx.run(sql`INSERT INTO coverage_splits (item_id, story_id, by, at) VALUES (${ids[1]!}, ${ids[0]!}, 'ann', ${at})`);
  });
  return ids;
}

/** Every row of every copied table, canonical, in key order: what a copy must carry over unchanged. */
async function allRows(store: Store): Promise<Record<string, string[]>> {
  return store.db.read(async (tx) => {
    const out: Record<string, string[]> = {};
    for (const t of COPIED_TABLES) {
      const rows = await tx.all<Record<string, unknown>>(sql`SELECT * FROM ${sql.table(t.name)} ORDER BY ${sql.join(t.key.map((c) => sql.ref(c)))}`);
      out[t.name] = rows.map((r) => canonicalRow(r, t)).sort();
    }
    return out;
  });
}

/** What the store API reads back of the seeded stories: the same after a copy (on SQLite, where every method works). */
async function throughApi(store: Store, ids: number[]) {
  return {
    stories: await Promise.all(ids.map((id) => store.stories.get(id))),
    versions: await Promise.all(ids.map((id) => store.editorial.versions(id))),
    decisions: await Promise.all(ids.map((id) => store.editorial.decisions(id))),
    users: await store.users.listUsers(),
    session: await store.users.useSession('token-hash', NOW, 3_600_000),
    issues: await store.issues.list(),
    issue: await store.issues.withStories(1),
    trials: await store.trials.list(),
    trialDrafts: await store.trials.results(1),
    evaluation: await store.trials.lastEvaluation('abc123'),
    feeds: await store.feeds.all(),
    runs: await store.runs.recent(),
  };
}

/** The story ids a search for `word` finds, read from the backend's own index. */
async function searchIndex(store: Store, word: string): Promise<number[]> {
  if (store.dialect === 'sqlite') return (await store.editorial.queue({ q: word, status: 'all', now: NOW })).entries.map((e) => e.id);
  return store.db.read(async (tx) =>
    (await tx.all<{ story_id: number }>(sql`SELECT story_id FROM story_search WHERE document @@ to_tsquery('simple', ${word}) ORDER BY story_id`)).map((r) => r.story_id),
  );
}

const pairs: [Backend, Backend][] = BACKENDS.map((to) => ['sqlite', to]);

describe.each(pairs)('copyStore %s → %s', (fromBackend, toBackend) => {
  let from: TempDatabase;
  let to: TempDatabase;
  beforeEach(async () => {
    from = await tempDatabase(fromBackend);
    to = await tempDatabase(toBackend);
  });
  afterEach(async () => {
    await from.remove();
    await to.remove();
  });

  it('copies every row of every table, ids kept, each table verified by count and hash', async () => {
    const source = await from.open();
    const ids = await seed(source);
    const dest = await to.open();
    const heard: string[] = [];
    const results = await copyStore(source, dest, (t) => heard.push(t.table));

    expect(heard).toEqual(COPIED_TABLES.map((t) => t.name));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    // Every table has a row, so each was really compared.
    expect(results.filter((r) => r.rows === 0).map((r) => r.table)).toEqual([]);
    expect(results.every((r) => /^[0-9a-f]{16}$/.test(r.hash))).toBe(true);
    expect(await allRows(dest)).toEqual(await allRows(source));

    // The story whose source is a later story keeps it.
    const source0 = await dest.db.read((tx) => tx.get<{ source_item_id: number }>(sql`SELECT source_item_id FROM stories WHERE id = ${ids[0]!}`));
    expect(source0!.source_item_id).toBe(ids[2]);
    // The search index is the destination's own, built from the copied rows: the title, the editor's version, the article.
    expect(await searchIndex(dest, 'seabirds')).toEqual([ids[0]]);
    expect(await searchIndex(dest, 'editor')).toEqual([ids[0]]);
    expect(await searchIndex(dest, 'grid')).toEqual([ids[1]]);
    if (toBackend === 'sqlite') expect(await throughApi(dest, ids)).toEqual(await throughApi(source, ids));
    // New rows get ids past the copied ones (PostgreSQL's identities were moved on).
    const bob = await dest.users.addUser('bob', 'h', NOW);
    expect(bob.id).toBeGreaterThan((await source.users.listUsers())[0]!.id);
    expect((await dest.users.credentials('ANN'))!.passwordHash).toBe('scrypt$hash');
  });

  it('refuses a destination that holds any row, and writes nothing into it', async () => {
    const source = await from.open();
    await seed(source);
    const dest = await to.open();
    await dest.users.addUser('zoe', 'h', NOW);
    const before = await allRows(dest);
    const err = await copyStore(source, dest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationNotEmptyError);
    expect((err as DestinationNotEmptyError).tables).toEqual(['users']);
    expect(await allRows(dest)).toEqual(before);
  });
});

describe('copyStore verification', () => {
  it('a table whose copy differs from its source is reported with both sides', async () => {
    const [from, to] = [await tempDatabase('sqlite'), await tempDatabase('sqlite')];
    try {
      const source = await from.open();
      await seed(source);
      const dest = await to.open();
      // Stands for a copy that went wrong: the destination changes a user's row as it is inserted.
      await dest.db.write((tx) => tx.run(sql`CREATE TRIGGER garble AFTER INSERT ON users BEGIN UPDATE users SET password_hash = 'x' WHERE id = NEW.id; END`));
      const results = await copyStore(source, dest);
      expect(results.filter((r) => !r.ok)).toEqual([{ table: 'users', rows: 1, hash: expect.any(String), ok: false, dest: { rows: 1, hash: expect.any(String) } }]);
      const users = results.find((r) => r.table === 'users')!;
      expect(users.dest!.hash).not.toBe(users.hash);
    } finally {
      await from.remove();
      await to.remove();
    }
  });
});

describe.runIf(BACKENDS.includes('postgres'))('copyStore sqlite → postgres → postgres → sqlite', () => {
  const dbs: TempDatabase[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) await d.remove();
  });

  it('comes back row for row and hash for hash, and the store reads it as before', async () => {
    for (const b of ['sqlite', 'postgres', 'postgres', 'sqlite'] as const) dbs.push(await tempDatabase(b));
    const [first, pg, pg2, last] = await Promise.all(dbs.map((d) => d.open()));
    const ids = await seed(first!);
    const there = await copyStore(first!, pg!);
    expect(await copyStore(pg!, pg2!)).toEqual(there);
    const back = await copyStore(pg2!, last!);
    expect(back).toEqual(there);
    expect(back.every((r) => r.ok)).toBe(true);
    expect(await allRows(last!)).toEqual(await allRows(first!));
    expect(await throughApi(last!, ids)).toEqual(await throughApi(first!, ids));
    expect(await searchIndex(last!, 'seabirds')).toEqual([ids[0]]);
  });
});

describe('the copy knows the schema', () => {
  for (const backend of BACKENDS) {
    it(`every table but the search index is copied, and ${backend}'s time and JSON columns are the ones the hash normalises`, async () => {
      const t = await tempDatabase(backend);
      try {
        const store = await t.open();
        const tables = await store.db.read(async (tx) =>
          tx.dialect === 'sqlite'
            ? (await tx.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'story_search%'`)).map((r) => r.name)
            : (
                await tx.all<{ name: string }>(
                  sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT IN ('story_search', 'aiwins_migrations')`,
                )
              ).map((r) => r.name),
        );
        expect(tables.sort()).toEqual(COPIED_TABLES.map((c) => c.name).sort());
        if (backend !== 'postgres') return;
        const columns = await store.db.read((tx) =>
          tx.all<{ table_name: string; column_name: string; data_type: string }>(
            sql`SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT IN ('story_search', 'aiwins_migrations')`,
          ),
        );
        for (const c of columns) {
          const spec = COPIED_TABLES.find((s) => s.name === c.table_name)!;
          expect([c.table_name, c.column_name, isTimeColumn(c.column_name)]).toEqual([c.table_name, c.column_name, c.data_type === 'timestamp with time zone']);
          expect([c.table_name, c.column_name, spec.json?.includes(c.column_name) ?? false]).toEqual([c.table_name, c.column_name, c.data_type === 'jsonb']);
        }
      } finally {
        await t.remove();
      }
    });
  }
});
