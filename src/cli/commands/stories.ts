import { Option, type Command } from '../commander.ts';
import { DUPLICATE_STATUS, REVIEW_STATUSES, WORK_STATUSES, type ItemStatus } from '../../store/index.ts';
import { stripControlChars } from '../../core/terminal.ts';
import { oneOf, storyId } from '../args.ts';
import type { CliContext } from '../context.ts';
import { EXIT_FAILED, UsageError } from '../errors.ts';
import { formatDraftHistory, formatStory, formatStoryList, jsonOutput } from '../output.ts';

export function registerStoriesCommands(program: Command, ctx: CliContext): void {
  program
    .command('stories')
    .description('list drafted stories (with --all: pending and failed items too)')
    .option(
      '--status <status>',
      'only stories with this status (candidate, approved, rejected, pending, failed, deferred, blocked, duplicate)',
      oneOf<ItemStatus>('--status', [...REVIEW_STATUSES, ...WORK_STATUSES, DUPLICATE_STATUS]),
    )
    .option('--all', 'include items that are pending or failed')
    .option('--json', 'print a JSON array')
    .action(async (opts: { status?: ItemStatus; all?: boolean; json?: boolean }) => {
      await ctx.withStore('read', async (db) => {
        const stories = await db.stories.list({ status: opts.status, all: opts.all });
        process.stdout.write(opts.json ? jsonOutput(stories, 2) : formatStoryList(stories));
      });
    });

  program
    .command('show')
    .description('one story, readable')
    .argument('<id>', 'story id (from `aiwins stories`)', storyId)
    .option('--json', 'print the story as JSON')
    .option('--history', 'every draft of the story, oldest first (engine, prompt version, model), to compare them')
    .addOption(new Option('--format <format>', 'the story as the newsletter prints it').choices(['markdown', 'html', 'text']))
    .action(async (n: number, opts: { json?: boolean; history?: boolean; format?: 'markdown' | 'html' | 'text' }) => {
      await ctx.withStore('read', async (db) => {
        const found = await db.stories.getWithArticle(n);
        if (!found) throw new UsageError(`no story ${n} in ${ctx.dbShown()} (see \`aiwins stories --all\`)`, EXIT_FAILED);
        if (opts.history) {
          const drafts = await db.drafts.history(n);
          process.stdout.write(opts.json ? jsonOutput(drafts, 2) : formatDraftHistory(drafts, await ctx.prices()));
          return;
        }
        if (opts.format) {
          const { newsletterStory, renderHtml, renderMarkdown, renderText } = await import('../../render/index.ts');
          const shown = newsletterStory(found.story, await ctx.newsletterSettings());
          if (!shown) throw new UsageError(`story ${n} has no draft yet (status ${found.story.status}); nothing to render`, EXIT_FAILED);
          const render = { markdown: renderMarkdown, html: renderHtml, text: renderText }[opts.format];
          // The renderers are pure; what reaches a terminal loses its control characters here, as all output does.
          process.stdout.write(stripControlChars(render(shown)));
          return;
        }
        process.stdout.write(opts.json ? jsonOutput(found.story, 2) : formatStory(found.story, found.article, await ctx.prices()));
      });
    });
}
