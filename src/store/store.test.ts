import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations.ts';
import { openStore, StoreError, type Store } from './index.ts';
import type { Draft } from '../core/types.ts';
import { Connection } from './db.ts';
import { corruptPages, probeDb } from '../../test/helpers/db.ts';
import { describeEachBackend, tempDatabase, type TempDatabase } from '../../test/helpers/stores.ts';

let dir: string;
const open: Store[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aiwins-store-'));
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.parse('2026-11-26T12:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

async function store(name = 'a.db', opts = {}): Promise<Store> {
  const s = await openStore(join(dir, name), opts);
  open.push(s);
  return s;
}

const me = (pid: number, now: Date, alive: (pid: number) => boolean = () => true) => ({
  pid,
  host: 'host-a',
  now,
  expiresAt: new Date(now.getTime() + 120_000),
  isAlive: alive,
});

const newItem = (key: string, published: string | null = null, overCap = false) => ({
  key, url: `https://f.example/${key}`, canonicalUrl: `https://f.example/${key}`, title: key, published, author: null, summary: null, content: 'c', overCap,
});

const draft: Draft = {
  headline: 'H', tldr: 'T', takeaways: [{ text: 't', quote: 'q', grounded: true, supported: true }], whyItMatters: 'W', category: 'Research',
  deck: 'D', body: ['B1', 'B2'], implications: ['I1', 'I2'], readerNote: null, unsupportedClaims: [],
  framing: { verdict: 'positive', score: 0.8, rationale: 'r', concerns: [], angle: 'a', confidence: 0.7, recommendation: 'include' }, engine: 'extractive', model: null,
  promptId: 'p', promptHash: 'h', inputTokens: 1, outputTokens: 2, latencyMs: 3, inputTruncated: false, readingMinutes: 1,
};

/** One feed with the given items, stored by a fetch; returns the store and the new item ids. */
async function withItems(s: Store, items = [newItem('k')]) {
  await s.feeds.sync([{ name: 'F', url: 'https://f.example/feed' }], at(0));
  const [feed] = await s.feeds.active();
  const fetched = { status: 200, notModified: false, etag: null, lastModified: null, contentHash: null, permanentUrl: null, nextCheckAt: at(30) };
  return { feed: feed!, ...(await s.feeds.recordFetch(feed!.id, fetched, items, at(0))) };
}

describe('openStore', () => {
  it('creates the schema with WAL, and reopening changes nothing', async () => {
    const path = join(dir, 'a.db');
    await (await openStore(path)).close();
    const probe = probeDb(path);
    expect(probe.value('PRAGMA journal_mode')).toBe('wal');
    expect(probe.value('PRAGMA user_version')).toBe(MIGRATIONS.length);
    probe.close();
    await (await openStore(path)).close();
  });

  it('refuses a file that is not a SQLite database, leaving it untouched', async () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'my precious notes');
    await expect(openStore(path)).rejects.toThrow(/not a SQLite database/);
  });

  it('for reading, refuses a missing database without creating it or its folder', async () => {
    const path = join(dir, 'typo', 'x.db');
    await expect(openStore(path, { access: 'read' })).rejects.toThrow(/no database at .*typo/);
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it('reads a database file the user may not write', async () => {
    const s = await store('ro.db');
    await withItems(s);
    await s.close();
    open.pop();
    chmodSync(join(dir, 'ro.db'), 0o444);
    const ro = await store('ro.db', { access: 'read' });
    expect((await ro.stories.list({ all: true })).map((x) => x.title)).toEqual(['k']);
  });
});

describe('migration 12: the items table becomes stories', () => {
  /** Every table that points at a story, each with one row, as schema 11 (before the rename) stored them. */
  const TABLES = ['stories', 'articles', 'drafts', 'decisions', 'issue_stories', 'trial_drafts', 'story_signatures', 'story_bands', 'coverage', 'coverage_splits'];

  function schema11(path: string): void {
    const db = Connection.open(path);
    for (const m of MIGRATIONS.slice(0, 11)) db.exec(m);
    db.userVersion = 11;
    const now = '2026-11-20T10:00:00.000Z';
    db.run(`INSERT INTO feeds (id, url, name, created_at) VALUES (1, 'https://f.example/feed', 'F', ?)`, now);
    for (const [id, title] of [[1, 'Sepsis alerts help nurses'], [2, 'Sepsis alerts, syndicated']] as const) {
      db.run(
        `INSERT INTO items (id, feed_id, item_key, url, canonical_url, title, status, discovered_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)`,
        id, `k${id}`, `https://f.example/${id}`, `https://f.example/${id}`, title, id === 1 ? 'candidate' : 'duplicate', now, now,
      );
    }
    db.run(`UPDATE items SET source_item_id = 2 WHERE id = 1`);
    db.run(`INSERT INTO articles (item_id, text, word_count, reading_minutes, method, confidence, extracted_at) VALUES (1, 'a hospital in Leeds', 4, 1, 'readability', 0.9, ?)`, now);
    db.run(
      `INSERT INTO drafts (id, item_id, engine, prompt_id, prompt_hash, headline, tldr, takeaways, why_it_matters, category, framing,
         input_tokens, output_tokens, latency_ms, input_truncated, reading_minutes, created_at)
       VALUES (1, 1, 'llm', 'p', 'h', 'Nurses catch sepsis sooner', 'T', '[]', 'W', 'Health', '{}', 1, 1, 1, 0, 1, ?)`,
      now,
    );
    db.run(`INSERT INTO decisions (item_id, draft_id, action, decided_by, created_at) VALUES (1, 1, 'approve', 'ed', ?)`, now);
    db.run(`INSERT INTO issues (id, created_at) VALUES (1, ?)`, now);
    db.run(`INSERT INTO issue_stories (issue_id, item_id, position) VALUES (1, 1, 1)`);
    db.run(`INSERT INTO trials (id, name, prompt_id, prompt_hash, prompt_path, model, created_at, updated_at) VALUES (1, 't', 'p', 'h', 'p.md', 'm', ?, ?)`, now, now);
    db.run(`INSERT INTO trial_drafts (trial_id, item_id, cache_key, input_tokens, output_tokens, latency_ms, from_cache, created_at) VALUES (1, 1, 'c', 1, 1, 1, 0, ?)`, now);
    db.run(`INSERT INTO story_signatures (item_id, signature, signed_at) VALUES (1, '{}', ?)`, now);
    db.run(`INSERT INTO story_bands (band, item_id) VALUES ('b', 1)`);
    db.run(`INSERT INTO coverage (item_id, story_id, reason, similarity, at) VALUES (2, 1, 'same_text', 0.9, ?)`, now);
    db.run(`INSERT INTO coverage_splits (item_id, story_id, by, at) VALUES (2, 1, 'ed', ?)`, now);
    db.close();
  }

  it('opens a database from before the rename, migrates it, and keeps every row, link and search entry', async () => {
    const path = join(dir, 'old.db');
    schema11(path);
    const s = await store('old.db');
    const probe = probeDb(path);
    try {
      expect(probe.value('PRAGMA user_version')).toBe(MIGRATIONS.length);
      expect(probe.value(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'items'`)).toBe(0);
      for (const t of TABLES) expect(probe.value(`SELECT COUNT(*) FROM ${t}`), t).toBe(t === 'stories' ? 2 : 1);
      expect(probe.value('SELECT source_item_id FROM stories WHERE id = 1')).toBe(2);
      // Nothing in the schema names the old table: foreign keys, indexes and triggers follow the rename.
      const stale = probe.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE sql LIKE '%items%' AND sql NOT LIKE '%items_in_feed%'`);
      expect(stale).toEqual([]);
      expect(probe.all('PRAGMA foreign_key_check')).toEqual([]);
      expect(probe.integrityCheck()).toEqual(['ok']);
      // The search still finds the old story by title, draft and text ...
      const found = (q: string) => probe.all<{ rowid: number }>('SELECT rowid FROM story_search WHERE story_search MATCH ?', q).map((r) => r.rowid);
      expect(found('nurses')).toEqual([1]);
      expect(found('Leeds')).toEqual([1]);
      // ... and the Store reads and writes the renamed table: the old stories listed, a new one stored and searchable.
      expect((await s.stories.list({ all: true })).map((x) => x.id).sort()).toEqual([1, 2]);
      const { newIds } = await withItems(s, [newItem('radiology-ai')]);
      expect(newIds).toHaveLength(1);
      expect(found('radiology')).toEqual(newIds);
      // The drafts' search trigger, whose body named the old table, reads the new one.
      probe.run(
        `INSERT INTO drafts (item_id, engine, prompt_id, prompt_hash, headline, tldr, takeaways, why_it_matters, category, framing,
           input_tokens, output_tokens, latency_ms, input_truncated, reading_minutes, created_at)
         VALUES (?, 'llm', 'p', 'h', 'Mammography screening', 'T', '[]', 'W', 'Health', '{}', 1, 1, 1, 0, 1, '2026-11-21T10:00:00.000Z')`,
        newIds[0],
      );
      expect(found('mammography')).toEqual(newIds);
      // The foreign keys still hold: a band for a story that does not exist is refused.
      expect(() => probe.run(`INSERT INTO story_bands (band, item_id) VALUES ('b', 999)`)).toThrow(/FOREIGN KEY/);
    } finally {
      probe.close();
    }
  });
});

describeEachBackend('items', (backend) => {
  let t: TempDatabase;
  beforeEach(async () => {
    t = await tempDatabase(backend);
  });
  afterEach(() => t.remove());

  it('takes new items newest first, at most the cap per feed, and not over-cap items past the age limit', async () => {
    const s = await t.open();
    const { newIds, newOverCap } = await withItems(s, [
      newItem('new', '2026-11-25T00:00:00.000Z'),
      newItem('mid', '2026-11-20T00:00:00.000Z'),
      newItem('old-over-cap', '2026-09-01T00:00:00.000Z', true),
      newItem('recent-over-cap', '2026-11-24T00:00:00.000Z', true),
    ]);
    expect(newIds).toHaveLength(2);
    expect(newOverCap).toBe(2);
    const q = { now: at(0), maxAttempts: 5, retryFailed: false, overCapPublishedAfter: new Date(T0 - 30 * 86_400_000) };
    const titles = async (ids: number[]) => Promise.all(ids.map(async (id) => (await s.items.get(id))!.title));
    expect(await titles(await s.items.due({ ...q, maxPerFeed: 10 }))).toEqual(['new', 'recent-over-cap', 'mid']);
    expect(await titles(await s.items.due({ ...q, maxPerFeed: 2 }))).toEqual(['new', 'recent-over-cap']);
  });

  it('stores a draft only while the run holds the item, in the same transaction', async () => {
    const s = await t.open();
    const run = await s.runs.start(me(100, at(0)));
    if (!run.acquired) throw new Error('expected the lease');
    const { newIds: [id] } = await withItems(s);
    expect(await s.items.claim(id!, run.runId, at(2), at(0))).toMatchObject({ id, status: 'pending', feedName: 'F' });
    // Another run takes the lease over (the first stopped past its lease): its claims are dropped.
    const taker = await s.runs.start(me(200, at(3)));
    expect(taker).toMatchObject({ acquired: true, tookOverRunId: run.runId });
    expect(await s.drafts.save(id!, run.runId, draft, at(4))).toBeNull();
    expect(await s.drafts.history(id!)).toEqual([]);
    expect(await s.items.recordFailure(id!, run.runId, { kind: 'fetch.timeout', message: 'x' }, { status: 'failed', countsAttempt: true, nextAttemptAt: null }, at(4))).toBe(false);
    expect((await s.items.get(id!))!.attempts).toBe(0);
    // The old run's end does not overwrite the takeover's mark.
    expect(await s.runs.finish(run.runId, { status: 'completed', error: null, summary: {} }, at(5))).toBe('abandoned');
    if (!taker.acquired) throw new Error('expected the lease');
    expect(await s.items.claim(id!, taker.runId, at(6), at(4))).not.toBeNull();
    expect(await s.drafts.save(id!, taker.runId, draft, at(5))).toEqual(expect.any(Number));
    expect((await s.stories.get(id!))!.status).toBe('candidate');
  });

  it('keeps a draft the database would not take beside it, and stores it once', async () => {
    const s = await t.open();
    const run = await s.runs.start(me(100, at(0)));
    if (!run.acquired) throw new Error('expected the lease');
    const { newIds: [id] } = await withItems(s);
    await s.drafts.keep(id!, run.runId, draft, at(1));
    expect(await s.drafts.storeKept(at(2))).toEqual({ stored: 1, dropped: 0 });
    expect(await s.drafts.storeKept(at(3))).toEqual({ stored: 0, dropped: 0 });
    expect((await s.drafts.history(id!)).map((d) => d.headline)).toEqual(['H']);
  });
});

describeEachBackend('the run lease', (backend) => {
  let t: TempDatabase;
  beforeEach(async () => {
    t = await tempDatabase(backend);
  });
  afterEach(() => t.remove());

  it('lets one run hold it; a second is told who holds it', async () => {
    const s = await t.open();
    expect((await s.runs.start(me(100, at(0)))).acquired).toBe(true);
    expect(await s.runs.start(me(200, at(1)))).toMatchObject({ acquired: false, holder: { pid: 100, host: 'host-a' } });
  });

  it('is taken over when the holder process is gone, dropping its item claims', async () => {
    const s = await t.open();
    const first = await s.runs.start(me(100, at(0)));
    if (!first.acquired) throw new Error('expected the lease');
    const { newIds: [id] } = await withItems(s);
    expect(await s.items.claim(id!, first.runId, at(2), at(0))).not.toBeNull();
    const taker = await s.runs.start(me(200, at(1), (pid) => pid !== 100));
    expect(taker).toMatchObject({ acquired: true, tookOverRunId: first.runId });
    if (!taker.acquired) throw new Error('expected the lease');
    expect(await s.items.claim(id!, taker.runId, at(2), at(1))).not.toBeNull();
    const old = (await s.runs.recent()).find((r) => r.id === first.runId)!;
    expect(old).toMatchObject({ status: 'abandoned', error: { kind: 'run.lease_lost' } });
  });

  it('is taken over when its heartbeat expired, even from another host; the old heartbeat answers lost', async () => {
    const s = await t.open();
    const first = await s.runs.start({ ...me(100, at(0)), host: 'host-b' });
    if (!first.acquired) throw new Error('expected the lease');
    expect((await s.runs.start(me(200, at(1)))).acquired).toBe(false);
    expect((await s.runs.start(me(200, at(3)))).acquired).toBe(true);
    expect(await s.runs.heartbeat(first.runId, at(4), at(6))).toBe(false);
  });

  it('is released when the run finishes', async () => {
    const s = await t.open();
    const run = await s.runs.start(me(100, at(0)));
    if (!run.acquired) throw new Error('expected the lease');
    expect(await s.runs.finish(run.runId, { status: 'completed', error: null, summary: { ok: true } }, at(1))).toBe('completed');
    expect((await s.runs.start(me(200, at(1)))).acquired).toBe(true);
  });
});

describe('database faults', () => {
  it('a locked database rejects with db.busy after the busy timeout, naming the path', async () => {
    const s = await store('busy.db', { busyTimeoutMs: 100 });
    const probe = probeDb(join(dir, 'busy.db'));
    const release = probe.holdWriteLock();
    try {
      const err = await s.feeds.sync([{ name: 'F', url: 'https://f.example/feed' }], at(0)).catch((e) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect(err.failure.kind).toBe('db.busy');
      expect(err.message).toContain(join(dir, 'busy.db'));
    } finally {
      release();
      probe.close();
    }
  });

  it('a full database rejects with db.full, naming the free space; nothing half-written', async () => {
    const path = join(dir, 'full.db');
    await (await openStore(path)).close();
    const probe = probeDb(path);
    const pages = probe.value<number>('PRAGMA page_count');
    probe.close();
    // SQLite's limit on the file's size stops writes as a full disk would.
    const s = await store('full.db', { maxPageCount: pages + 2 });
    const big = Array.from({ length: 200 }, (_, i) => ({ ...newItem(`k${i}`), content: 'x'.repeat(4000) }));
    await expect(withItems(s, big)).rejects.toMatchObject({ failure: { kind: 'db.full', message: expect.stringMatching(/MB free on the disk of/) } });
    const after = probeDb(path);
    expect(after.value('SELECT COUNT(*) FROM stories')).toBe(0);
    after.close();
  });

  it('a database with damaged pages rejects with db.corrupt, naming integrity_check and the backup', async () => {
    const path = join(dir, 'bad.db');
    const s0 = await openStore(path);
    await withItems(s0, Array.from({ length: 50 }, (_, i) => ({ ...newItem(`k${i}`), content: 'x'.repeat(2000) })));
    await s0.maintenance.afterRun();
    await s0.close();
    corruptPages(path);
    const err = await (async () => {
      const s = await openStore(path);
      open.push(s);
      return s.stories.list({ all: true });
    })().catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err.failure.kind).toBe('db.corrupt');
    expect(err.message).toContain('integrity_check');
    expect(err.message).toContain('backup');
  });

  it("the desk's reads of a damaged database reject with db.corrupt too, not a raw SQLite error", async () => {
    const path = join(dir, 'bad-desk.db');
    const s0 = await openStore(path);
    await withItems(s0, Array.from({ length: 50 }, (_, i) => ({ ...newItem(`k${i}`), content: 'x'.repeat(2000) })));
    await s0.maintenance.afterRun();
    await s0.close();
    // Damaged under a desk that is already open (opening a damaged file is refused, tested above).
    const s = await openStore(path);
    open.push(s);
    corruptPages(path);
    const err = await s.editorial.queue({ status: 'all' }).catch((e) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err.failure.kind).toBe('db.corrupt');
  });
});
