/**
 * The logger of a command on stderr: JSON events or text lines, every string redacted and stripped
 * of control characters. Kept apart from the formatters (output.ts) and the run's progress
 * (progress.ts) so every command can log without loading either.
 */
import { createRequire } from 'node:module';
import type { Logger as PinoLogger } from 'pino';
import { stripControlChars } from '../core/terminal.ts';
import { redactUrlsIn } from '../fetch/redact.ts';

/** How log events are written on stderr: one JSON object per line, or a line of text. */
export type LogFormat = 'json' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

/** What a program reading the log filters on: run, feed and item ids, the failure kind... */
export type LogFields = Record<string, unknown>;

/** The one logger of a command. Every string it writes is redacted and stripped of control characters. */
export interface Logger {
  readonly format: LogFormat;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/**
 * The logger of a command: `json` writes one pino object per event (for cron logs and log
 * shippers), `text` one `ISO-TIME message` line. pino is loaded on the first JSON event, so
 * commands that log nothing do not pay for it.
 */
export function createLogger(out: NodeJS.WritableStream, format: LogFormat): Logger {
  if (format === 'text') {
    // Fields are for machines; a person reading text gets the message (and a stack, when --debug asked for one).
    const line = (msg: string, fields?: LogFields) =>
      void out.write(`${new Date().toISOString()} ${logSafe(msg)}${typeof fields?.stack === 'string' ? `\n${logSafe(fields.stack)}` : ''}\n`);
    return { format, info: line, warn: line, error: line };
  }
  let pino: PinoLogger | null = null;
  const logger = (): PinoLogger => {
    if (!pino) {
      const create = createRequire(import.meta.url)('pino') as typeof import('pino').default;
      pino = create(
        {
          base: null,
          timestamp: create.stdTimeFunctions.isoTime,
          formatters: { level: (label) => ({ level: label }) },
        },
        out,
      );
    }
    return pino;
  };
  return {
    format,
    info: (msg, fields = {}) => logger().info(logSafe(fields) as object, logSafe(msg) as string),
    warn: (msg, fields = {}) => logger().warn(logSafe(fields) as object, logSafe(msg) as string),
    error: (msg, fields = {}) => logger().error(logSafe(fields) as object, logSafe(msg) as string),
  };
}

/** The format when none is asked for: text on a terminal (with the progress line), JSON for cron and pipes. */
export function defaultLogFormat(stream: { isTTY?: boolean }): LogFormat {
  return stream.isTTY ? 'text' : 'json';
}

/** A value with every string's URLs redacted and control characters stripped, for a log. */
function logSafe(value: unknown): unknown {
  if (typeof value === 'string') return stripControlChars(redactUrlsIn(value));
  if (Array.isArray(value)) return value.map(logSafe);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, logSafe(v)]));
  }
  return value;
}

/** A message about an unexpected error: its stack only when asked (`--debug`), never in a cron log by default. */
export function describeBug(err: unknown, debug: boolean): { msg: string; fields: LogFields } {
  const message = err instanceof Error ? err.message : String(err);
  if (debug && err instanceof Error && err.stack) return { msg: `unexpected error: ${message}`, fields: { kind: 'bug', stack: err.stack } };
  return { msg: `unexpected error: ${message} (run again with --debug for the stack trace)`, fields: { kind: 'bug' } };
}
