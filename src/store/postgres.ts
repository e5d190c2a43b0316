/**
 * The PostgreSQL backend of a `Db`: a node-postgres pool under Kysely's PostgreSQL dialect. Rows
 * come back in the shape the table files read from SQLite (see schema.ts): timestamptz as ISO 8601
 * text in UTC, jsonb as its JSON text, bigint counts as numbers.
 *
 * Writers take turns, as on SQLite: each write transaction first takes one transaction-scoped
 * advisory lock, so the rules SQLite keeps by having one writer at a time (a claim checked and
 * taken, a lease, a version numbered, a login counted) hold here across processes and machines,
 * with no write failing for having raced another. SERIALIZABLE was tried first: with 16 feeds
 * storing their items at once, its predicate locks failed most of them after 8 retries
 * (`npm run bench:pipeline -- --db postgres://...`). Write transactions are a few statements each,
 * so taking turns costs little; reads are snapshots and never wait.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Failure } from '../core/failure.ts';
import { StoreError, StoreOpenError } from './db.ts';
import { PG_MIGRATIONS } from './pg-migrations.ts';
import type { Schema } from './schema.ts';
import { Tx, type Db } from './sql.ts';
import { redactUrl, serverOf } from './location.ts';
import type { Maintenance } from './store.ts';

/** The pool and timeouts of a PostgreSQL store (config `database`). */
export interface PostgresOptions {
  /** Connections this process keeps open at most (default 10). */
  poolSize?: number;
  /** A statement running longer than this is cancelled: `db.busy` (default 30 s; 0 for none). */
  statementTimeoutMs?: number;
  /** A statement waiting longer than this for a row or table lock gives up: `db.busy` (default 10 s). */
  lockTimeoutMs?: number;
  /** How long opening a connection may take before the server counts as unavailable (default 10 s). */
  connectTimeoutMs?: number;
}

// Rows as SQLite gives them: one type parser set per pool, never pg's global one.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.TIMESTAMPTZ) return (s: string) => new Date(s).toISOString();
    if (oid === pg.types.builtins.JSONB || oid === pg.types.builtins.JSON) return (s: string) => s;
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (s: string) => Number(s);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** The advisory lock every write transaction takes first: one writer at a time per database. */
const WRITE_LOCK = 'aiwins.write';

/**
 * How many times a write is run again after a deadlock or serialization failure (possible only
 * against other programs writing to the database, since aiwins' own writers take turns).
 */
const WRITE_ATTEMPTS = 8;

export interface PostgresDb extends Db {
  readonly location: string;
  readonly pool: pg.Pool;
  /** The kysely instance outside any transaction, for maintenance and copies. */
  readonly k: Kysely<Schema>;
  /** Calls fn, turning a PostgreSQL or connection error into a StoreError. */
  guard<T>(fn: () => Promise<T>): Promise<T>;
}

