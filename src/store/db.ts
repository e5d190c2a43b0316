import type Database from 'better-sqlite3';
import { existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

/*
 * The SQLite binding for this Node. better-sqlite3 13 is built on Node-API and ships prebuilt
 * binaries inside its npm package, but crashes on Node 20; 12 (compiled at install) works on 20 but
 * aborts Node 24 when the GC finalizes a statement. So Node 22 and later load 13, and Node 20 loads
 * 12, installed under the alias better-sqlite3-node20 as an optional dependency. Same API, same types.
 * Import the binding through this, never 'better-sqlite3' directly (on Node 20 that one crashes).
 */
let binding: typeof Database | null = null;

/** The better-sqlite3 constructor that works on this Node (loaded once). */
export function sqliteBinding(): typeof Database {
  binding ??= loadBinding();
  return binding;
}

function loadBinding(): typeof Database {
  const require = createRequire(import.meta.url);
  if (Number(process.versions.node.split('.')[0]) >= 22) return require('better-sqlite3') as typeof Database;
  try {
    return require('better-sqlite3-node20') as typeof Database;
  } catch (err) {
    throw new StoreOpenError(
      `the SQLite binding for Node ${process.versions.node} (better-sqlite3 12, built from source at install) is missing: ` +
        `run npm ci with python3, make and a C++ compiler installed, or use Node 22 or later (${(err as Error).message})`,
    );
  }
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Thrown when the database file cannot be used; the message says what to do. */
export class StoreOpenError extends Error {}

/**
 * Opens (creating if needed) the SQLite database: WAL, busy timeout, foreign keys, migrations.
 * A file that exists but is not a SQLite database is refused, never recreated over.
 */
export function openDb(path: string): Db {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path) && statSync(path).size > 0) {
      const fd = openSync(path, 'r');
      const head = Buffer.alloc(16);
      readSync(fd, head, 0, 16, 0);
      closeSync(fd);
      if (head.toString('latin1') !== SQLITE_MAGIC) {
        throw new StoreOpenError(
          `${path} exists but is not a SQLite database; move it away or pass another --db PATH (nothing was changed)`,
        );
      }
    }
  }
  const db = new (sqliteBinding())(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/** Applies pending migrations, one transaction each, so a killed migration leaves the old version. */
export function migrate(db: Db): void {
  const apply = db.transaction((sql: string, version: number) => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current >= version) return;
    db.exec(sql);
    db.pragma(`user_version = ${version}`);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new StoreOpenError(
      `database schema version ${current} is newer than this aiwins (${MIGRATIONS.length}); upgrade aiwins`,
    );
  }
  for (let v = current + 1; v <= MIGRATIONS.length; v++) apply.immediate(MIGRATIONS[v - 1]!, v);
}

/** Runs fn in a BEGIN IMMEDIATE transaction: writers queue on the busy timeout instead of failing mid-way. */
export function write<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
