import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, type ScryptCost } from '../../src/review/password.ts';
import { openStore, type Store } from '../../src/store/index.ts';

/**
 * A lower scrypt cost for test editors (about 1 MiB and a millisecond instead of 128 MiB and a
 * large fraction of a second each); the hash records it, so logging in verifies at the same cost.
 */
export const TEST_SCRYPT_COST: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };

/** A password hash for a test editor, at TEST_SCRYPT_COST. */
export const hashTestPassword = (password: string): Promise<string> => hashPassword(password, TEST_SCRYPT_COST);

/** A temp database with editors added through the store, as `aiwins users add` does (at the test cost). */
export async function deskDb(users: Record<string, string>): Promise<{ store: Store; path: string; remove(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'aiwins-desk-'));
  const path = join(dir, 'aiwins.db');
  const store = await openStore(path);
  for (const [name, password] of Object.entries(users)) await store.users.addUser(name, await hashTestPassword(password), new Date());
  return {
    store,
    path,
    remove: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The CSRF token of a page's forms. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1]!;
}

/** Logs in through the desk's own form, as a browser on its origin would: the session cookie and its CSRF token. */
export async function deskLogin(
  app: { request(path: string, init?: RequestInit): Response | Promise<Response> },
  origin: string,
  username: string,
  password: string,
): Promise<{ cookie: string; csrf: string }> {
  const r = await app.request('/login', {
    method: 'POST',
    body: new URLSearchParams({ username, password }),
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (r.status !== 303) throw new Error(`login as ${username}: HTTP ${r.status}`);
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  const page = await app.request('/', { headers: { cookie } });
  return { cookie, csrf: csrfOf(await page.text()) };
}
