/**
 * The SQLite backend of a `Db`: Kysely's SQLite dialect over the one better-sqlite3 connection of
 * `Connection`, whose prepared statements are kept by their SQL text (Kysely's own driver would
 * prepare each statement again on every call).
 */
import { Kysely, SqliteDialect } from 'kysely';
import type { Connection } from './db.ts';
import type { Schema } from './schema.ts';
import { Tx, type Db } from './sql.ts';

export function sqliteDb(conn: Connection): Db {
  const k = new Kysely<Schema>({
    dialect: new SqliteDialect({
      // Closing is the Connection's, not Kysely's: the maintenance calls use it too.
      database: { prepare: (sql: string) => conn.statement(sql), close: () => {} },
    }),
  });

  /**
   * A transaction on the single connection. Kysely's driver holds a mutex while a connection is
   * out, so two async store calls of this process never interleave inside one transaction; other
   * processes wait on SQLite's busy timeout at BEGIN IMMEDIATE, as before.
   */
  const transaction = <T>(begin: string, fn: (tx: Tx) => Promise<T>): Promise<T> =>
    k.connection().execute(async (c) => {
      conn.guard(() => conn.exec(begin));
      try {
        const result = await fn(new Tx(c, 'sqlite'));
        conn.guard(() => conn.exec('COMMIT'));
        return result;
      } catch (err) {
        if (conn.inTransaction) conn.exec('ROLLBACK');
        return conn.guard(() => {
          throw err;
        });
      }
    });

  return {
    dialect: 'sqlite',
    read: (fn) => transaction('BEGIN DEFERRED', fn),
    write: (fn) => transaction('BEGIN IMMEDIATE', fn),
    close: async () => {
      await k.destroy();
    },
  };
}
