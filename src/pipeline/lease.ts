import { hostname } from 'node:os';
import type { Failure } from '../core/failure.ts';
import { StoreError, type RunStatus, type Store } from '../store/index.ts';

/** The lease a run holds while it works: its run id, and how it learns it lost the lease. */
export interface HeldLease {
  runId: number;
  tookOverRunId: number | null;
  /** Aborted (reason: a `run.lease_lost` Failure) when another run took the lease over. */
  lost: AbortSignal;
  /**
   * Whether the lease is still held. When the last heartbeat is older than half the lease (the
   * process was stopped, or the event loop blocked), asks the database first; a loss aborts `lost`.
   */
  confirm(): Promise<boolean>;
}

/** How a run ends, for the runs table. */
export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  error: Failure | null;
  summary: unknown;
}

export type LeaseOutcome<T> =
  | { acquired: false; holder: { runId: number | null; pid: number; host: string; heartbeatAt: Date } }
  | { acquired: true; runId: number; tookOverRunId: number | null; result: T; recorded: RunStatus | null; finishFailure: Failure | null };

const FINISH_TRIES = 3;

/**
 * For the lease tests through the CLI (AIWINS_FAULT_LEASE_MS, as AIWINS_FAULT_KILL_AT for
 * crashes): a lease this many milliseconds long, below run.leaseSeconds' minimum, so a test sees a
 * lease lapse or a heartbeat renew it in a second or two instead of waiting out five. Anything but
 * a positive number is no override.
 */
export function faultLeaseMs(raw: string | undefined): number | undefined {
  const ms = Number(raw);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * Runs `work` under the run lease, shared by `run` and `redraft`: takes the lease (or reports who
 * holds it), keeps it alive with a heartbeat that never throws (a locked database is retried on
 * the next beat; a lost lease aborts `lost`), and records the end the work returns. The run row
 * of a run that lost its lease stays `abandoned`.
 */
export async function withRunLease<T>(
  store: Store,
  opts: { leaseMs: number; clock: () => number },
  work: (lease: HeldLease) => Promise<{ result: T; end: RunEnd }>,
): Promise<LeaseOutcome<T>> {
  const { clock } = opts;
  const { leaseMs } = opts;
  const lease = await store.runs.start({
    pid: process.pid,
    host: hostname(),
    now: new Date(clock()),
    expiresAt: new Date(clock() + leaseMs),
    isAlive: processIsAlive,
  });
  if (!lease.acquired) return { acquired: false, holder: lease.holder };
  const { runId } = lease;

  const lost = new AbortController();
  let lastHeld = clock();
  let beating: Promise<void> | null = null;
  const beat = (): Promise<void> =>
    (beating ??= (async () => {
      try {
        const held = await store.runs.heartbeat(runId, new Date(clock()), new Date(clock() + leaseMs));
        if (held) lastHeld = clock();
        else if (!lost.signal.aborted) {
          lost.abort({ kind: 'run.lease_lost', message: `run ${runId} lost its lease to a later run (it was stopped or stalled past run.leaseSeconds); it stopped and saved nothing more` } satisfies Failure);
        }
      } catch (err) {
        // A locked database: the next beat tries again, and the lease has room for two misses.
        // Anything else is a bug, but a heartbeat must never end the process.
        if (!(err instanceof StoreError)) process.emitWarning(`heartbeat of run ${runId}: ${(err as Error).message}`);
      } finally {
        beating = null;
      }
    })());
  const timer = setInterval(() => void beat(), Math.max(1000, leaseMs / 3));
  timer.unref();

  const held: HeldLease = {
    runId,
    tookOverRunId: lease.tookOverRunId,
    lost: lost.signal,
    async confirm() {
      if (!lost.signal.aborted && clock() - lastHeld > leaseMs / 2) await beat();
      return !lost.signal.aborted;
    },
  };

  let outcome: Awaited<ReturnType<typeof work>> | null = null;
  try {
    outcome = await work(held);
  } finally {
    clearInterval(timer);
    await beating;
  }
  const { end } = outcome;
  let recorded: RunStatus | null = null;
  let finishFailure: Failure | null = null;
  for (let i = 0; i < FINISH_TRIES && recorded === null; i++) {
    try {
      recorded = await store.runs.finish(runId, { status: end.status, error: end.error, summary: end.summary }, new Date(clock()));
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      finishFailure = err.failure;
      if (err.failure.kind !== 'db.busy') break;
    }
  }
  if (recorded !== null) finishFailure = null;
  else {
    try {
      await store.runs.releaseLease(runId);
    } catch {
      // Nothing more to do here: the lease expires after run.leaseSeconds; finishFailure says why.
    }
  }
  return { acquired: true, runId, tookOverRunId: lease.tookOverRunId, result: outcome.result, recorded, finishFailure };
}

/** Whether a process of this host is still running (signal 0 checks without touching it). */
function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
