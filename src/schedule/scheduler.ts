import { Cron } from 'croner';
import type { Config } from '../config/index.ts';
import type { Db } from '../store/index.ts';
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
  db: Db,
  opts: { onRun?: (s: RunSummary) => void; onError?: (err: unknown) => void; onEvent?: RunOptions['onEvent'] } = {},
): Scheduler {
  const abort = new AbortController();
  let current: Promise<void> | null = null;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));

  const tick = () => {
    if (current || abort.signal.aborted) return; // croner's protect does the same for its own ticks
    current = runPipeline(config, db, { signal: abort.signal, onEvent: opts.onEvent })
      .then((s) => opts.onRun?.(s), (err) => opts.onError?.(err))
      .finally(() => (current = null));
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
