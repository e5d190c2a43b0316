import { accessSync, constants, existsSync } from 'node:fs';
import { Connection, StoreOpenError } from './db.ts';
import { MIGRATIONS, migrate } from './migrations.ts';
import { feedStore, type FeedStore } from './feeds.ts';
import { itemStore, type ItemStore } from './items.ts';
import { articleStore, type ArticleStore } from './articles.ts';
import { draftStore, type DraftStore } from './drafts.ts';
import { runStore, type RunStore } from './runs.ts';
import { storyStore, type StoryStore } from './stories.ts';
import { coverageStore, type CoverageStore } from './coverage.ts';
import { editorialStore, type EditorialStore } from './editorial.ts';
import { userStore, type UserStore } from './users.ts';
import { issueStore, type IssueStore } from './issues.ts';
import { trialStore, type TrialStore } from './trials.ts';
import { sqliteDb } from './sqlite-db.ts';
import { sqliteSpoolDir } from './spool.ts';
import type { Db, Dialect } from './sql.ts';
import type { PostgresOptions } from './postgres.ts';
import { isPostgresUrl } from './location.ts';
import { NoDatabaseError, StoreError } from './db.ts';
import { join } from 'node:path';

/**
 * The store: everything aiwins keeps, as one typed object. Its methods take and return domain
 * values (camelCase, dates as Dates), each is one transaction, and each returns a promise even
 * over the synchronous SQLite binding: this is the interface a second backend (PostgreSQL)
 * implements. Methods are grouped by table, one file per table. A method that fails for a reason
 * of the database (locked, full, I/O, corrupt) rejects with a StoreError carrying a `db.*` failure.
 */
export interface Store {
  /** Where the store lives, for messages: the database file, or the server's URL without its password. */
  readonly location: string;
  readonly dialect: Dialect;
  /**
   * The database under the table files, for work on whole tables that no table file owns: copies
   * (copy.ts) and maintenance. Everything else goes through the methods below.
   */
  readonly db: Db;
  readonly feeds: FeedStore;
  readonly items: ItemStore;
  readonly articles: ArticleStore;
  readonly drafts: DraftStore;
  readonly runs: RunStore;
  readonly stories: StoryStore;
  /** The same story from several outlets: signatures, copies attached to stories, splits, the chosen source. */
  readonly coverage: CoverageStore;
  /** Editors' side: versions, decisions, the review queue and its search. */
  readonly editorial: EditorialStore;
  /** Editors who log in to the desk, their sessions and login attempts. */
  readonly users: UserStore;
  readonly issues: IssueStore;
  /** Prompt trials: drafts made to compare prompts, never shown as stories. */
  readonly trials: TrialStore;
  /** What keeping the database in shape means on its backend: checks, backups, the end of a run. */
  readonly maintenance: Maintenance;
  close(): Promise<void>;
}

/**
 * The operator's side of a store, which differs by backend. Every backend checks, vacuums and
 * backs up; a SQLite file also moves its write-ahead log into the file after each run.
 */
export interface Maintenance {
  readonly backend: Dialect;
  /** Done at the end of each run (SQLite: a WAL checkpoint; PostgreSQL: nothing, autovacuum keeps it). */
  afterRun(): Promise<void>;
  /** ['ok'] when sound, else the problems found. */
  check(): Promise<string[]>;
  /** Returns the space of deleted rows (SQLite: rebuilds the file; PostgreSQL: VACUUM ANALYZE). */
  vacuum(): Promise<void>;
  /** A consistent copy to `dest` while others keep writing. */
  backup(dest: string): Promise<void>;
}

/** SQLite's maintenance, with the checkpoint itself for the tests and the CLI that report on it. */
export interface SqliteMaintenance extends Maintenance {
  readonly backend: 'sqlite';
  /** Moves the write-ahead log into the database and truncates it. */
  checkpoint(): Promise<{ busy: boolean; walPages: number; checkpointed: number }>;
}

export interface OpenStoreOptions {
  /**
   * 'write' (default) creates the database and applies migrations. 'read' is for commands that
   * only read: a missing database is an error (nothing is created), and a file the user may not
   * write is opened read-only.
   */
  access?: 'write' | 'read';
  /** How long a write waits for another connection's lock (default 5 s). */
  busyTimeoutMs?: number;
  /** Apply pending migrations (default true); false opens the file as it is, e.g. to check it. */
  migrate?: boolean;
  /** A limit on the file's size, in pages (SQLite's max_page_count): writes past it fail as on a full disk. */
  maxPageCount?: number;
  /** PostgreSQL's pool size and timeouts (config \`database\`). */
  postgres?: PostgresOptions;
  /** Where paid drafts the database refused wait for the next run (default: beside a SQLite file; data/HOST-PORT-DB.spool for PostgreSQL). */
  spoolDir?: string;
}

