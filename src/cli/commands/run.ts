import type { Command } from '../commander.ts';
import type { Config } from '../../config/index.ts';
import type { Store } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { onStopSignal } from '../signals.ts';
import { EXIT_FAILED } from '../errors.ts';
import { dryRunJson, formatDryRun, jsonOutput, runSummaryJson } from '../output.ts';
import { createRunReporter, logRunSummary } from '../progress.ts';

/**
 * `run --dry-run`: reads the database if there is one (a missing one is not created: every feed
 * is then due and every item new) and writes nothing to it.
 */
async function dryRun(ctx: CliContext, config: Config, opts: { json?: boolean; retryFailed?: boolean; allFeeds?: boolean }): Promise<void> {
  const abort = new AbortController();
  onStopSignal(() => abort.abort());
  const plan = async (db: Store | null) => {
    const { planRun } = await import('../../pipeline/dry-run.ts');
    const plan = await planRun(config, db, { allFeeds: opts.allFeeds, retryFailed: opts.retryFailed, signal: abort.signal });
    process.stdout.write(opts.json ? jsonOutput(dryRunJson(plan)) : formatDryRun(plan));
  };
  await ctx.withStoreIfAny(plan);
}

export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('one pass: fetch feeds, draft new articles, save candidates (for cron)')
    .option('--json', 'print a JSON summary of the run as the last line of stdout')
    .option('--retry-failed', 'retry failed and deferred items now, ignoring their back-off')
    .option('--all-feeds', 'check every feed now, not only those that are due')
    .option('--dry-run', 'fetch the due feeds only and print what a run would do (items, LLM calls, tokens, cost); stores nothing')
    .action(async (opts: { json?: boolean; retryFailed?: boolean; allFeeds?: boolean; dryRun?: boolean }) => {
      const config = await ctx.config({ drafts: true });
      if (opts.dryRun) return dryRun(ctx, config, opts);
      await ctx.withStore('write', async (db) => {
        const abort = new AbortController();
        onStopSignal(() => abort.abort());
        const reporter = createRunReporter(process.stderr, ctx.log());
        const { runPipeline } = await import('../../pipeline/run.ts');
        const { killPointOf } = await import('../../pipeline/kill-at.ts');
        const { faultLeaseMs } = await import('../../pipeline/lease.ts');
        const summary = await runPipeline(config, db, {
          retryFailed: opts.retryFailed,
          allFeeds: opts.allFeeds,
          signal: abort.signal,
          onEvent: reporter.event,
          // Test-only: the crash tests name a step at which the run kills itself (SIGKILL).
          killAt: killPointOf(process.env.AIWINS_FAULT_KILL_AT),
          leaseMs: faultLeaseMs(process.env.AIWINS_FAULT_LEASE_MS),
        });
        reporter.done();
        logRunSummary(ctx.log(), summary);
        if (opts.json) process.stdout.write(jsonOutput(runSummaryJson(summary)));
        // A run stopped by a fault no retry fixes (the LLM endpoint, the database) exits 1, so cron mails it.
        if (summary.status === 'failed') process.exitCode = EXIT_FAILED;
      });
    });
}
