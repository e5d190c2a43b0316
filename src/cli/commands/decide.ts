import { userInfo } from 'node:os';
import type { Command } from '../commander.ts';
import { EditorialError, REASON_CODES, type DecisionAction, type ReasonCode } from '../../store/index.ts';
import { oneOf, storyId } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT_INVALID, UsageError } from '../errors.ts';

/** Appends one editor decision from the terminal and prints the new status (or the story with --json). */
async function decideFromCli(
  ctx: CliContext,
  n: number,
  decision: { action: DecisionAction; reason?: ReasonCode; note?: string },
  json: boolean | undefined,
): Promise<void> {
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
    .argument('<id>', 'story id', storyId)
    .option('--note <text>', 'a note for the record')
    .option('--json', 'print the story as JSON')
    .action((id: number, opts: { note?: string; json?: boolean }) => decideFromCli(ctx, id, { action: 'approve', note: opts.note }, opts.json));

  program
    .command('reject')
    .description('reject a story, with a reason code')
    .argument('<id>', 'story id', storyId)
    .requiredOption('--reason <code>', `why: ${REASON_CODES.join(', ')}`, oneOf('--reason', REASON_CODES))
    .option('--note <text>', 'a note for the record')
    .option('--json', 'print the story as JSON')
    .action((id: number, opts: { reason: ReasonCode; note?: string; json?: boolean }) =>
      decideFromCli(ctx, id, { action: 'reject', reason: opts.reason, note: opts.note }, opts.json),
    );

  program
    .command('reopen')
    .description('make an approved or rejected story a candidate again (the earlier decisions stay on record)')
    .argument('<id>', 'story id', storyId)
    .option('--json', 'print the story as JSON')
    .action((id: number, opts: { json?: boolean }) => decideFromCli(ctx, id, { action: 'reopen' }, opts.json));
}
