/**
 * `aiwins db copy DEST` through the real CLI: one verified line per table and exit 0; a destination
 * holding rows is refused with exit 2 and left as it was; --json; and, where PostgreSQL answers, a
 * SQLite database to PostgreSQL and back with every table's hash unchanged.
 */
import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { lastJsonLine, runCli, tempProject, type TempProject } from './helpers/project.ts';
import { BACKENDS, tempDatabase, type TempDatabase } from './helpers/stores.ts';
import { seedStories } from './helpers/stories.ts';

const TABLES = 19;
const LINE = /^(\w+) +(\d+) +([0-9a-f]{16}) +(ok|MISMATCH)$/;

let project: TempProject;
beforeEach(async () => {
  project = tempProject();
  const store = await openStore(project.dbPath);
  try {
    const [id] = await seedStories(store, [{ title: 'Lighthouse keepers count seabirds' }, {}]);
    await store.editorial.decide(id!, { action: 'approve', by: 'ann', now: new Date() });
    await store.users.addUser('ann', 'scrypt$hash', new Date());
  } finally {
    await store.close();
  }
});
afterEach(() => project.remove());

const copy = (from: string, ...args: string[]) => runCli(['--db', from, '--log-format', 'text', 'db', 'copy', ...args]);

/** The table lines of a copy's output, as [table, rows, hash]. */
function tableLines(stdout: string): [string, number, string][] {
  const lines = stdout.trim().split('\n');
  const tables = lines.slice(0, -1).map((l) => {
    const m = LINE.exec(l);
    if (!m) throw new Error(`not a table line: ${l}`);
    expect(m[4]).toBe('ok');
    return [m[1]!, Number(m[2]), m[3]!] as [string, number, string];
  });
  expect(lines.at(-1)).toMatch(/^copied .* rows in 19 tables, each verified$/);
  return tables;
}

describe('aiwins db copy', () => {
  it('copies into a new SQLite file, one verified line per table; a second copy into it is refused and writes nothing', async () => {
    const dest = join(project.dir, 'copy.db');
    const r = await copy(project.dbPath, dest);
    expect(r.code, r.stderr).toBe(0);
    const tables = tableLines(r.stdout);
    expect(tables).toHaveLength(TABLES);
    expect(Object.fromEntries(tables.map(([t, n]) => [t, n]))).toMatchObject({ feeds: 1, stories: 2, articles: 2, drafts: 2, decisions: 1, users: 1 });

    const copied = await openStore(dest, { access: 'read' });
    try {
      expect((await copied.users.listUsers()).map((u) => u.name)).toEqual(['ann']);
      expect((await copied.editorial.queue({ q: 'seabirds', status: 'all' })).entries.map((e) => e.title)).toEqual(['Lighthouse keepers count seabirds']);
    } finally {
      await copied.close();
    }

    const again = await copy(project.dbPath, dest);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/copy\.db is not empty \(rows in feeds, stories, .*users.*\).*nothing was written/);
    expect(again.stdout).toBe('');
    const json = await copy(dest, join(project.dir, 'third.db'), '--json');
    expect(json.code, json.stderr).toBe(0);
    // The refused copy added nothing: a copy of it hashes as the first copy did.
    const out = lastJsonLine<{ tables: { table: string; rows: number; hash: string; ok: boolean }[]; ok: boolean }>(json.stdout);
    expect(out.ok).toBe(true);
    expect(out.tables.map((t) => [t.table, t.rows, t.hash])).toEqual(tables);
    expect(out.tables.every((t) => t.ok)).toBe(true);
  });

  it('a table that differs after the copy is named, and the copy exits 1', async () => {
    const dest = join(project.dir, 'garbled.db');
    const store = await openStore(dest);
    try {
      // Stands for a copy that went wrong: the destination changes a user's row as it is inserted.
      await store.db.write((tx) => tx.run(sql`CREATE TRIGGER garble AFTER INSERT ON users BEGIN UPDATE users SET password_hash = 'x' WHERE id = NEW.id; END`));
    } finally {
      await store.close();
    }
    const r = await copy(project.dbPath, dest);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^users +1 +[0-9a-f]{16} +MISMATCH$/m);
    expect(r.stdout).toMatch(/^feeds +1 +[0-9a-f]{16} +ok$/m);
    expect(r.stderr).toMatch(/table users differs after the copy: 1 rows \([0-9a-f]{16}\) in .*aiwins\.db, 1 \([0-9a-f]{16}\) in .*garbled\.db/);
    const json = await copy(project.dbPath, join(project.dir, 'clean.db'), '--json');
    expect(lastJsonLine(json.stdout).ok).toBe(true);
  });

  it('copying into itself is refused (exit 2); a database that is missing is exit 2 and makes no copy', async () => {
    const self = await copy(project.dbPath, project.dbPath);
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/is not empty/);
    const missing = await copy(join(project.dir, 'none.db'), join(project.dir, 'out.db'));
    expect(missing.code).toBe(2);
    expect(existsSync(join(project.dir, 'out.db'))).toBe(false);
  });
});

describe.runIf(BACKENDS.includes('postgres'))('aiwins db copy with PostgreSQL', () => {
  let pg: TempDatabase;
  beforeEach(async () => {
    pg = await tempDatabase('postgres');
  });
  afterEach(() => pg.remove());

  it('SQLite to PostgreSQL and back: every table hashes the same on all three; a PostgreSQL database with rows is refused', async () => {
    const there = await copy(project.dbPath, pg.location);
    expect(there.code, there.stderr).toBe(0);
    const tablesThere = tableLines(there.stdout);
    const back = await copy(pg.location, join(project.dir, 'back.db'));
    expect(back.code, back.stderr).toBe(0);
    expect(tableLines(back.stdout)).toEqual(tablesThere);

    const refused = await copy(project.dbPath, pg.location);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is not empty .*nothing was written/);
  });
});