/** Connects to the database at `location` (a postgres:// URL); nothing is created or migrated yet. */
export function postgresDb(location: string, opts: PostgresOptions = {}): PostgresDb {
  const statementTimeout = opts.statementTimeoutMs ?? 30_000;
  const lockTimeout = opts.lockTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: location,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    statement_timeout: statementTimeout || undefined,
    lock_timeout: lockTimeout || undefined,
    application_name: 'aiwins',
    types,
  } as pg.PoolConfig);
  // A connection the server drops while idle in the pool is an 'error' on the pool: the next query
  // gets a new connection (or fails as db.unavailable). Without a listener it would crash the process.
  pool.on('error', () => {});
  // The same for a connection the server ends while it is checked out between two queries: the
  // next query on it fails (db.unavailable), which is where the store reports it.
  pool.on('connect', (client) => client.on('error', () => {}));
  // Whatever stops a connection from being made (refused, a database that does not accept
  // connections now, shutting down, bad credentials) means the server is unavailable to us; the
  // error alone does not always say it happened while connecting, so it is marked here.
  // pool.query() calls connect with a callback, Kysely with none: both forms are kept.
  const connect = pool.connect.bind(pool) as (cb?: (err: Error | undefined, client?: pg.PoolClient, done?: () => void) => void) => Promise<pg.PoolClient> | void;
  const marked = (err: unknown) => {
    if (err && typeof err === 'object') (err as { whileConnecting?: boolean }).whileConnecting = true;
    return err;
  };
  (pool as { connect: unknown }).connect = (cb?: (err: Error | undefined, client?: pg.PoolClient, done?: () => void) => void) =>
    cb ? connect((err, client, done) => cb(err && (marked(err) as Error), client, done)) : (connect() as Promise<pg.PoolClient>).catch((err: unknown) => Promise.reject(marked(err)));
  const k = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const where = redactUrl(location);

  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      const failure = pgFailure(err, location);
      if (failure) throw new StoreError(failure);
      throw err;
    }
  };

  return {
    dialect: 'postgres',
    location: where,
    pool,
    k,
    guard,
    read: (fn) =>
      guard(() =>
        k
          .transaction()
          .setIsolationLevel('repeatable read')
          .setAccessMode('read only')
          .execute((t) => fn(new Tx(t, 'postgres'))),
      ),
    write: async (fn) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await k.transaction().execute(async (t) => {
            // Held until commit or rollback; waiting past lock_timeout is db.busy.
            await sql`SELECT pg_advisory_xact_lock(hashtext(${WRITE_LOCK}))`.execute(t);
            return fn(new Tx(t, 'postgres'));
          });
        } catch (err) {
          const code = (err as { code?: unknown })?.code;
          if (typeof code === 'string' && RACE_CODES.has(code) && attempt < WRITE_ATTEMPTS) {
            await new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** attempt));
            continue;
          }
          return guard(() => Promise.reject(err));
        }
      }
    },
    close: async () => {
      await k.destroy();
      // Kysely ends the pool only if it ever used it; migrations and maintenance use it directly,
      // and an idle connection left open would keep the process alive for the idle timeout.
      if (!pool.ended) await pool.end();
    },
  };
}

/** SQLSTATEs of a transaction that lost a race to another: running it again is safe and will succeed. */
const RACE_CODES = new Set(['40001', '40P01']);

/**
 * The failure a PostgreSQL (or connection) error stands for, with the server and what to do; null
 * for errors that are not the database's (bugs: bad SQL, a constraint the code should have avoided).
 */
export function pgFailure(err: unknown, location: string): Failure | null {
  const code = (err as { code?: unknown })?.code;
  const detail = (err as Error)?.message ?? String(err);
  const server = serverOf(location);
  const where = redactUrl(location);
  if ((err as { whileConnecting?: boolean })?.whileConnecting) {
    return { kind: 'db.unavailable', message: `database server ${server} is unavailable (${detail || code}): check that PostgreSQL runs there and --db (${where}); the next run resumes` };
  }
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    if (RACE_CODES.has(code) || code === '55P03' || code === '57014') {
      return {
        kind: 'db.busy',
        message: `database ${where} is busy (${detail}): this work is retried later; if it lasts, look for a long transaction in pg_stat_activity`,
      };
    }
    if (code === '53100') {
      return { kind: 'db.full', message: `database ${where} is full (${detail}): free disk space on the server at ${server}, then run again; nothing was lost` };
    }
    if (code === 'XX001' || code === 'XX002') {
      return { kind: 'db.corrupt', message: `database ${where} is damaged (${detail}): stop aiwins, check the server at ${server}, and restore the last backup (pg_dump)` };
    }
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '3D000' || code.startsWith('28')) {
      return { kind: 'db.unavailable', message: `database server ${server} is unavailable (${detail}): check that PostgreSQL runs there and --db (${where}); the next run resumes` };
    }
    if (code.startsWith('53') || code.startsWith('58')) {
      return { kind: 'db.io', message: `database ${where} cannot read or write (${code}: ${detail}): check the server at ${server}, its disk and its log, then run again` };
    }
    return null;
  }
  // Errors of the connection itself: refused, reset, timed out, or ended by the server.
  if (
    (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE)$/.test(code)) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Cannot use a pool after calling end/i.test(detail)
  ) {
    return { kind: 'db.unavailable', message: `database server ${server} is unavailable (${detail || code}): check that PostgreSQL runs there and --db (${where}); the next run resumes` };
  }
  return null;
}

