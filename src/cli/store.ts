/** The database of a command: opened from --db with the access it needs. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isPostgresUrl, openStore, StoreError, type Store } from '../store/index.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from './errors.ts';

/** `check` reads the file as it is, without migrating it. */
export type StoreAccess = 'write' | 'read' | 'check';

/**
 * The store at `dbPath`. Commands that only read never create a database: a missing one is a usage
 * error naming the path, and a file the user may not write is read as it is.
 */
export async function openCliStore(dbPath: string, access: StoreAccess): Promise<Store> {
  // A PostgreSQL database is asked whether it has aiwins' tables when opened (openStore says so if not).
  if (access !== 'write' && !isPostgresUrl(dbPath) && !existsSync(dbPath)) {
    throw new UsageError(`no database at ${resolve(dbPath)}: check --db (or AIWINS_DB); \`aiwins run\` creates it`, EXIT_INVALID);
  }
  try {
    // A check reads the file as it is: no migration writes to a database that may be damaged.
    return await openStore(dbPath, access === 'check' ? { access: 'read', migrate: false } : { access });
  } catch (err) {
    if (err instanceof StoreError) throw new UsageError(err.message, EXIT_FAILED);
    throw new UsageError(`cannot open database ${dbPath}: ${(err as Error).message}`, EXIT_FAILED);
  }
}

/**
 * Runs `fn` with the store at `dbPath`, and closes the store when `fn` is done, also when it
 * throws: the one way a command that opens the database and ends opens it.
 */
export async function withStore<T>(access: StoreAccess, dbPath: string, fn: (db: Store) => Promise<T>): Promise<T> {
  const db = await openCliStore(dbPath, access);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
