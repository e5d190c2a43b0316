import { renameSync, writeFileSync } from 'node:fs';
import { Option, type Command } from '../commander.ts';
import type { Issue } from '../../store/index.ts';
import type { ExportFormat } from '../../export/index.ts';
import { calendarDate, isHttpUrl } from '../args.ts';
import type { CliContext } from '../context.ts';
import { issueNumber, issueNumberOrCurrent } from './issue.ts';
import { EXIT_INVALID, UsageError } from '../errors.ts';

export function registerExportCommand(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('an issue (default: the current draft issue) or approved stories in a newsletter or feed format')
    .argument('[n]', 'issue number', issueNumber)
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'html', 'text', 'json', 'rss', 'atom', 'jsonfeed']).makeOptionMandatory())
    .option('--out <file>', 'write to this file instead of stdout')
    .addOption(new Option('--status <status>', 'export stories outside any issue: approved (and sent) stories').choices(['approved']))
    .option('--since <date>', 'with --status: only stories published on or after this date (YYYY-MM-DD or ISO 8601)', calendarDate('--since', '2026-11-01'))
    .option('--feed-url <url>', 'rss, atom, jsonfeed: the URL the feed will be served from, written as its self link')
    .action(async (n: number | undefined, opts: { format: string; out?: string; status?: string; since?: Date; feedUrl?: string }) => {
      if (opts.since && !opts.status) throw new UsageError('--since goes with --status approved', EXIT_INVALID);
      if (opts.feedUrl !== undefined && !isHttpUrl(opts.feedUrl)) {
        throw new UsageError(`--feed-url: expected an http(s) URL such as https://example.org/feed.xml, got "${opts.feedUrl}"`, EXIT_INVALID);
      }
      if (opts.status && n !== undefined) throw new UsageError('give an issue number or --status approved, not both', EXIT_INVALID);
      const since = opts.since ?? null;
      const config = await ctx.config();
      await ctx.withStore('read', async (db) => {
        const { issueDocument, renderExport } = await import('../../export/index.ts');
        const issues = db.issues;
        let issue: Issue | null = null;
        let doc;
        if (opts.status) {
          doc = { number: null, title: null, date: null, stories: await issues.feedStories({ since }) };
        } else {
          const full = await issues.withStories(await issueNumberOrCurrent(ctx, issues, n));
          if (!full) throw new UsageError(`no issue ${n} in ${ctx.dbShown()} (see \`aiwins issue list\`)`, EXIT_INVALID);
          issue = full;
          doc = issueDocument(full, full.stories);
        }
        const out = renderExport(opts.format as ExportFormat, issue, doc, config.newsletter, { feedUrl: opts.feedUrl ? new URL(opts.feedUrl).href : null });
        if (!out.ok) throw new UsageError(out.failure.message, EXIT_INVALID);
        if (opts.out) {
          // Written to a temp file and renamed, so a reader never sees half an export.
          const tmp = `${opts.out}.${process.pid}.tmp`;
          writeFileSync(tmp, out.value);
          renameSync(tmp, opts.out);
          process.stderr.write(`wrote ${opts.out} (${Buffer.byteLength(out.value)} bytes)\n`);
        } else {
          process.stdout.write(out.value);
        }
      });
    });
}
