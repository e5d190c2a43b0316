/**
 * The aiwins program: its global options, its commands (one file per group under cli/commands/)
 * and how what ends a command is reported and turned into an exit code.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from './cli/commander.ts';
import { registerDbCommands } from './cli/commands/db.ts';
import { registerDecideCommands } from './cli/commands/decide.ts';
import { registerExportCommand } from './cli/commands/export.ts';
import { registerExtractCommand } from './cli/commands/extract.ts';
import { registerFeedsCommands } from './cli/commands/feeds.ts';
import { registerIssueCommands } from './cli/commands/issue.ts';
import { registerParseCommand } from './cli/commands/parse.ts';
import { registerPromptsCommands } from './cli/commands/prompts.ts';
import { registerPublishCommand } from './cli/commands/publish.ts';
import { registerRedraftCommand } from './cli/commands/redraft.ts';
import { registerRunCommand } from './cli/commands/run.ts';
import { registerScheduleCommand } from './cli/commands/schedule.ts';
import { registerServeCommand } from './cli/commands/serve.ts';
import { registerStoriesCommands } from './cli/commands/stories.ts';
import { registerUsersCommands } from './cli/commands/users.ts';
import { createCliContext } from './cli/context.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from './cli/errors.ts';
import { defaultLogFormat, describeBug, LOG_FORMATS } from './cli/log.ts';
import { stripControlChars } from './core/terminal.ts';
import { PipelineSetupError } from './pipeline/errors.ts';
import { StoreError } from './store/index.ts';

const program = new Command();
program
  .name('aiwins')
  .description('Feeds in, reviewed-ready AI news story drafts out.')
  .version(packageVersion(), '--version', 'print the version of aiwins')
  // The parser throws instead of exiting, so its own usage errors exit 2 like aiwins' (below);
  // set before the commands are added, which inherit it.
  .exitOverride()
  .addOption(new Option('--config <path>', 'config file').env('AIWINS_CONFIG').default('./feeds.yaml'))
  .addOption(new Option('--db <path|url>', 'the database: a SQLite file, or a postgres:// URL').env('AIWINS_DB').default('data/aiwins.db'))
  .addOption(
    new Option('--log-format <format>', 'stderr log: one JSON object per event, or text (default: text on a terminal, else json)')
      .choices(LOG_FORMATS)
      .env('AIWINS_LOG_FORMAT')
      .default(defaultLogFormat(process.stderr)),
  )
  .option('--debug', 'show stack traces of unexpected errors in the log')
  .showHelpAfterError();

/** This checkout's version, from package.json beside src/ and dist/ alike. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const ctx = createCliContext(program);
// In this order in `aiwins --help`.
registerRunCommand(program, ctx);
registerStoriesCommands(program, ctx);
registerFeedsCommands(program, ctx);
registerScheduleCommand(program, ctx);
registerServeCommand(program, ctx);
registerRedraftCommand(program, ctx);
registerDbCommands(program, ctx);
registerDecideCommands(program, ctx);
registerUsersCommands(program, ctx);
registerIssueCommands(program, ctx);
registerExportCommand(program, ctx);
registerPublishCommand(program, ctx);
registerExtractCommand(program, ctx);
registerParseCommand(program, ctx);
registerPromptsCommands(program, ctx);

/** A problem that ends the command: a line of text on a terminal, one JSON event in a log. */
function reportFatal(msg: string, fields: Record<string, unknown>): void {
  if (ctx.log().format === 'text') {
    const stack = typeof fields.stack === 'string' ? `\n${fields.stack}` : '';
    process.stderr.write(`aiwins: ${stripControlChars(msg + stack)}\n`);
  }
  else ctx.log().error(msg, fields);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // The parser has printed its message (and the help after it); --help and --version are done.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_INVALID;
  } else if (err instanceof UsageError) {
    reportFatal(err.message, { kind: 'usage', ...err.fields });
    process.exitCode = err.exitCode;
  } else if (err instanceof StoreError) {
    // A database fault (locked past the busy timeout, full, I/O, damaged): the message says what to do.
    process.stderr.write(`aiwins: ${err.failure.kind}: ${err.message}\n`);
    process.exitCode = EXIT_FAILED;
  } else if (err instanceof PipelineSetupError) {
    reportFatal(err.message, { kind: 'setup' });
    process.exitCode = EXIT_INVALID;
  } else {
    const bug = describeBug(err, Boolean(ctx.globals().debug));
    reportFatal(bug.msg, bug.fields);
    process.exitCode = EXIT_FAILED;
  }
}
