/**
 * A whole store copied into another, table by table, either backend to either backend (SQLite to
 * PostgreSQL to move a desk onto a server, and back). Rows keep their ids, so everything that names
 * a story, a version or an issue by number still does. The search index is not copied: each
 * backend's triggers build it from the rows as they are inserted.
 *
 * Each table is verified by its row count and a content hash computed the same way on both sides:
 * rows in primary-key order (compared in JavaScript, not by a collation that differs between
 * backends), each as a canonical JSON of its values, JSON columns parsed and re-serialised with
 * sorted keys and timestamps as `toISOString()`, so jsonb's and timestamptz's own text forms hash
 * as SQLite's do.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from './store.ts';
import type { Tx } from './sql.ts';

/** A table to copy: its primary key (to order rows by) and the columns that hold JSON. */
interface CopiedTable {
  name: string;
  key: readonly string[];
  json?: readonly string[];
  /** A column that may name a later row of the same table: inserted NULL, then set once every row is in. */
  selfReference?: string;
}

/**
 * Every table of the store, in an order where each row's references are already in the copy.
 * Drafts (based_on) and the rest refer only to earlier ids of their own table, so id order does.
 */
export const COPIED_TABLES: readonly CopiedTable[] = [
  { name: 'feeds', key: ['id'], json: ['parse_warnings'] },
  { name: 'stories', key: ['id'], selfReference: 'source_item_id' },
  { name: 'articles', key: ['item_id'] },
  { name: 'runs', key: ['id'], json: ['summary'] },
  { name: 'drafts', key: ['id'], json: ['takeaways', 'framing', 'body', 'implications', 'unsupported_claims', 'judgement'] },
  { name: 'lease', key: ['name'] },
  { name: 'decisions', key: ['id'] },
  { name: 'users', key: ['id'] },
  { name: 'sessions', key: ['token_hash'] },
  { name: 'login_attempts', key: ['id'] },
  { name: 'issues', key: ['id'] },
  { name: 'issue_stories', key: ['issue_id', 'item_id'] },
  { name: 'trials', key: ['id'] },
  { name: 'trial_drafts', key: ['trial_id', 'item_id'], json: ['draft'] },
  { name: 'evaluations', key: ['id'], json: ['result'] },
  { name: 'story_signatures', key: ['item_id'], json: ['signature'] },
  { name: 'story_bands', key: ['band', 'item_id'] },
  { name: 'coverage', key: ['item_id'] },
  { name: 'coverage_splits', key: ['item_id', 'story_id'] },
];

/**
 * Timestamps, by name: every column ending in `at` or `_until` is one (timestamptz on PostgreSQL),
 * and no other column is. copy.test.ts holds this against PostgreSQL's catalog.
 */
export const isTimeColumn = (column: string): boolean => /(^|_)at$|_until$/.test(column);

/** Rows moved per statement: well under either backend's limit on bound parameters (drafts have 30 columns). */
const BATCH = 500;

/** One table's verification: rows on each side and whether they and the hashes agree. */
export interface TableCopy {
  table: string;
  rows: number;
  /** The first 16 hex digits of the source's content hash. */
  hash: string;
  ok: boolean;
  /** The destination's count and hash, when they differ from the source's. */
  dest?: { rows: number; hash: string };
}

/** The destination already holds aiwins rows: nothing was written. */
export class DestinationNotEmptyError extends Error {
  constructor(
    readonly location: string,
    readonly tables: readonly string[],
  ) {
    super(`${location} is not empty (rows in ${tables.join(', ')}): copy into a new SQLite file or an empty PostgreSQL database (nothing was written)`);
  }
}

type Row = Record<string, unknown>;

/** The store's tables (of those copied) that exist and hold at least one row. */
export async function tablesWithRows(tx: Tx): Promise<string[]> {
  const present = new Set(
    (
      await tx.all<{ name: string }>(
        tx.dialect === 'sqlite'
          ? sql`SELECT name FROM sqlite_master WHERE type = 'table'`
          : sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
      )
    ).map((r) => r.name),
  );
  const full: string[] = [];
  for (const t of COPIED_TABLES) {
    if (present.has(t.name) && (await tx.get(sql`SELECT 1 AS one FROM ${sql.table(t.name)} LIMIT 1`))) full.push(t.name);
  }
  return full;
}

/**
 * Copies every row of `source` into `dest`, whose schema is current and which must hold no rows
 * (else DestinationNotEmptyError, nothing written). The source is read in one snapshot, and the
 * destination written in one transaction, so a copy is whole or absent. Then each table is verified;
 * `onTable` hears each as it is done. Returns the verification of every table.
 */
