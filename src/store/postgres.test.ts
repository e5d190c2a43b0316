import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openStore, StoreError, StoreOpenError, type Store } from './index.ts';
import { PG_MIGRATIONS } from './pg-migrations.ts';
import { pgFailure } from './postgres.ts';
import { redactUrl } from './location.ts';
import { BACKENDS, tempDatabase, type TempDatabase } from '../../test/helpers/stores.ts';
import { dropTestDatabase } from '../../test/helpers/postgres.ts';

const T0 = Date.parse('2026-11-26T12:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const me = (pid: number, now: Date) => ({ pid, host: 'host-a', now, expiresAt: new Date(now.getTime() + 120_000), isAlive: () => true });

async function seedItem(s: Store): Promise<number> {
  await s.feeds.sync([{ name: 'F', url: 'https://f.example/feed' }], at(0));
  const [feed] = await s.feeds.active();
  const fetched = { status: 200, notModified: false, etag: null, lastModified: null, contentHash: null, permanentUrl: null, nextCheckAt: at(30) };
  const item = { key: 'k', url: 'https://f.example/k', canonicalUrl: 'https://f.example/k', title: 'k', published: null, author: null, summary: null, content: 'c' };
  const { newIds } = await s.feeds.recordFetch(feed!.id, fetched, [item], at(0));
  return newIds[0]!;
}

/** A plain connection to the test's database, as another program (psql, a second host) would have. */
async function client(location: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: location });
  await c.connect();
  return c;
}

describe('pgFailure', () => {
  const url = 'postgres://aiwins:secret@db.example:6543/news';
  it('types the errors of the server and of the connection, naming host and port, never the password', () => {
    expect(pgFailure(Object.assign(new Error('could not serialize access'), { code: '40001' }), url)?.kind).toBe('db.busy');
    expect(pgFailure(Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }), url)?.kind).toBe('db.busy');
    expect(pgFailure(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }), url)?.kind).toBe('db.busy');
    expect(pgFailure(Object.assign(new Error('could not extend file'), { code: '53100' }), url)?.kind).toBe('db.full');
    expect(pgFailure(Object.assign(new Error('invalid page in block'), { code: 'XX001' }), url)?.kind).toBe('db.corrupt');
    const refused = pgFailure(Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6543'), { code: 'ECONNREFUSED' }), url)!;
    expect(refused.kind).toBe('db.unavailable');
    expect(refused.message).toContain('db.example:6543');
    expect(refused.message).not.toContain('secret');
    expect(pgFailure(new Error('Connection terminated unexpectedly'), url)?.kind).toBe('db.unavailable');
    expect(pgFailure(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), url)?.kind).toBe('db.unavailable');
    expect(pgFailure(Object.assign(new Error('database "news" does not exist'), { code: '3D000' }), url)?.kind).toBe('db.unavailable');
    // A bug (bad SQL, a broken constraint) is not the database's failure: it is thrown as it is.
    expect(pgFailure(Object.assign(new Error('syntax error'), { code: '42601' }), url)).toBeNull();
    expect(pgFailure(Object.assign(new Error('duplicate key'), { code: '23505' }), url)).toBeNull();
  });

  it('redacts the password of a URL', () => {
    expect(redactUrl(url)).toBe('postgres://aiwins:***@db.example:6543/news');
    expect(redactUrl('postgres://postgres@127.0.0.1/x')).toBe('postgres://postgres@127.0.0.1/x');
  });
});

describe('a server that does not answer', () => {
  it('is db.unavailable at open, naming host and port', async () => {
    const err = await openStore('postgres://postgres@127.0.0.1:1/aiwins', { postgres: { connectTimeoutMs: 2000 } }).catch((e) => e);
    expect(err).toBeInstanceOf(StoreOpenError);
    expect(err.failure.kind).toBe('db.unavailable');
    expect(err.message).toContain('127.0.0.1:1');
  });
});