/** Where the schema stands: versions applied, and how many this aiwins knows. */
export interface SchemaState {
  applied: number;
  known: number;
}

const MIGRATION_LOCK = 'aiwins.migrate';

/**
 * Applies pending migrations, each in its own transaction, under a session advisory lock: two
 * processes starting at once take turns, and the second finds nothing left to do. A database whose
 * schema is newer than this aiwins is refused, never written.
 */
export async function migratePostgres(db: PostgresDb, apply = true): Promise<SchemaState> {
  return db.guard(async () => {
    const client = await db.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK]);
      try {
        // A reader never writes: it only looks for the table of versions; a writer makes it.
        if (apply) {
          await client.query(`CREATE TABLE IF NOT EXISTS aiwins_migrations (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
          )`);
        }
        const { rows: found } = await client.query<{ t: string | null }>(`SELECT to_regclass('aiwins_migrations')::text AS t`);
        const { rows } = found[0]?.t ? await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM aiwins_migrations') : { rows: [{ v: 0 }] };
        const applied = rows[0]?.v ?? 0;
        if (applied > PG_MIGRATIONS.length) {
          throw new StoreOpenError({
            kind: 'db.io',
            message: `database ${db.location} has schema version ${applied}, newer than this aiwins (${PG_MIGRATIONS.length}): upgrade aiwins`,
          });
        }
        if (!apply) return { applied, known: PG_MIGRATIONS.length };
        for (let v = applied + 1; v <= PG_MIGRATIONS.length; v++) {
          await client.query('BEGIN');
          try {
            await client.query(PG_MIGRATIONS[v - 1]!);
            await client.query('INSERT INTO aiwins_migrations (version) VALUES ($1)', [v]);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => {});
            throw err;
          }
        }
        return { applied: PG_MIGRATIONS.length, known: PG_MIGRATIONS.length };
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK]).catch(() => {});
      }
    } finally {
      client.release();
    }
  });
}

/**
 * PostgreSQL's maintenance. The server keeps its own files (autovacuum, checkpoints), so a run
 * needs nothing after it; a check reads every table and the schema's version; a backup is pg_dump's.
 */
export function postgresMaintenance(db: PostgresDb, location: string): Maintenance {
  return {
    backend: 'postgres',
    afterRun: async () => {},
    check: () =>
      db.guard(async () => {
        const problems: string[] = [];
        const state = await migratePostgres(db, false);
        if (state.applied < state.known) problems.push(`schema version ${state.applied} of ${state.known}: run \`aiwins run\` (or any writing command) once to upgrade`);
        const { rows } = await db.pool.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
        );
        // Reading every row of every table makes the server verify each page it reads (and its
        // checksum, where the cluster has data checksums on).
        for (const { table_name } of rows) {
          try {
            await db.pool.query(`SELECT count(*) FROM (SELECT * FROM ${pg.escapeIdentifier(table_name)}) t`);
          } catch (err) {
            const failure = pgFailure(err, location);
            if (failure?.kind === 'db.unavailable') throw err;
            problems.push(`table ${table_name}: ${(err as Error).message}`);
          }
        }
        return problems.length === 0 ? ['ok'] : problems;
      }),
    vacuum: () =>
      db.guard(async () => {
        await db.pool.query('VACUUM (ANALYZE)');
      }),
    backup: (dest) => pgDump(location, dest),
  };
}

/** pg_dump's custom format to `dest` (restore with pg_restore), or what to run when pg_dump is missing. */
async function pgDump(location: string, dest: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  const where = redactUrl(location);
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn('pg_dump', ['--format=custom', '--no-owner', `--file=${dest}`, `--dbname=${location}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new StoreError({
          kind: 'db.io',
          message:
            err.code === 'ENOENT'
              ? `pg_dump is not installed here: install PostgreSQL's client tools (Debian: postgresql-client), or run on a machine that has them: pg_dump --format=custom --file=${dest} '${where}'`
              : `pg_dump could not start (${err.message})`,
        }),
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new StoreError({ kind: 'db.io', message: `pg_dump of ${where} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}` })),
    );
  });
}
