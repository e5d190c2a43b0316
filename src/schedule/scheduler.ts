import { Cron } from 'croner';
import type { Config } from '../config/index.ts';
import type { Store } from '../store/index.ts';
import { runPipeline, type RunOptions, type RunSummary } from '../pipeline/run.ts';

export interface Scheduler {
  /** Resolves when the scheduler has stopped (after stop()). */
  stopped: Promise<void>;
  /** Stops ticking; a run in progress stops taking new work, finishes its items and releases the lease. */
  stop(): Promise<void>;
}

/**
 * The long-running process: a stateless tick on a cron expression. Each tick is one run over
 * the feeds that are due (the database decides); the run lease keeps ticks from overlapping
 * each other or a cron-started `aiwins run`. Runs once at start.
 */
export function startScheduler(
  config: Config,
  store: Store,
  opts: { onRun?: (s: RunSummary) => void; onError?: (err: unknown) => void; onEvent?: RunOptions['onEvent'] } = {},
): Scheduler {
  const abort = new AbortController();
  let current: Promise<void> | null = null;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));

  const tick = () => {
    if (current || abort.signal.aborted) return; // croner's protect does the same for its own ticks
    // Every error of one tick (a locked or failing database, a bug, a failing log line) is
    // reported and the scheduler goes on to the next tick; nothing escapes to end the process.
    current = (async () => {
      try {
        opts.onRun?.(await runPipeline(config, store, { signal: abort.signal, onEvent: opts.onEvent }));
      } catch (err) {
        try {
          opts.onError?.(err);
        } catch (reportErr) {
          process.emitWarning(`scheduler: could not report a failed tick: ${(reportErr as Error).message}`);
        }
      }
    })().finally(() => (current = null));
  };
  const job = new Cron(config.schedule.cron, { protect: true }, tick);
  tick();

  return {
    stopped,
    async stop() {
      job.stop();
      abort.abort();
      await current;
      resolveStopped();
    },
  };
}
