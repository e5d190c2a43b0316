import { existsSync, rmSync } from 'node:fs';
import type { Command } from '../commander.ts';
import type { CliContext } from '../context.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from '../errors.ts';
import { jsonOutput } from '../output.ts';
import { copyStore, DestinationNotEmptyError, isPostgresUrl, openStore, StoreError, tablesWithRows, type Store, type TableCopy } from '../../store/index.ts';

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

  dbCommand
    .command('copy')
    .description('copy the database (--db) into DEST, a new SQLite file or an empty PostgreSQL database (postgres://...), then verify each table: rows and a content hash on both sides')
    .argument('<dest>', 'a SQLite file path or a postgres:// URL; must hold no aiwins rows (nothing is overwritten)')
    .option('--json', 'print {"tables":[{"table","rows","hash","ok"}],"ok"}')
    .action(async (dest: string, opts: { json?: boolean }) => {
      await ctx.withStore('read', async (source) => {
        const createdFile = !isPostgresUrl(dest) && !existsSync(dest);
        let results: TableCopy[];
        let destShown = dest;
        try {
          const target = await openCopyDestination(dest);
          destShown = target.location;
          try {
            results = await copyStore(source, target, (t) => {
              if (!opts.json) process.stdout.write(tableLine(t));
            });
          } finally {
            await target.close();
          }
        } catch (err) {
          // A file this command made and could not fill is no copy: it goes, so the next try finds no file.
          if (createdFile) for (const suffix of ['', '-wal', '-shm']) rmSync(dest + suffix, { force: true });
          if (err instanceof DestinationNotEmptyError) throw new UsageError(err.message, EXIT_INVALID);
          throw err;
        }
        const ok = results.every((t) => t.ok);
        if (opts.json) process.stdout.write(jsonOutput({ tables: results.map(({ table, rows, hash, ok }) => ({ table, rows, hash, ok })), ok }));
        const rows = results.reduce((n, t) => n + t.rows, 0);
        if (ok) {
          if (!opts.json) process.stdout.write(`copied ${source.location} to ${destShown}: ${rows} rows in ${results.length} tables, each verified\n`);
          return;
        }
        for (const t of results.filter((r) => !r.ok)) {
          process.stderr.write(`aiwins: table ${t.table} differs after the copy: ${t.rows} rows (${t.hash}) in ${source.location}, ${t.dest!.rows} (${t.dest!.hash}) in ${destShown}\n`);
        }
        process.exitCode = EXIT_FAILED;
      });
    });
}

/** One verified table, as a line: name, rows, hash, ok (or MISMATCH). */
function tableLine(t: TableCopy): string {
  return `${t.table.padEnd(18)} ${String(t.rows).padStart(8)}  ${t.hash}  ${t.ok ? 'ok' : 'MISMATCH'}\n`;
}

/**
 * The store to copy into, with its schema made. Whether it holds aiwins rows is asked first of the
 * database as it is, unmigrated, so a database that is refused is not upgraded either.
 */
async function openCopyDestination(dest: string): Promise<Store> {
  const open = async (migrate: boolean) => {
    try {
      return await openStore(dest, { migrate });
    } catch (err) {
      if (err instanceof StoreError) throw new UsageError(`cannot open the copy's destination: ${err.message}`, EXIT_FAILED);
      throw err;
    }
  };
  const asItIs = await open(false);
  try {
    const full = await asItIs.db.read(tablesWithRows);
    if (full.length > 0) throw new DestinationNotEmptyError(asItIs.location, full);
  } finally {
    await asItIs.close();
  }
  return open(true);
}
