/** The SQLite store: one file per table, plain functions over a better-sqlite3 handle. */
export { openDb, migrate, write, StoreOpenError, type Db } from './db.ts';
export * from './feeds.ts';
export * from './items.ts';
export * from './drafts.ts';
export * from './runs.ts';
export * from './stories.ts';
export * from './issues.ts';
