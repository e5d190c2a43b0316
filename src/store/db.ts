/**
 * The one file that knows the SQLite binding (better-sqlite3 today). Everything else in the store
 * talks to a `Connection`: prepared statements by SQL text, transactions, pragmas, backup. Moving
 * to another binding with the same shape (libsql, node:sqlite) is a change to this file only.
 */
import type Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statfsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Failure } from '../core/failure.ts';

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
    throw new StoreOpenError({
      kind: 'db.io',
      message:
        `the SQLite binding for Node ${process.versions.node} (better-sqlite3 12, built from source at install) is missing: ` +
        `run npm ci with python3, make and a C++ compiler installed, or use Node 22 or later (${(err as Error).message})`,
    });
  }
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/** How long a write waits for another connection's lock before giving up with `db.busy`. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** The database cannot be used, or an operation on it failed for a reason of the database, not of the item. */
export class StoreError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/** Thrown when the database file cannot be opened; the message says what to do. */
export class StoreOpenError extends StoreError {}

/** Thrown when a command that only reads names a database that was never made (no file; no aiwins tables). */
export class NoDatabaseError extends StoreOpenError {}

export interface ConnectOptions {
  /** Open for reading only: never creates, migrates or writes. */
  readonly?: boolean;
  /** Refuse to create a database that does not exist yet (read-only commands). */
  mustExist?: boolean;
  busyTimeoutMs?: number;
  /** SQLite's max_page_count: writes past it fail with SQLITE_FULL, as on a full disk. */
  maxPageCount?: number;
}

/** Fault injection for the tests of a full disk through the CLI (as AIWINS_FAULT_KILL_AT for crashes). */
const FAULT_MAX_PAGES = Number(process.env.AIWINS_FAULT_DB_MAX_PAGES) || undefined;

interface RunResult {
  changes: number;
  lastInsertRowid: number;
}

/** A connection: statements cached by their SQL text, transactions, and the maintenance calls. */
export class Connection {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
  ) {}

  /**
   * Opens the database file. A file that exists but is not a SQLite database is refused, never
   * recreated over; with `mustExist` or `readonly` a missing file is an error, not a new database.
   */
  static open(path: string, opts: ConnectOptions = {}): Connection {
    const memory = path === ':memory:';
    const exists = !memory && existsSync(path);
    if (!memory && !exists && (opts.mustExist || opts.readonly)) {
      throw new NoDatabaseError({
        kind: 'db.io',
        message: `no database at ${resolve(path)}: check --db (or AIWINS_DB); \`aiwins run\` creates it`,
      });
    }
    if (exists && statSync(path).size > 0) {
      const fd = openSync(path, 'r');
      const head = Buffer.alloc(16);
      readSync(fd, head, 0, 16, 0);
      closeSync(fd);
      if (head.toString('latin1') !== SQLITE_MAGIC) {
        throw new StoreOpenError({
          kind: 'db.corrupt',
          message: `${path} exists but is not a SQLite database; move it away or pass another --db PATH (nothing was changed)`,
        });
      }
    }
    if (!memory && !exists) mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = new (sqliteBinding())(path, { timeout: opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS, readonly: !!opts.readonly, fileMustExist: !!opts.mustExist });
    } catch (err) {
      throw new StoreOpenError(dbFailure(err, path) ?? { kind: 'db.io', message: `cannot open database ${path}: ${(err as Error).message}` });
    }
    const conn = new Connection(path, db);
    if (!opts.readonly) {
      try {
        db.pragma('journal_mode = WAL');
        // NORMAL: a commit survives a crash of the process; an OS crash or power loss may lose the
        // last commits (never corrupts). The README says so.
        db.pragma('synchronous = NORMAL');
      } catch (err) {
        conn.close();
        throw new StoreOpenError(dbFailure(err, path) ?? { kind: 'db.io', message: `cannot open database ${path}: ${(err as Error).message}` });
      }
    }
    db.pragma('foreign_keys = ON');
    const maxPages = opts.maxPageCount ?? FAULT_MAX_PAGES;
    if (maxPages) db.pragma(`max_page_count = ${Math.floor(maxPages)}`);
    return conn;
  }

  /** The prepared statement for `sql`, made once per connection. */
  statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  run(sql: string, ...params: unknown[]): RunResult {
    const r = this.statement(sql).run(...params);
    return { changes: r.changes, lastInsertRowid: Number(r.lastInsertRowid) };
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  /** Runs fn in BEGIN IMMEDIATE (the migrations; the store's transactions are sqlite-db.ts's): writers queue on the busy timeout instead of failing mid-way. */
  writeSync<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }


  /** Calls fn, turning a SQLite error into a StoreError. */
  guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      const failure = dbFailure(err, this.path);
      if (failure) throw new StoreError(failure);
      throw err;
    }
  }

  /** Whether a transaction is open on this connection. */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  get userVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  set userVersion(v: number) {
    this.db.pragma(`user_version = ${Math.floor(v)}`);
  }

  pragma(name: string): unknown {
    return this.db.pragma(name, { simple: true });
  }

  /** Moves the WAL into the database file and truncates it; `busy` when a reader kept part of it. */
  checkpoint(): { busy: boolean; walPages: number; checkpointed: number } {
    const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    return { busy: r!.busy === 1, walPages: Math.max(0, r!.log), checkpointed: Math.max(0, r!.checkpointed) };
  }

  /** `PRAGMA integrity_check`: ['ok'], or the problems found. */
  integrityCheck(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  vacuum(): void {
    this.db.exec('VACUUM');
  }

  /** An online backup to `dest` through SQLite's backup API: consistent while others write. */
  async backup(dest: string): Promise<void> {
    await this.db.backup(dest);
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

/**
 * The failure a SQLite error stands for, with the database path and what to do; null for errors
 * that are not the database's (bugs: a bad SQL string, a constraint the code should have avoided).
 */
export function dbFailure(err: unknown, path: string): Failure | null {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const detail = (err as Error).message;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return {
      kind: 'db.busy',
      message: `database ${path} is locked by another connection (${detail}): this work is retried later; if it lasts, look for a long transaction (an open sqlite3 shell, a backup)`,
    };
  }
  if (code === 'SQLITE_FULL') {
    return {
      kind: 'db.full',
      message: `database ${path} is full (${detail}); ${freeSpace(path)}: free disk space (or raise the file size limit), then run again; nothing was lost`,
    };
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return {
      kind: 'db.corrupt',
      message: `database ${path} is damaged (${detail}): stop aiwins, run \`aiwins db check\` (PRAGMA integrity_check), and restore the last backup (\`aiwins db backup FILE\` makes one)`,
    };
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PROTOCOL') {
    return {
      kind: 'db.io',
      message: `cannot read or write database ${path} (${code}: ${detail}); ${freeSpace(path)}: check the disk, its permissions and free space, then run again`,
    };
  }
  return null;
}

/** "N MB free on the disk of PATH", or why that could not be measured. */
export function freeSpace(path: string): string {
  try {
    const s = statfsSync(dirname(resolve(path)));
    return `${Math.floor((s.bavail * s.bsize) / 1024 / 1024)} MB free on the disk of ${dirname(resolve(path))}`;
  } catch {
    return `free space of ${dirname(resolve(path))} unknown`;
  }
}
