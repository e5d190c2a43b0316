import type { Command } from '../commander.ts';
import type { IssueChange, IssueStore } from '../../store/index.ts';
import { each, positiveInt } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT_INVALID, UsageError } from '../errors.ts';
import { formatIssue, formatIssueList, issueJson, jsonOutput } from '../output.ts';

/** An issue number on the command line. */
export const issueNumber = positiveInt('issue');

/** The issue a command works on: the one named, else the current draft issue. */
export async function issueNumberOrCurrent(ctx: CliContext, issues: IssueStore, named: number | undefined): Promise<number> {
  if (named !== undefined) return named;
  const current = await issues.currentDraft();
  if (!current) throw new UsageError(`no draft issue in ${ctx.dbShown()}: open one with \`aiwins issue new\`, or name an issue number`, EXIT_INVALID);
  return current.number;
}

/** Prints a changed issue, or exits 2 with the reason nothing changed. */
async function printIssueChange(ctx: CliContext, issues: IssueStore, change: IssueChange, json?: boolean): Promise<void> {
  if (!change.ok) throw new UsageError(ctx.namingDb(change.message), EXIT_INVALID);
  const full = (await issues.withStories(change.issue.number))!;
  process.stdout.write(json ? jsonOutput(issueJson(full), 2) : formatIssue(full));
}

/**
 * What `issue add`, `move`, `remove` and `send` share: open the store, find the issue (the one
 * named, else the current draft), make the change, print the issue or why nothing changed.
 */
async function changeIssue(
  ctx: CliContext,
  named: number | undefined,
  json: boolean | undefined,
  change: (issues: IssueStore, number: number) => Promise<IssueChange>,
): Promise<void> {
  await ctx.withStore('write', async (db) => {
    const number = await issueNumberOrCurrent(ctx, db.issues, named);
    await printIssueChange(ctx, db.issues, await change(db.issues, number), json);
  });
}

export function registerIssueCommands(program: Command, ctx: CliContext): void {
  const issueCommand = program
    .command('issue')
    .description('newsletter issues: an ordered set of approved stories (new, add, move, remove, show, send, list)');

  issueCommand
    .command('new')
    .description('open a draft issue proposing the approved stories not yet sent, grouped by category, newest first')
    .option('--title <title>', "the issue's title (its email subject)")
    .option('--empty', 'open it without proposing stories')
    .option('--json', 'print the issue as JSON')
    .action(async (opts: { title?: string; empty?: boolean; json?: boolean }) => {
      await ctx.withStore('write', async (db) => {
        const issues = db.issues;
        const { proposeIssueOrder } = await import('../../export/index.ts');
        const storyIds = opts.empty ? [] : proposeIssueOrder(await issues.unsentApproved());
        const change = await issues.create({ title: opts.title?.trim() || null, storyIds, now: new Date() });
        await printIssueChange(ctx, issues, change, opts.json);
      });
    });

  issueCommand
    .command('add')
    .description('add approved stories to the end of the draft issue')
    .argument('<ids...>', 'story ids', each(positiveInt('ID')))
    .option('--issue <n>', 'the issue (default: the current draft issue)', issueNumber)
    .option('--json', 'print the issue as JSON')
    .action(async (storyIds: number[], opts: { issue?: number; json?: boolean }) => {
      await changeIssue(ctx, opts.issue, opts.json, (issues, number) => issues.add(number, storyIds));
    });

  issueCommand
    .command('move')
    .description('move a story to another position in the draft issue')
    .argument('<id>', 'story id', positiveInt('ID'))
    .requiredOption('--to <position>', 'its new position, 1 being the top', positiveInt('--to'))
    .option('--issue <n>', 'the issue (default: the current draft issue)', issueNumber)
    .option('--json', 'print the issue as JSON')
    .action(async (storyId: number, opts: { to: number; issue?: number; json?: boolean }) => {
      await changeIssue(ctx, opts.issue, opts.json, (issues, number) => issues.move(number, storyId, opts.to));
    });

  issueCommand
    .command('remove')
    .description('take a story out of the draft issue')
    .argument('<id>', 'story id', positiveInt('ID'))
    .option('--issue <n>', 'the issue (default: the current draft issue)', issueNumber)
    .option('--json', 'print the issue as JSON')
    .action(async (storyId: number, opts: { issue?: number; json?: boolean }) => {
      await changeIssue(ctx, opts.issue, opts.json, (issues, number) => issues.remove(number, storyId));
    });

  issueCommand
    .command('show')
    .description('an issue and its stories in order (default: the current draft issue)')
    .argument('[n]', 'issue number', issueNumber)
    .option('--json', 'print the issue and its stories as JSON')
    .action(async (n: number | undefined, opts: { json?: boolean }) => {
      await ctx.withStore('read', async (db) => {
        const issues = db.issues;
        const number = await issueNumberOrCurrent(ctx, issues, n);
        const full = await issues.withStories(number);
        if (!full) throw new UsageError(`no issue ${number} in ${ctx.dbShown()} (see \`aiwins issue list\`)`, EXIT_INVALID);
        process.stdout.write(opts.json ? jsonOutput(issueJson(full), 2) : formatIssue(full));
      });
    });

  issueCommand
    .command('list')
    .description('every issue, newest first')
    .option('--json', 'print a JSON array')
    .action(async (opts: { json?: boolean }) => {
      await ctx.withStore('read', async (db) => {
        const list = await db.issues.list();
        process.stdout.write(opts.json ? jsonOutput(list.map(issueJson), 2) : formatIssueList(list));
      });
    });

  issueCommand
    .command('send')
    .description('mark an issue sent: it is frozen, each story keeping the version that was approved')
    .argument('<n>', 'issue number', issueNumber)
    .option('--json', 'print the issue as JSON')
    .action(async (n: number, opts: { json?: boolean }) => {
      await changeIssue(ctx, n, opts.json, (issues, number) => issues.send(number, new Date()));
    });
}
