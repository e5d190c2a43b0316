/**
 * A second connection to a test's database, for what the Store does not offer: counting rows to
 * assert on, corrupting or filling the file, and holding a write transaction as an editor's
 * `sqlite3` shell or a backup would. Tests read state through the Store or through this helper.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Connection } from '../../src/store/db.ts';

export interface DbProbe {
  /** The first column of the first row of a query. */
  value<T = number>(sql: string, ...params: unknown[]): T;
  all<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  run(sql: string, ...params: unknown[]): void;
  /** Takes the write lock (BEGIN IMMEDIATE) until the returned function is called. */
  holdWriteLock(): () => void;
  integrityCheck(): string[];
  close(): void;
}

export function probeDb(path: string): DbProbe {
  const c = Connection.open(path, { mustExist: true, busyTimeoutMs: 30_000 });
  return {
    value: (sql, ...params) => Object.values(c.get<Record<string, unknown>>(sql, ...params) ?? {})[0] as never,
    all: (sql, ...params) => c.all(sql, ...params),
    run: (sql, ...params) => void c.run(sql, ...params),
    holdWriteLock() {
      c.exec('BEGIN IMMEDIATE');
      return () => c.exec('COMMIT');
    },
    integrityCheck: () => c.integrityCheck(),
    close: () => c.close(),
  };
}

/** Overwrites every page after the first two with garbage, keeping the header valid: a damaged database. */
export function corruptPages(path: string): void {
  const bytes = readFileSync(path);
  const size = bytes.readUInt16BE(16);
  const pageSize = size === 1 ? 65536 : size;
  for (let off = pageSize * 2; off < bytes.length; off++) bytes[off] = (off * 7919) & 0xff;
  writeFileSync(path, bytes);
}
