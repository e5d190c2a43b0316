import { existsSync } from 'node:fs';
import type { Command } from '../commander.ts';
import type { CliContext } from '../context.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from '../errors.ts';

export function registerDbCommands(program: Command, ctx: CliContext): void {
  const dbCommand = program.command('db').description('operator tools for the database file (--db)');

  dbCommand
    .command('check')
    .description('PRAGMA integrity_check: prints ok, or the problems found (exit 1)')
    .action(async () => {
      await ctx.withStore('check', async (db) => {
        const problems = await db.maintenance.check();
        process.stdout.write(problems.join('\n') + '\n');
        if (problems.length !== 1 || problems[0] !== 'ok') {
          process.stderr.write(`aiwins: ${ctx.globals().db} is damaged: restore the last backup (\`aiwins db backup FILE\` makes one), or copy out what \`sqlite3 .recover\` can save\n`);
          process.exitCode = EXIT_FAILED;
        }
      });
    });

  dbCommand
    .command('vacuum')
    .description('rebuild the database file, returning the space of deleted rows to the disk (needs about its size free)')
    .action(async () => {
      await ctx.withStore('write', async (db) => {
        await db.maintenance.vacuum();
        process.stdout.write(`vacuumed ${ctx.globals().db}\n`);
      });
    });

  dbCommand
    .command('backup')
    .description('an online, consistent copy of the database to FILE, safe while runs write')
    .argument('<file>', 'the copy to write (must not exist)')
    .action(async (file: string) => {
      if (existsSync(file)) throw new UsageError(`${file} exists: choose a new file name (nothing was overwritten)`, EXIT_INVALID);
      await ctx.withStore('read', async (db) => {
        await db.maintenance.backup(file);
        process.stdout.write(`backed up ${ctx.globals().db} to ${file}\n`);
      });
    });
}
