import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Command } from '../commander.ts';
import type { CliContext } from '../context.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from '../errors.ts';
import { feedsJson, formatFeeds, jsonOutput } from '../output.ts';

export function registerFeedsCommands(program: Command, ctx: CliContext): void {
  const feedsCommand = program
    .command('feeds')
    .description("each feed's status: last fetch, HTTP status, next check, error, item counts")
    .option('--json', 'print a JSON array')
    .action(async (opts: { json?: boolean }) => {
      await ctx.withStore('read', async (db) => {
        const { feedValue } = await import('../../core/feed-report.ts');
        const [feeds, decisions, tokens, prices] = await Promise.all([db.feeds.statuses(), db.editorial.decisionsByFeed(), db.drafts.tokensByFeed(), ctx.prices()]);
        const reports = feeds.map((f) => ({ ...f, ...feedValue(decisions.get(f.id), tokens.filter((t) => t.feedId === f.id), prices.pricing, prices.model) }));
        process.stdout.write(opts.json ? jsonOutput(feedsJson(reports), 2) : formatFeeds(reports));
      });
    });

  feedsCommand
    .command('import')
    .description('add the feeds of an OPML file to the config file (comments kept; existing URLs skipped)')
    .argument('<file>', 'an OPML file, as feed readers export')
    .action(async (file: string) => {
      let opml: string;
      try {
        opml = readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`, EXIT_FAILED);
      }
      const { addFeedsToConfigText, parseOpml } = await import('../../config/opml.ts');
      const feeds = parseOpml(opml);
      if (!feeds.ok) throw new UsageError(`${file}: ${feeds.failure.message}`, EXIT_INVALID);
      const configPath = ctx.globals().config;
      let configText = '';
      try {
        configText = readFileSync(configPath, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const merged = addFeedsToConfigText(configText, feeds.value);
      if (!merged.ok) throw new UsageError(`${configPath}: ${merged.failure.message}`, EXIT_INVALID);
      // Written to a temp file and renamed, so a crash never leaves half a config.
      const tmp = `${configPath}.${process.pid}.tmp`;
      writeFileSync(tmp, merged.value.text);
      renameSync(tmp, configPath);
      process.stdout.write(`added ${merged.value.added} feeds to ${configPath}\n`);
      for (const s of merged.value.skipped) process.stdout.write(`  skipped ${s.url}: ${s.reason}\n`);
      for (const u of merged.value.uncategorized) {
        process.stdout.write(`  ${u.url}: folder "${u.folder}" is not one of the categories; added without a category\n`);
      }
    });

  feedsCommand
    .command('export')
    .description('print the configured feeds as OPML 2.0')
    .action(async () => {
      const config = await ctx.config();
      const { renderOpml } = await import('../../config/opml.ts');
      process.stdout.write(renderOpml(config.feeds));
    });
}
