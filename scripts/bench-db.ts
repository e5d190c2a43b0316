/**
 * The databases a benchmark runs on: a fresh one per backend. SQLite is a file in the bench's work
 * folder; PostgreSQL is a database made for the run on the server a `--db postgres://...` URL names
 * (through an admin connection to that URL), and dropped at the end: on success, on failure, and on
 * Ctrl-C or SIGTERM, so no benchmark leaves a database behind on the server.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { isPostgresUrl } from '../src/store/location.ts';

export type BenchBackend = 'sqlite' | 'postgres';

/** The backends of a run: SQLite always; PostgreSQL too when `--db` gives a postgres:// URL. */
export function benchBackends(db: string | undefined): BenchBackend[] {
  if (db === undefined) return ['sqlite'];
  if (!isPostgresUrl(db)) {
    console.error(`--db: expected a postgres:// URL of a server to make a bench database on (SQLite always runs, in a temp folder), got ${db}`);
    process.exit(2);
  }
  return ['sqlite', 'postgres'];
}

/** A URL without its password, for printing. */
export function redactUrl(location: string): string {
  const url = new URL(location);
  if (url.password) url.password = '***';
  return url.toString();
}

const NAME = /^aiwins_bench_\w+$/;
/** Databases made and not dropped yet, dropped by a stop signal before the process ends. */
const made = new Map<string, string>();

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

async function drop(serverUrl: string, name: string): Promise<void> {
  if (!NAME.test(name)) throw new Error(`not a bench database: ${name}`);
  // FORCE ends the connections a server under test may still hold (a desk killed mid-request).
  await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  made.delete(name);
}

let signalsHooked = false;
function dropOnSignal(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: dropping ${[...made.keys()].join(', ') || 'no bench database'}`);
      void Promise.allSettled([...made].map(([name, server]) => drop(server, name))).finally(() => process.exit(130));
    });
  }
}

/**
 * Runs `fn` on a new, empty database on the server of `serverUrl` (named aiwins_bench_<pid>_<tag>),
 * and drops it afterwards whatever happened. `fn` gets the database's URL (what --db takes).
 */
export async function withBenchDatabase<T>(serverUrl: string, tag: string, fn: (location: string) => Promise<T>): Promise<T> {
  dropOnSignal();
  const name = `aiwins_bench_${process.pid}_${tag}_${randomBytes(3).toString('hex')}`;
  if (!NAME.test(name)) throw new Error(`bad bench database tag: ${tag}`);
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  made.set(name, serverUrl);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await drop(serverUrl, name).catch((err: Error) => console.error(`could not drop bench database ${name}: ${err.message} (drop it by hand)`));
  }
}
