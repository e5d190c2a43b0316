import type { Command } from '../commander.ts';
import type { CliContext } from '../context.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from '../errors.ts';

export function registerExtractCommand(program: Command, ctx: CliContext): void {
  program
    .command('extract')
    .description('extract article text from saved HTML (never fetched): one FILE with --url, or JSON lines {"id","url","path"} on stdin with --batch')
    .argument('[file]', 'an HTML file (UTF-8, or as its <meta charset> says)')
    .option('--url <url>', "the page's URL: base for links and metadata (never fetched)")
    .option('--batch', 'read JSON lines on stdin, write one JSON line per request, in order')
    .action(async (file: string | undefined, opts: { url?: string; batch?: boolean }) => {
      const { extractAnswer, extractFile, runExtractBatch } = await import('../../extract/index.ts');
      if (opts.batch) {
        await runExtractBatch(process.stdin, process.stdout);
        return;
      }
      if (!file || !opts.url) throw new UsageError('extract: give --url URL FILE, or --batch to read requests on stdin', EXIT_INVALID);
      // Text the quality gate refuses is printed too, with its verdict in "gate"; exit 1 only without text.
      const answer = extractAnswer(await extractFile(file, opts.url));
      process.stdout.write(JSON.stringify(answer) + '\n');
      if ('error' in answer) process.exitCode = EXIT_FAILED;
    });
}