/**
 * Opens the store at `location`: a postgres:// (or postgresql://) URL names a PostgreSQL database,
 * anything else a SQLite file. Rejects with a StoreOpenError whose message says what to do.
 */
export async function openStore(location: string, opts: OpenStoreOptions = {}): Promise<Store> {
  return isPostgresUrl(location) ? openPostgresStore(location, opts) : openSqliteStore(location, opts);
}

async function openSqliteStore(path: string, opts: OpenStoreOptions): Promise<Store> {
  const reading = opts.access === 'read';
  const readonly = reading && existsSync(path) && !writable(path);
  const db = Connection.open(path, { mustExist: reading, readonly, busyTimeoutMs: opts.busyTimeoutMs, maxPageCount: opts.maxPageCount });
  try {
    if (opts.migrate === false) {
      // opened as it is
    } else if (!readonly) migrate(db);
    else if (db.userVersion < MIGRATIONS.length) {
      throw new StoreOpenError({
        kind: 'db.io',
        message: `database ${path} is read-only and needs an upgrade (schema ${db.userVersion} of ${MIGRATIONS.length}): run \`aiwins run\` once with write access`,
      });
    }
  } catch (err) {
    db.close();
    throw err;
  }
  return sqliteStore(db);
}

async function openPostgresStore(location: string, opts: OpenStoreOptions): Promise<Store> {
  // Loaded only here: a SQLite store never loads node-postgres.
  const { migratePostgres, postgresDb, postgresMaintenance } = await import('./postgres.ts');
  const db = postgresDb(location, opts.postgres);
  try {
    const state = await migratePostgres(db, opts.migrate !== false && opts.access !== 'read');
    if (opts.access === 'read' && opts.migrate !== false && state.applied === 0) {
      throw new NoDatabaseError({ kind: 'db.io', message: `no aiwins database at ${db.location}: check --db (or AIWINS_DB); \`aiwins run\` creates its tables` });
    }
    if (opts.access === 'read' && opts.migrate !== false && state.applied < state.known) {
      throw new StoreOpenError({
        kind: 'db.io',
        message: `database ${db.location} needs an upgrade (schema ${state.applied} of ${state.known}): run \`aiwins run\` once`,
      });
    }
  } catch (err) {
    await db.close();
    if (err instanceof StoreError && !(err instanceof StoreOpenError)) throw new StoreOpenError(err.failure);
    throw err;
  }
  const url = new URL(location);
  const spoolDir = opts.spoolDir ?? join('data', `${url.hostname}-${url.port || '5432'}-${url.pathname.slice(1) || 'postgres'}.spool`);
  return composeStore(db, { location: db.location, maintenance: postgresMaintenance(db, location), spoolDir, close: () => db.close() });
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function sqliteStore(conn: Connection): Store {
  const db = sqliteDb(conn);
  const maintenance: SqliteMaintenance = {
    backend: 'sqlite',
    checkpoint: async () => conn.guard(() => conn.checkpoint()),
    afterRun: async () => {
      await maintenance.checkpoint();
    },
    check: async () => conn.guard(() => conn.integrityCheck()),
    vacuum: async () => conn.guard(() => conn.vacuum()),
    backup: async (dest) => {
      try {
        await conn.backup(dest);
      } catch (err) {
        conn.guard(() => {
          throw err;
        });
      }
    },
  };
  return composeStore(
    db,
    {
      location: conn.path,
      maintenance,
      spoolDir: sqliteSpoolDir(conn.path),
      close: async () => {
        await db.close();
        conn.close();
      },
    },
  );
}

interface BackendParts {
  location: string;
  maintenance: Maintenance;
  spoolDir: string;
  close(): Promise<void>;
}

/** One store over either backend: the table files see only `db`. */
function composeStore(db: Db, parts: BackendParts): Store {
  return {
    location: parts.location,
    dialect: db.dialect,
    db,
    feeds: feedStore(db),
    items: itemStore(db),
    articles: articleStore(db),
    drafts: draftStore(db, parts.spoolDir),
    runs: runStore(db),
    stories: storyStore(db),
    coverage: coverageStore(db),
    editorial: editorialStore(db),
    users: userStore(db),
    issues: issueStore(db),
    trials: trialStore(db),
    maintenance: parts.maintenance,
    close: parts.close,
  };
}
