/** What the command line gives: its values checked, a wrong one a usage error (exit 2). */
import { EXIT_INVALID, UsageError } from './errors.ts';

/** A positive whole number from the command line (a story or issue id, a position), else exit 2. */
export function positiveInt(what: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`${what}: expected a positive whole number, got "${raw}"`, EXIT_INVALID);
  }
  return n;
}

/** Whether `raw` is an absolute http(s) URL (a link aiwins writes must be one). */
export function isHttpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