export async function copyStore(source: Store, dest: Store, onTable: (t: TableCopy) => void = () => {}): Promise<TableCopy[]> {
  const copied = await source.db.read((src) =>
    dest.db.write(async (dst) => {
      const full = await tablesWithRows(dst);
      if (full.length > 0) throw new DestinationNotEmptyError(dest.location, full);
      const digests = new Map<string, TableDigest>();
      for (const table of COPIED_TABLES) digests.set(table.name, await copyTable(src, dst, table));
      if (dst.dialect === 'postgres') await restartIdentities(dst);
      return digests;
    }),
  );
  // A bulk load leaves PostgreSQL's planner without statistics until autovacuum comes by: the
  // desk's first searches on a copied database would be planned blind. ANALYZE gives it them now.
  if (dest.dialect === 'postgres') await dest.db.write((dst) => dst.run(sql`ANALYZE`));
  const results: TableCopy[] = [];
  await dest.db.read(async (dst) => {
    for (const table of COPIED_TABLES) {
      const from = copied.get(table.name)!;
      const to = await digestOf(dst, table, () => {});
      const ok = from.rows === to.rows && from.hash === to.hash;
      const result: TableCopy = { table: table.name, rows: from.rows, hash: from.hash, ok, ...(ok ? {} : { dest: to }) };
      results.push(result);
      onTable(result);
    }
  });
  return results;
}

/** A table's row count and content hash (first 16 hex digits). */
interface TableDigest {
  rows: number;
  hash: string;
}

/** Copies one table in batches, in key order; returns the source's digest of what it copied. */
async function copyTable(src: Tx, dst: Tx, table: CopiedTable): Promise<TableDigest> {
  const later: Row[] = [];
  const digest = await digestOf(src, table, async (batch) => {
    const rows = table.selfReference ? batch.map((r) => ({ ...r, [table.selfReference!]: null })) : batch;
    await insertRows(dst, table.name, rows);
    if (table.selfReference) later.push(...batch.filter((r) => r[table.selfReference!] !== null));
  });
  for (const r of later) {
    const column = sql.ref(table.selfReference!);
    await dst.run(sql`UPDATE ${sql.table(table.name)} SET ${column} = ${r[table.selfReference!]} WHERE id = ${r.id}`);
  }
  return digest;
}

async function insertRows(tx: Tx, table: string, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const values = rows.map((r) => sql`(${sql.join(columns.map((c) => r[c]))})`);
  await tx.run(sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) VALUES ${sql.join(values)}`);
}

/**
 * Reads a table in batches in key order, handing each batch to `each`, and returns its digest.
 * Each row's digest is kept with its key; the table's hash is over them in key order as JavaScript
 * compares keys, so a text key sorts the same whichever backend's collation read it.
 */
async function digestOf(tx: Tx, table: CopiedTable, each: (batch: Row[]) => void | Promise<void>): Promise<TableDigest> {
  const order = sql.join(table.key.map((c) => sql.ref(c)));
  const keyed: { key: unknown[]; digest: Buffer }[] = [];
  for (let offset = 0; ; offset += BATCH) {
    const batch = await tx.all<Row>(sql`SELECT * FROM ${sql.table(table.name)} ORDER BY ${order} LIMIT ${BATCH} OFFSET ${offset}`);
    for (const r of batch) keyed.push({ key: table.key.map((c) => r[c]), digest: createHash('sha256').update(canonicalRow(r, table)).digest() });
    await each(batch);
    if (batch.length < BATCH) break;
  }
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  const hash = createHash('sha256');
  for (const k of keyed) hash.update(k.digest);
  return { rows: keyed.length, hash: hash.digest('hex').slice(0, 16) };
}

function compareKeys(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i], b[i]];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** A row as canonical JSON: columns sorted, JSON parsed, times as toISOString(), so both backends' text of one row is one string. */
export function canonicalRow(row: Row, table: { json?: readonly string[] }): string {
  const out: Row = {};
  for (const column of Object.keys(row).sort()) {
    const v = row[column];
    if (typeof v === 'string' && table.json?.includes(column)) out[column] = sortedKeys(parseOr(v));
    else if (typeof v === 'string' && isTimeColumn(column)) out[column] = isoOr(v);
    else out[column] = v;
  }
  return JSON.stringify(out);
}

const parseOr = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const isoOr = (text: string): string => {
  const t = Date.parse(text);
  return Number.isNaN(t) ? text : new Date(t).toISOString();
};

/** A JSON value with every object's keys in sorted order (jsonb keeps its own order, not the writer's). */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortedKeys((v as Row)[k])]),
    );
  }
  return v;
}

/** PostgreSQL's identity columns start past the ids copied in, so the next row gets a new id. */
async function restartIdentities(tx: Tx): Promise<void> {
  for (const t of COPIED_TABLES) {
    if (t.key.length !== 1 || t.key[0] !== 'id') continue;
    await tx.get(sql`SELECT setval(pg_get_serial_sequence(${t.name}, 'id'), MAX(id)) AS v FROM ${sql.table(t.name)}`);
  }
}
