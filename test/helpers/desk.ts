import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/review/password.ts';
import * as store from '../../src/store/index.ts';

/** A temp database with editors added through the store, as `aiwins users add` does. */
export async function deskDb(users: Record<string, string>): Promise<{ db: store.Db; path: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'aiwins-desk-'));
  const path = join(dir, 'aiwins.db');
  const db = store.openDb(path);
  const userStore = new store.UserStore(db);
  for (const [name, password] of Object.entries(users)) await userStore.addUser(name, await hashPassword(password), new Date());
  return {
    db,
    path,
    remove: () => {
      db.close();
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
