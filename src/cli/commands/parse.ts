import type { Command } from '../commander.ts';
import type { CliContext } from '../context.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from '../errors.ts';

export function registerParseCommand(program: Command, ctx: CliContext): void {
  program
    .command('parse')
    .description('parse feed files (never fetched): one FILE, or JSON lines {"file","url"} on stdin with --batch')
    .argument('[file]', 'a file holding a feed\'s raw bytes')
    .option('--url <url>', 'base URL for relative links (never fetched)')
    .option('--batch', 'read JSON lines on stdin, write one JSON line per request, in order')
    .action(async (file: string | undefined, opts: { url?: string; batch?: boolean }) => {
      // Loaded per command: `aiwins stories` should not pay for the parsers, openai and the rest.
      const { parseFeedFile, runParseBatch } = await import('../../parse/batch.ts');
      if (opts.batch) return runParseBatch(process.stdin, process.stdout);
      if (!file) throw new UsageError('parse: give a FILE, or --batch to read requests on stdin', EXIT_INVALID);
      const result = await parseFeedFile(file, opts.url ?? null);
      process.stdout.write(JSON.stringify(result) + '\n');
      if (!result.ok) process.exitCode = EXIT_FAILED;
    });
}
