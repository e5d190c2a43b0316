/** The database of a command: opened from --db with the access it needs. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isPostgresUrl, NoDatabaseError, openStore, redactUrl, StoreError, type PostgresOptions, type Store } from '../store/index.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from './errors.ts';

/** `check` reads the database as it is, without migrating it. */
export type StoreAccess = 'write' | 'read' | 'check';

/** --db as messages name it: a SQLite file as a full path, a PostgreSQL URL without its password. */
export const dbNamed = (db: string): string => (isPostgresUrl(db) ? redactUrl(db) : resolve(db));

/**
 * Whether --db may hold a database a command that only reads can look in: a SQLite file that
 * exists, or any PostgreSQL URL (whether it holds aiwins' tables is known once connected).
 */
const mayHoldDb = (db: string): boolean => isPostgresUrl(db) || existsSync(db);

/**
 * The store at `db` (a SQLite file or a postgres:// URL). Commands that only read never create a
 * database: a missing one is a usage error naming it, and a file the user may not write is read as
 * it is. A server that does not answer is `db.unavailable`: exit 1, the next run resumes.
 */
export async function openCliStore(db: string, access: StoreAccess, postgres?: PostgresOptions): Promise<Store> {
  if (access !== 'write' && !mayHoldDb(db)) {
    throw new UsageError(`no database at ${resolve(db)}: check --db (or AIWINS_DB); \`aiwins run\` creates it`, EXIT_INVALID);
  }
  try {
    // A check reads the database as it is: no migration writes to one that may be damaged.
    return await openStore(db, { ...(access === 'check' ? { access: 'read', migrate: false } : { access }), postgres });
  } catch (err) {
    throw openFailure(err, db);
  }
}

/** Why the database at `db` could not be opened, as the usage error (message, exit code) a command ends with. */
function openFailure(err: unknown, db: string): UsageError {
  if (err instanceof NoDatabaseError) return new UsageError(err.message, EXIT_INVALID);
  if (err instanceof StoreError) return new UsageError(err.message, EXIT_FAILED, { kind: err.failure.kind });
  return new UsageError(`cannot open database ${dbNamed(db)}: ${(err as Error).message}`, EXIT_FAILED);
}

/**
 * The store at `db` opened for reading, or null when there is no database there yet: no file, or a
 * PostgreSQL database without aiwins' tables. Any other failure ends the command as openCliStore's does.
 */
export async function openCliStoreIfAny(db: string, postgres?: PostgresOptions): Promise<Store | null> {
  if (!mayHoldDb(db)) return null;
  try {
    return await openStore(db, { access: 'read', postgres });
  } catch (err) {
    if (err instanceof NoDatabaseError) return null;
    throw openFailure(err, db);
  }
}

/**
 * Runs `fn` with the store at `db`, and closes the store when `fn` is done, also when it
 * throws: the one way a command that opens the database and ends opens it.
 */
export async function withStore<T>(access: StoreAccess, db: string, fn: (store: Store) => Promise<T>, postgres?: PostgresOptions): Promise<T> {
  const store = await openCliStore(db, access, postgres);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
