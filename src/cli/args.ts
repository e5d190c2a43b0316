/**
 * Parsers of command-line values, given to commander (`.argument(name, text, parser)`,
 * `.option(flags, text, parser)`): a wrong value is refused while the command line is parsed,
 * before anything is opened, with a sentence naming the argument, what it expects and what it got.
 * commander prints it (with the usage after it) and the program exits 2, as for any usage error.
 */
import { InvalidArgumentError } from './commander.ts';

/** The number `raw` spells when it is a positive whole number ("12"; not "0", "-3", "1.5", "1e3" or "0x10"), else null. */
export function positiveWhole(raw: string): number | null {
  const n = Number(raw);
  return /^\d+$/.test(raw.trim()) && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** A positive whole number (a story or issue id, a position). */
export function positiveInt(what: string, expected = 'expected a positive whole number'): (raw: string) => number {
  return (raw) => {
    const n = positiveWhole(raw);
    if (n === null) throw new InvalidArgumentError(`${what}: ${expected}, got "${raw}"`);
    return n;
  };
}

/** A story id: the argument of show, approve, reject and reopen. */
export const storyId = positiveInt('ID', 'expected a story number');

/** Each value of a variadic argument or option (`<ids...>`), collected in order. */
export function each<T>(parse: (raw: string) => T): (raw: string, previous: T[] | undefined) => T[] {
  return (raw, previous) => [...(previous ?? []), parse(raw)];
}

/** Story ids separated by commas: "1,2,3". */
export function storyIdList(what: string): (raw: string) => number[] {
  return (raw) =>
    raw.split(',').map((part) => {
      const n = positiveWhole(part);
      if (n === null) throw new InvalidArgumentError(`${what}: expected story numbers separated by commas, got "${raw}"`);
      return n;
    });
}

/** A date, as a day (2026-11-01) or an ISO 8601 time; `example` is shown when it is not one. */
export function calendarDate(what: string, example: string): (raw: string) => Date {
  return (raw) => {
    const date = new Date(raw);
    if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`${what}: expected a date such as ${example}, got "${raw}"`);
    return date;
  };
}

/** One of a fixed set of words (a status, a reason code, a format). */
export function oneOf<T extends string>(what: string, values: readonly T[]): (raw: string) => T {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new InvalidArgumentError(`${what}: expected one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  };
}

/** A number from 0 to 1 (a rate, a threshold). */
export function fraction(what: string): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${what}: expected a number from 0 to 1, got "${raw}"`);
    return n;
  };
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
