/**
 * What a --db value names, without loading a database driver: a command on a SQLite file never
 * loads node-postgres (its start-up time is the README's), and one on a postgres:// URL never
 * needs better-sqlite3.
 */

/** Whether `location` (a --db value) names a PostgreSQL database rather than a SQLite file. */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

/** The URL without its password, for messages and logs. */
export function redactUrl(location: string): string {
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return location.replace(/:[^:@/]*@/, ':***@');
  }
}

/** "host:port" of a URL, as messages name the server. */
export function serverOf(location: string): string {
  try {
    const url = new URL(location);
    return `${url.hostname || 'localhost'}:${url.port || '5432'}`;
  } catch {
    return 'the server';
  }
}