describe.skipIf(!BACKENDS.includes('postgres'))('PostgreSQL', () => {
  let t: TempDatabase;
  beforeEach(async () => {
    t = await tempDatabase('postgres');
  });
  afterEach(() => t.remove());

  it('migrates under an advisory lock: stores opened at once migrate once, and reopening changes nothing', async () => {
    const stores = await Promise.all([t.open(), t.open(), t.open()]);
    expect(stores.every((s) => s.dialect === 'postgres')).toBe(true);
    const c = await client(t.location);
    try {
      const { rows } = await c.query('SELECT version FROM aiwins_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
      await t.open();
      expect((await c.query('SELECT count(*)::int AS n FROM aiwins_migrations')).rows[0].n).toBe(PG_MIGRATIONS.length);
    } finally {
      await c.end();
    }
  });

  it('refuses a database whose schema is newer than this aiwins, and one not made yet for reading', async () => {
    const readErr = await t.open({ access: 'read' }).catch((e) => e);
    expect(readErr).toBeInstanceOf(StoreOpenError);
    expect(readErr.message).toMatch(/no aiwins database at .*aiwins run/);
    // Looking wrote nothing: not even the table of versions.
    const probe = await client(t.location);
    try {
      expect((await probe.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`)).rows[0].n).toBe(0);
    } finally {
      await probe.end();
    }
    await t.open();
    const c = await client(t.location);
    try {
      await c.query('INSERT INTO aiwins_migrations (version) VALUES ($1)', [PG_MIGRATIONS.length + 1]);
    } finally {
      await c.end();
    }
    const err = await t.open().catch((e) => e);
    expect(err).toBeInstanceOf(StoreOpenError);
    expect(err.message).toContain('newer than this aiwins');
  });

  it('maintenance: check reads every table and says ok, vacuum runs, and a stale schema is named', async () => {
    const s = await t.open();
    await seedItem(s);
    expect(await s.maintenance.check()).toEqual(['ok']);
    await s.maintenance.vacuum();
    await s.maintenance.afterRun();
    const c = await client(t.location);
    try {
      await c.query('DELETE FROM aiwins_migrations WHERE version = (SELECT MAX(version) FROM aiwins_migrations)');
    } finally {
      await c.end();
    }
    expect((await s.maintenance.check()).join('\n')).toMatch(/schema version \d+ of \d+: run `aiwins run`/);
    // Closed, a store that only checked leaves no connection open (an idle one kept the CLI alive 10 s).
    const checker = await t.open({ access: 'read', migrate: false });
    await checker.maintenance.check();
    await checker.close();
    await s.close();
    const probe = await client(t.location);
    try {
      await new Promise((r) => setTimeout(r, 200));
      const { rows } = await probe.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      expect(rows[0].n).toBe(0);
    } finally {
      await probe.end();
    }
  });

  it('keeps versions immutable and decisions append-only in the database itself', async () => {
    const s = await t.open();
    const id = await seedItem(s);
    const run = await s.runs.start(me(1, at(0)));
    if (!run.acquired) throw new Error('expected the lease');
    await s.items.claim(id, run.runId, at(5), at(0));
    const draftId = await s.drafts.save(id, run.runId, DRAFT, at(1));
    const c = await client(t.location);
    try {
      await expect(c.query(`UPDATE drafts SET headline = 'changed' WHERE id = $1`, [draftId])).rejects.toThrow(/never changed/);
      await c.query(`INSERT INTO decisions (item_id, draft_id, action, decided_by, created_at) VALUES ($1, $2, 'approve', 'x', now())`, [id, draftId]);
      await expect(c.query('UPDATE decisions SET decided_by = $1', ['y'])).rejects.toThrow(/append-only/);
      await expect(c.query('DELETE FROM decisions')).rejects.toThrow(/append-only/);
      await expect(c.query('TRUNCATE decisions')).rejects.toThrow(/append-only/);
    } finally {
      await c.end();
    }
  });

  it('stores times as timestamptz and JSON as jsonb, and reads them back as SQLite does', async () => {
    const s = await t.open();
    const id = await seedItem(s);
    const run = await s.runs.start(me(1, at(0)));
    if (!run.acquired) throw new Error('expected the lease');
    await s.runs.finish(run.runId, { status: 'completed', error: null, summary: { drafted: 1 } }, at(2));
    const c = await client(t.location);
    try {
      const { rows } = await c.query(
        `SELECT table_name, column_name, data_type FROM information_schema.columns
         WHERE (table_name, column_name) IN (('stories', 'discovered_at'), ('runs', 'summary'), ('stories', 'id'))`,
      );
      const types = Object.fromEntries(rows.map((r) => [`${r.table_name}.${r.column_name}`, r.data_type]));
      expect(types).toEqual({ 'stories.discovered_at': 'timestamp with time zone', 'runs.summary': 'jsonb', 'stories.id': 'integer' });
      const { rows: ident } = await c.query(`SELECT is_identity FROM information_schema.columns WHERE table_name = 'stories' AND column_name = 'id'`);
      expect(ident[0].is_identity).toBe('YES');
    } finally {
      await c.end();
    }
    expect((await s.items.get(id))!.discoveredAt.toISOString()).toBe(at(0).toISOString());
    expect((await s.runs.recent())[0]).toMatchObject({ status: 'completed', finishedAt: at(2), summary: { drafted: 1 } });
  });

  it('two processes racing for the lease and for one item: exactly one wins each', async () => {
    const [a, b] = await Promise.all([t.open(), t.open()]);
    const id = await seedItem(a);
    const starts = await Promise.all([a.runs.start(me(1, at(0))), b.runs.start(me(2, at(0)))]);
    expect(starts.filter((r) => r.acquired)).toHaveLength(1);
    // Two runs (as after a takeover) claiming the same item at the same moment: one gets it.
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).items.claim(id, 100 + i, at(10), at(1))),
    );
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
  });

  it('many feeds storing their items at once all succeed (writers take turns; none fails for racing another)', async () => {
    const stores = await Promise.all([t.open(), t.open()]);
    const feeds = Array.from({ length: 24 }, (_, i) => ({ name: `F${i}`, url: `https://f${i}.example/feed` }));
    await stores[0]!.feeds.sync(feeds, at(0));
    const stored = await stores[0]!.feeds.active();
    const fetched = { status: 200, notModified: false, etag: null, lastModified: null, contentHash: null, permanentUrl: null, nextCheckAt: at(30) };
    const results = await Promise.all(
      stored.map((f, n) =>
        stores[n % 2]!.feeds.recordFetch(
          f.id,
          fetched,
          Array.from({ length: 20 }, (_, i) => {
            const url = `https://f${n}.example/${i}`;
            return { key: url, url, canonicalUrl: url, title: url, published: null, author: null, summary: null, content: 'c' };
          }),
          at(1),
        ),
      ),
    );
    expect(results.map((r) => r.newIds.length)).toEqual(stored.map(() => 20));
  });

  it('a write blocked by another connection past lock_timeout is db.busy, naming the database', async () => {
    const s = await t.open({ postgres: { lockTimeoutMs: 200 } });
    await seedItem(s);
    const c = await client(t.location);
    try {
      await c.query('BEGIN');
      await c.query('LOCK TABLE feeds IN ACCESS EXCLUSIVE MODE');
      const err = await s.feeds.sync([{ name: 'G', url: 'https://g.example/feed' }], at(1)).catch((e) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err.failure.kind).toBe('db.busy');
      expect(err.message).toContain(new URL(t.location).pathname.slice(1));
    } finally {
      await c.query('ROLLBACK');
      await c.end();
    }
    // Once the lock is gone the same write goes through.
    await s.feeds.sync([{ name: 'G', url: 'https://g.example/feed' }], at(1));
    expect((await s.feeds.active()).map((f) => f.name)).toEqual(['G']);
  });

  it("connections the server ends are replaced: the store's next call works", async () => {
    const s = await t.open();
    await seedItem(s);
    const c = await client(t.location);
    try {
      const { rows } = await c.query(
        `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()) t`,
      );
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
    // The terminated connections sat idle in the pool; the next call gets a new one.
    await new Promise((r) => setTimeout(r, 100));
    expect((await s.feeds.active()).map((f) => f.name)).toEqual(['F']);
  });

  it('a database that stops taking connections is db.unavailable; once it takes them again, the same store works', async () => {
    const s = await t.open({ postgres: { connectTimeoutMs: 2000 } });
    await seedItem(s);
    const name = new URL(t.location).pathname.slice(1);
    const admin = await client(t.location.replace(`/${name}`, '/postgres'));
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
      await new Promise((r) => setTimeout(r, 100));
      const err = await s.feeds.active().catch((e) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err.failure.kind).toBe('db.unavailable');
      expect(err.message).toContain('127.0.0.1:5432');
      expect(err.message).toContain('not currently accepting connections');
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      expect((await s.feeds.active()).map((f) => f.name)).toEqual(['F']);
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => {});
      await admin.end();
    }
  });

  it('a server that goes away mid-use is db.unavailable, not a raw error', async () => {
    const s = await t.open({ postgres: { connectTimeoutMs: 1000 } });
    await seedItem(s);
    // The database is dropped under the store (as a server that lost it): every call is typed.
    await dropTestDatabase(t.location);
    const err = await s.feeds.active().catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err.failure.kind).toBe('db.unavailable');
    expect(err.message).toContain('127.0.0.1:5432');
  });
});

const DRAFT = {
  headline: 'H', tldr: 'T', takeaways: [{ text: 't', quote: 'q', grounded: true, supported: true }], whyItMatters: 'W', category: 'Research',
  deck: 'D', body: ['B1'], implications: ['I1'], readerNote: null, unsupportedClaims: [],
  framing: { verdict: 'positive' as const, score: 0.8, rationale: 'r', concerns: [], angle: 'a', confidence: 0.7, recommendation: 'include' as const },
  engine: 'extractive' as const, model: null, promptId: 'p', promptHash: 'h', inputTokens: 1, outputTokens: 2, latencyMs: 3, inputTruncated: false, readingMinutes: 1,
};
