import type { Command } from '../commander.ts';
import type { Config } from '../../config/index.ts';
import { StoreError, type Store } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { onStopSignal } from '../signals.ts';
import { describeBug } from '../log.ts';
import { createRunReporter, logRunSummary } from '../progress.ts';

/** Starts the scheduler with its progress and summaries logged: for `schedule` and `serve --schedule`. */
export async function startLoggedScheduler(ctx: CliContext, config: Config, db: Store) {
  const { startScheduler } = await import('../../schedule/scheduler.ts');
  const reporter = createRunReporter(process.stderr, ctx.log());
  return startScheduler(config, db, {
    onEvent: reporter.event,
    onRun: (s) => {
      reporter.done();
      if (s.status === 'already_running') ctx.log().info('tick: another run holds the lease; skipped', { event: 'tick', status: s.status });
      else logRunSummary(ctx.log(), s);
    },
    onError: (err) => {
      // A database fault is expected and explained by its message; anything else is a bug.
      if (err instanceof StoreError) return ctx.log().error(`run failed: ${err.message}`, { event: 'run', kind: err.failure.kind });
      const bug = describeBug(err, Boolean(ctx.globals().debug));
      ctx.log().error(`run failed: ${bug.msg}`, bug.fields);
    },
  });
}

export function registerScheduleCommand(program: Command, ctx: CliContext): void {
  program
    .command('schedule')
    .description('long-running: check due feeds on the cron schedule in the config (schedule.cron) until SIGTERM')
    .action(async () => {
      const config = await ctx.config({ drafts: true });
      await ctx.withStore('write', async (db) => {
        const scheduler = await startLoggedScheduler(ctx, config, db);
        ctx.log().info(`scheduler started: "${config.schedule.cron}", ${config.feeds.length} feeds; SIGTERM stops it`, { event: 'scheduler' });
        onStopSignal(() => {
          ctx.log().info('stopping: finishing the current items and releasing the lease', { event: 'scheduler' });
          void scheduler.stop();
        });
        await scheduler.stopped;
      });
      ctx.log().info('scheduler stopped', { event: 'scheduler' });
    });
}
