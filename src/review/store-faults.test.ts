/**
 * A database fault under the desk is the database's, said as such: a locked SQLite file or an
 * unreachable PostgreSQL server is a 503 page naming the fault and asking to try again, logged in
 * one line (an expected fault has no stack trace), never a 500 "unexpected error".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeskApp } from './app.tsx';
import { openStore, type Store } from '../store/index.ts';
import { deskLogin, hashTestPassword } from '../../test/helpers/desk.ts';
import { probeDb } from '../../test/helpers/db.ts';
import { seedStories } from '../../test/helpers/stories.ts';

const ORIGIN = 'http://localhost';
let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aiwins-desk-faults-'));
  store = await openStore(join(dir, 'aiwins.db'), { busyTimeoutMs: 50 });
  await store.users.addUser('ann', await hashTestPassword('ann-password-1'), new Date());
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a database fault under the desk', () => {
  it('a locked database: the approve is a 503 naming the lock, logged in one line; nothing is half-done', async () => {
    const [id] = await seedStories(store, [{ title: 'A story' }]);
    const logged: string[] = [];
    const app = createDeskApp({ store, log: (line) => logged.push(line) });
    const s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    const probe = probeDb(join(dir, 'aiwins.db'));
    const release = probe.holdWriteLock();
    try {
      const r = await app.request(`/stories/${id}/approve`, {
        method: 'POST',
        headers: { origin: ORIGIN, cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: s.csrf }),
      });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      const page = await r.text();
      expect(page).toContain('locked by another connection');
      expect(page).toContain('try again');
      expect(page).not.toContain('unexpected');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/^desk: POST \/stories\/\d+\/approve: db\.busy: /);
      expect(logged[0]).not.toMatch(/\n\s+at /);
    } finally {
      release();
      probe.close();
    }
    expect((await store.stories.get(id!))!.status).toBe('candidate');
  });
});
