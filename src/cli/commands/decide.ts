import { userInfo } from 'node:os';
import type { Command } from '../commander.ts';
import { EditorialError, REASON_CODES, type DecisionAction, type ReasonCode } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { EXIT_INVALID, UsageError } from '../errors.ts';

/** The story id argument of the review commands: an unknown one is a usage error (exit 2). */
function storyIdOrExit(id: string): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`ID: expected a story number, got "${id}"`, EXIT_INVALID);
  return n;
}

/** Appends one editor decision from the terminal and prints the new status (or the story with --json). */
async function decideFromCli(
  ctx: CliContext,
  id: string,
  decision: { action: DecisionAction; reason?: ReasonCode; note?: string },
  json: boolean | undefined,
): Promise<void> {
  const n = storyIdOrExit(id);
  await ctx.withStore('write', async (db) => {
    try {
      await db.editorial.decide(n, { ...decision, by: `${userInfo().username} (cli)`, now: new Date() });
    } catch (err) {
      // Exit 2 for what the editor can act on: an unknown story, a missing reason, a story already sent (final).
      if (err instanceof EditorialError) throw new UsageError(ctx.namingDb(err.message), EXIT_INVALID);
      throw err;
    }
    const story = (await db.stories.get(n))!;
    process.stdout.write(json ? JSON.stringify(story, null, 2) + '\n' : `story ${n}: ${story.status}\n`);
  });
}

export function registerDecideCommands(program: Command, ctx: CliContext): void {
  program
    .command('approve')
    .description("approve a story's current version (a later re-draft leaves the approval on this version)")
    .argument('<id>', 'story id')
    .option('--note <text>', 'a note for the record')
    .option('--json', 'print the story as JSON')
    .action((id: string, opts: { note?: string; json?: boolean }) => decideFromCli(ctx, id, { action: 'approve', note: opts.note }, opts.json));

  program
    .command('reject')
    .description('reject a story, with a reason code')
    .argument('<id>', 'story id')
    .requiredOption('--reason <code>', `why: ${REASON_CODES.join(', ')}`)
    .option('--note <text>', 'a note for the record')
    .option('--json', 'print the story as JSON')
    .action((id: string, opts: { reason: string; note?: string; json?: boolean }) => {
      if (!(REASON_CODES as readonly string[]).includes(opts.reason)) {
        throw new UsageError(`--reason: expected one of ${REASON_CODES.join(', ')}, got "${opts.reason}"`, EXIT_INVALID);
      }
      return decideFromCli(ctx, id, { action: 'reject', reason: opts.reason as ReasonCode, note: opts.note }, opts.json);
    });

  program
    .command('reopen')
    .description('make an approved or rejected story a candidate again (the earlier decisions stay on record)')
    .argument('<id>', 'story id')
    .option('--json', 'print the story as JSON')
    .action((id: string, opts: { json?: boolean }) => decideFromCli(ctx, id, { action: 'reopen' }, opts.json));
}
