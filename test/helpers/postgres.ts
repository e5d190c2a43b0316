/**
 * The PostgreSQL server of the tests: whether it answers, and a database per test made and dropped
 * on it. The server is the machine's (127.0.0.1:5432, user postgres, trust authentication), or the
 * one AIWINS_TEST_PG names (a postgres:// URL of a database to connect to for creating others).
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const ADMIN_URL = process.env.AIWINS_TEST_PG || 'postgres://postgres@127.0.0.1:5432/postgres';
const required = process.env.CI === 'true';

let available: Promise<boolean> | undefined;

/**
 * Whether the PostgreSQL tests run: true when the server answers. When it does not, CI=true makes
 * that an error (the tests are required there); elsewhere they are skipped (the global setup says
 * so once per run).
 */
export function postgresAvailable(): Promise<boolean> {
  available ??= probe().then((error) => {
    if (error === null) return true;
    if (required) throw new Error(`PostgreSQL at ${redact(ADMIN_URL)} is required under CI=true but did not answer: ${error}`);
    return false;
  });
  return available;
}

/** Null when the server answers; else why not. */
export async function probe(): Promise<string | null> {
  const c = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message || String((err as { code?: string }).code);
  } finally {
    await c.end().catch(() => {});
  }
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new, empty database; returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const name = `aiwins_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createTestDatabase, ending any connection still open to it. */
export async function dropTestDatabase(location: string): Promise<void> {
  const name = new URL(location).pathname.slice(1);
  if (!/^aiwins_test_\w+$/.test(name)) throw new Error(`not a test database: ${name}`);
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

const redact = (u: string): string => {
  const url = new URL(u);
  if (url.password) url.password = '***';
  return url.toString();
};
