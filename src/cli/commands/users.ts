import type { Command } from '../commander.ts';
import { UserExistsError } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { EXIT_INVALID, UsageError } from '../errors.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerUsersCommands(program: Command, ctx: CliContext): void {
  const usersCommand = program.command('users').description("the editors who can log in to the desk (aiwins serve)");

  usersCommand
    .command('add')
    .description('add an editor; the password is read from stdin (one line)')
    .argument('<name>', 'login name')
    .requiredOption('--password-stdin', 'read the password from stdin')
    .action(async (name: string) => {
      if (!/^[\p{L}\p{N}._@-]{1,64}$/u.test(name)) {
        throw new UsageError(`NAME: 1 to 64 letters, digits, ".", "_", "@" or "-", got "${name}"`, EXIT_INVALID);
      }
      const password = (await readStdin()).replace(/\r?\n$/, '');
      if (password.length < 8) throw new UsageError('password: at least 8 characters, given on stdin', EXIT_INVALID);
      if (password.length > 1024) throw new UsageError('password: at most 1024 characters', EXIT_INVALID);
      const { hashPassword } = await import('../../review/password.ts');
      await ctx.withStore('write', async (db) => {
        try {
          await db.users.addUser(name, await hashPassword(password), new Date());
        } catch (err) {
          if (err instanceof UserExistsError) throw new UsageError(err.message, EXIT_INVALID);
          throw err;
        }
        process.stdout.write(`added user ${name}\n`);
      });
    });

  usersCommand
    .command('list')
    .description('list the editors')
    .option('--json', 'print a JSON array')
    .action(async (opts: { json?: boolean }) => {
      await ctx.withStore('read', async (db) => {
        const users = await db.users.listUsers();
        if (opts.json) process.stdout.write(JSON.stringify(users.map((u) => ({ name: u.name, createdAt: u.createdAt.toISOString() }))) + '\n');
        else process.stdout.write(users.length ? users.map((u) => `${u.name}  (added ${u.createdAt.toISOString()})`).join('\n') + '\n' : 'no users (add one with `aiwins users add NAME --password-stdin`)\n');
      });
    });

  usersCommand
    .command('remove')
    .description('remove an editor and end their sessions (their decisions stay on record)')
    .argument('<name>', 'login name')
    .action(async (name: string) => {
      await ctx.withStore('write', async (db) => {
        if (!(await db.users.removeUser(name))) throw new UsageError(`no user "${name}" (see \`aiwins users list\`)`, EXIT_INVALID);
        process.stdout.write(`removed user ${name}\n`);
      });
    });
}
