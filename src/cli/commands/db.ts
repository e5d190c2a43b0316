import { existsSync } from 'node:fs';
import type { Command } from '../commander.ts';
import type { CliContext } from '../context.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from '../errors.ts';

export function registerDbCommands(program: Command, ctx: CliContext): void {
  const dbCommand = program.command('db').description('operator tools for the database (--db): check, vacuum, backup, copy');

  dbCommand
    .command('check')
    .description('checks the database (SQLite: PRAGMA integrity_check; PostgreSQL: reads every table): prints ok, or the problems found (exit 1)')
    .action(async () => {
      await ctx.withStore('check', async (db) => {
        const problems = await db.maintenance.check();
        process.stdout.write(problems.join('\n') + '\n');
        if (problems.length !== 1 || problems[0] !== 'ok') {
          const salvage = db.dialect === 'sqlite' ? 'or copy out what `sqlite3 .recover` can save' : "or run pg_amcheck on the server for the details";
          process.stderr.write(`aiwins: ${ctx.dbShown()} is damaged: restore the last backup (\`aiwins db backup FILE\` makes one), ${salvage}\n`);
          process.exitCode = EXIT_FAILED;
        }
      });
    });

  dbCommand
    .command('vacuum')
    .description('return the space of deleted rows (SQLite: rebuilds the file, needs about its size free; PostgreSQL: VACUUM ANALYZE)')
    .action(async () => {
      await ctx.withStore('write', async (db) => {
        await db.maintenance.vacuum();
        process.stdout.write(`vacuumed ${ctx.dbShown()}\n`);
      });
    });

  dbCommand
    .command('backup')
    .description('an online, consistent copy of the database to FILE, safe while runs write (PostgreSQL: pg_dump --format=custom; restore with pg_restore)')
    .argument('<file>', 'the copy to write (must not exist)')
    .action(async (file: string) => {
      if (existsSync(file)) throw new UsageError(`${file} exists: choose a new file name (nothing was overwritten)`, EXIT_INVALID);
      await ctx.withStore('read', async (db) => {
        await db.maintenance.backup(file);
        process.stdout.write(`backed up ${ctx.dbShown()} to ${file}\n`);
      });
    });
}
