import { accessSync, constants, existsSync } from 'node:fs';
import { Connection, StoreOpenError } from './db.ts';
import { MIGRATIONS, migrate } from './migrations.ts';
import { sqliteFeeds, type FeedStore } from './feeds.ts';
import { sqliteItems, type ItemStore } from './items.ts';
import { sqliteArticles, type ArticleStore } from './articles.ts';
import { sqliteDrafts, type DraftStore } from './drafts.ts';
import { sqliteRuns, type RunStore } from './runs.ts';
import { sqliteStories, type StoryStore } from './stories.ts';
import { sqliteCoverage, type CoverageStore } from './coverage.ts';
import { sqliteEditorial, type EditorialStore } from './editorial.ts';
import { sqliteUsers, type UserStore } from './users.ts';
import { sqliteIssues, type IssueStore } from './issues.ts';
import { sqliteTrials, type TrialStore } from './trials.ts';

/**
 * The store: everything aiwins keeps, as one typed object. Its methods take and return domain
 * values (camelCase, dates as Dates), each is one transaction, and each returns a promise even
 * over the synchronous SQLite binding: this is the interface a second backend (PostgreSQL)
 * implements. Methods are grouped by table, one file per table. A method that fails for a reason
 * of the database (locked, full, I/O, corrupt) rejects with a StoreError carrying a `db.*` failure.
 */
export interface Store {
  /** The database file. */
  readonly path: string;
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
  /** Moves the write-ahead log into the database and truncates it (done at the end of each run). */
  checkpoint(): Promise<{ busy: boolean; walPages: number; checkpointed: number }>;
  /** `PRAGMA integrity_check`: ['ok'] when sound, else the problems found. */
  check(): Promise<string[]>;
  /** Rebuilds the file, returning the space of deleted rows to the disk. */
  vacuum(): Promise<void>;
  /** A consistent copy to `dest` while others keep writing (SQLite's online backup). */
  backup(dest: string): Promise<void>;
  close(): Promise<void>;
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
}

/** Opens the SQLite store at `path`; rejects with a StoreOpenError whose message says what to do. */
export async function openStore(path: string, opts: OpenStoreOptions = {}): Promise<Store> {
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

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function sqliteStore(db: Connection): Store {
  return {
    path: db.path,
    feeds: sqliteFeeds(db),
    items: sqliteItems(db),
    articles: sqliteArticles(db),
    drafts: sqliteDrafts(db),
    runs: sqliteRuns(db),
    stories: sqliteStories(db),
    coverage: sqliteCoverage(db),
    editorial: sqliteEditorial(db),
    users: sqliteUsers(db),
    issues: sqliteIssues(db),
    trials: sqliteTrials(db),
    checkpoint: async () => db.guard(() => db.checkpoint()),
    check: async () => db.guard(() => db.integrityCheck()),
    vacuum: async () => db.guard(() => db.vacuum()),
    backup: async (dest) => {
      try {
        await db.backup(dest);
      } catch (err) {
        db.guard(() => {
          throw err;
        });
      }
    },
    close: async () => db.close(),
  };
}
