/**
 * The backends a store test runs on. SQLite always; PostgreSQL when the server the machine runs
 * (127.0.0.1:5432, trust authentication, user postgres; AIWINS_TEST_PG to name another) answers,
 * and always under CI=true, where a missing server fails the run instead of skipping. Each test
 * gets a database of its own, made here and dropped by `remove`, so files run in parallel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { openStore, type OpenStoreOptions, type Store } from '../../src/store/index.ts';
import { postgresAvailable, createTestDatabase, dropTestDatabase } from './postgres.ts';

export type Backend = 'sqlite' | 'postgres';

/** The backends this run tests: both where PostgreSQL answers (or CI requires it), else SQLite. */
export const BACKENDS: readonly Backend[] = (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];

/** `describe` once per backend, the backend in the name: `store (postgres) > ...`. */
export function describeEachBackend(name: string, fn: (backend: Backend) => void): void {
  for (const backend of BACKENDS) describe(`${name} (${backend})`, () => fn(backend));
}

/** A database of its own on `backend`: where it is (a file path or a postgres:// URL), and its removal. */
export interface TempDatabase {
  readonly backend: Backend;
  /** What --db and openStore take. */
  readonly location: string;
  open(opts?: OpenStoreOptions): Promise<Store>;
  /** Drops the database (closing what `open` opened first). */
  remove(): Promise<void>;
}

export async function tempDatabase(backend: Backend): Promise<TempDatabase> {
  const opened: Store[] = [];
  let location: string;
  let drop: () => Promise<void>;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'aiwins-store-'));
    location = join(dir, 'aiwins.db');
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    location = await createTestDatabase();
    drop = () => dropTestDatabase(location);
  }
  return {
    backend,
    location,
    open: async (opts) => {
      const s = await openStore(location, opts);
      opened.push(s);
      return s;
    },
    remove: async () => {
      for (const s of opened.splice(0)) await s.close().catch(() => {});
      await drop();
    },
  };
}
