/**
 * Says once per run whether the PostgreSQL tests run. Without a server (and outside CI) they are
 * skipped, and this is the one line that says so; under CI=true a missing server fails the run
 * here, before any test, with what to start.
 */
import { ADMIN_URL, postgresAvailable } from './helpers/postgres.ts';

const SAID = Symbol.for('aiwins.test.postgres');

export default async function setup(): Promise<void> {
  const shared = globalThis as { [SAID]?: Promise<void> };
  await (shared[SAID] ??= postgresAvailable().then((available) => {
    if (!available) {
      process.stdout.write(
        `\nPostgreSQL at ${new URL(ADMIN_URL).host} did not answer: the PostgreSQL tests are skipped, the SQLite ones run ` +
          `(start the server, or set AIWINS_TEST_PG=postgres://...; under CI=true they are required)\n\n`,
      );
    }
  }));
}
