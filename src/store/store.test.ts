import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations.ts';
import * as store from './index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aiwins-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = '2026-11-26T12:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

describe('openDb', () => {
  it('creates the schema with WAL and foreign keys, and reopening changes nothing', () => {
    const path = join(dir, 'a.db');
    const db = store.openDb(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    const again = store.openDb(path);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    again.close();
  });

  it('refuses a file that is not a SQLite database, leaving it untouched', () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'my precious notes');
    expect(() => store.openDb(path)).toThrow(/not a SQLite database/);
  });
});

describe('the run lease', () => {
  const me = (pid: number, now: string, alive: (pid: number) => boolean = () => true) => ({
    pid,
    host: 'host-a',
    now,
    expiresAt: new Date(Date.parse(now) + 120_000).toISOString(),
    isAlive: alive,
  });

  it('lets one run hold it; a second is told who holds it', () => {
    const db = store.openDb(join(dir, 'l.db'));
    const first = store.startRun(db, me(100, T0));
    expect(first.acquired).toBe(true);
    const second = store.startRun(db, me(200, at(1)));
    expect(second).toMatchObject({ acquired: false, holder: { pid: 100, host: 'host-a' } });
    db.close();
  });

  it('is taken over when the holder process is gone, dropping its item claims', () => {
    const db = store.openDb(join(dir, 'l.db'));
    const first = store.startRun(db, me(100, T0));
    if (!first.acquired) throw new Error('expected the lease');
    store.syncFeeds(db, [{ name: 'F', url: 'https://f.example/feed' }], T0);
    const feed = store.activeFeeds(db)[0]!;
    const [id] = store.insertNewItems(db, feed.id, [{ key: 'k', url: null, canonicalUrl: null, title: 't', published: null, author: null, summary: null, content: 'c' }], T0);
    expect(store.claimItem(db, id!, store.claimOwner(first.runId), at(2), T0)).not.toBeNull();
    const taker = store.startRun(db, me(200, at(1), (pid) => pid !== 100));
    expect(taker).toMatchObject({ acquired: true, tookOverRunId: first.runId });
    expect(store.getItem(db, id!)!.claimed_by).toBeNull();
    expect(store.recentRuns(db).find((r) => r.id === first.runId)!.status).toBe('abandoned');
    db.close();
  });

  it('is taken over when its heartbeat expired, even from another host', () => {
    const db = store.openDb(join(dir, 'l.db'));
    expect(store.startRun(db, { ...me(100, T0), host: 'host-b' }).acquired).toBe(true);
    expect(store.startRun(db, me(200, at(1))).acquired).toBe(false);
    expect(store.startRun(db, me(200, at(3))).acquired).toBe(true);
    db.close();
  });

  it('is released when the run finishes', () => {
    const db = store.openDb(join(dir, 'l.db'));
    const run = store.startRun(db, me(100, T0));
    if (!run.acquired) throw new Error('expected the lease');
    store.finishRun(db, run.runId, 'completed', { ok: true }, at(1));
    expect(store.startRun(db, me(200, at(1))).acquired).toBe(true);
    db.close();
  });
});
