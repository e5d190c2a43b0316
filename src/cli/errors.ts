/**
 * Exit codes (the README has the table): 0 done, even with failures recorded on feeds and items;
 * 1 could not run, or a fault of the LLM endpoint or the database stopped the run; 2 invalid
 * config or usage, or a missing database for a command that only reads.
 */
export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;

/** A problem the user must fix before the command can run; printed without a stack trace. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** For JSON logs: what kind of problem, and its parts (each config error). */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
