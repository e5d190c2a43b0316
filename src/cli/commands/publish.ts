import { Option, type Command } from '../commander.ts';
import type { CliContext } from '../context.ts';
import { issueNumber } from './issue.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from '../errors.ts';
import { jsonOutput } from '../output.ts';

export function registerPublishCommand(program: Command, ctx: CliContext): void {
  program
    .command('publish')
    .description('create a DRAFT of an issue on Buttondown (an email) or Ghost (a post); nothing is sent')
    .argument('<n>', 'issue number', issueNumber)
    .addOption(new Option('--to <target>', 'where the draft goes').choices(['buttondown', 'ghost']).makeOptionMandatory())
    .option('--json', 'print {target, id, url} as JSON')
    .action(async (number: number, opts: { to: 'buttondown' | 'ghost'; json?: boolean }) => {
      const config = await ctx.config();
      // The store is closed before the platform is called: a slow platform holds no database open.
      const input = await ctx.withStore('read', async (db) => {
        const full = await db.issues.withStories(number);
        if (!full) throw new UsageError(`no issue ${number} in ${ctx.dbShown()} (see \`aiwins issue list\`)`, EXIT_INVALID);
        const { issueDocument, issueSubject, renderIssueHtml } = await import('../../export/index.ts');
        const doc = issueDocument(full, full.stories);
        return { subject: issueSubject(doc, config.newsletter), html: renderIssueHtml(doc, config.newsletter) };
      });
      const { publishIssue } = await import('../../export/publish.ts');
      const result = await publishIssue(opts.to, input, { ...config.publish, env: process.env });
      if (!result.ok) {
        const exit = result.failure.kind === 'publish.not_configured' ? EXIT_INVALID : EXIT_FAILED;
        throw new UsageError(`publish to ${opts.to}: ${result.failure.kind}: ${result.failure.message}`, exit);
      }
      const p = result.value;
      if (opts.json) process.stdout.write(jsonOutput(p));
      else process.stdout.write(`created a draft on ${p.target} (id ${p.id})${p.url ? `: ${p.url}` : ''}; nothing was sent\n`);
    });
}
