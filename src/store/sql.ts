/**
 * What the table files write their queries against, whichever database holds the store: a `Db`
 * gives out transactions, and a `Tx` runs queries inside one. Queries are Kysely's: the typed
 * builder (`tx.k.selectFrom(...)`) or a `sql` template, whose `${value}` parts become bound
 * parameters in the dialect's own placeholders (`?` for SQLite, `$1` for PostgreSQL). The few
 * statements that differ between the dialects (search, JSON fields) ask `tx.dialect`.
 */
import { CompiledQuery, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

/** A query: a Kysely `sql` template or a query built from `tx.k`. */
export type Query = RawBuilder<unknown> | Compilable<unknown>;

/** One transaction's queries. Valid only inside the `read` or `write` call that gave it. */
export class Tx {
  constructor(
    /** The query builder, bound to this transaction. */
    readonly k: Kysely<Schema>,
    readonly dialect: Dialect,
  ) {}

  private compiled(q: Query): CompiledQuery {
    return isRaw(q) ? q.compile(this.k) : q.compile();
  }

  /** Every row the query returns. */
  async all<T>(q: Query): Promise<T[]> {
    return (await this.k.executeQuery<T>(this.compiled(q))).rows;
  }

  /** The first row, or undefined when there is none. */
  async get<T>(q: Query): Promise<T | undefined> {
    return (await this.all<T>(q))[0];
  }

  /** Runs a statement; returns how many rows it inserted, changed or deleted. */
  async run(q: Query): Promise<number> {
    const r = await this.k.executeQuery(this.compiled(q));
    return Number(r.numAffectedRows ?? 0n);
  }
}

const isRaw = (q: Query): q is RawBuilder<unknown> => (q as { isRawBuilder?: boolean }).isRawBuilder === true;

/**
 * A database that holds a store. `write` is one transaction in which this process is the only
 * writer (SQLite's BEGIN IMMEDIATE; on PostgreSQL an advisory lock every writer takes first; it may
 * be run again after a deadlock with another program, so `fn` must do nothing but queries);
 * `read` is one consistent snapshot. Both reject with a StoreError carrying a `db.*` failure when
 * the database fails.
 */
export interface Db {
  readonly dialect: Dialect;
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
