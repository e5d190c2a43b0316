import type { Config } from '../config/index.ts';
import type { Failure } from '../core/failure.ts';
import type { Draft } from '../core/types.ts';
import type { Extractor } from '../extract/pool.ts';
import type { HttpClient, RobotsCache } from '../fetch/index.ts';
import type { Store, WorkItem } from '../store/index.ts';
import type { TokenBudget } from './budget.ts';
import type { Drafter } from './drafter.ts';
import type { KillPoint } from './kill-at.ts';
import type { HeldLease } from './lease.ts';
import type { HostQueues } from './queues.ts';
import type { RunEvent, SummaryEvent } from './summary.ts';

/**
 * Why a run stops taking work. The first reason wins. Faults that make in-flight work pointless
 * (a signal, a lost lease, an endpoint refusing every request) also abort it through `signal`;
 * the deadline and database faults let in-flight items finish.
 */
export class RunStop {
  reason: Failure | null = null;
  private readonly inFlight = new AbortController();
  /** Aborted when in-flight work (fetches, LLM calls) should stop too. */
  readonly signal = this.inFlight.signal;

  stop(reason: Failure, opts: { abortInFlight: boolean }): void {
    this.reason ??= reason;
    if (opts.abortInFlight && !this.inFlight.signal.aborted) this.inFlight.abort(reason);
  }

  get stopped(): boolean {
    return this.reason !== null;
  }
}

/** The network side of a run: fetching feeds and pages, and extracting articles. */
export interface RunNet {
  http: HttpClient;
  hosts: HostQueues;
  robots: RobotsCache | null;
  extractor: Extractor;
  /** A feed's own allow entries (feeds[].allow) by feed id: they open its feed URL and its items' pages, no other feed's. */
  feedAllow: Map<number, readonly string[]>;
}

/** Which items the item step takes, and whether their failures are recorded on them. */
export interface ItemPath {
  /** Statuses an item may be claimed in. */
  statuses: readonly WorkItem['status'][];
  /**
   * run: failures are recorded on the item (attempts, back-off). redraft: the item keeps its
   * current draft and status; failures are only reported.
   */
  mode: 'run' | 'redraft';
}

/** Everything the steps of one run share, passed to each step explicitly. */
export interface RunContext {
  readonly config: Config;
  readonly store: Store;
  readonly runId: number;
  readonly clock: () => number;
  /** When the run stops taking work (ms epoch): run.maxMinutes after its start. */
  readonly deadline: number;
  /** Adds what happened to the run's tally; the run summary is its reduction (summary.ts). */
  readonly tally: (e: SummaryEvent) => void;
  readonly emit: (e: RunEvent) => void;
  readonly stop: RunStop;
  readonly lease: HeldLease;
  /** Sends each LLM request through the run's limiter (made with it in drafterFor). */
  readonly drafter: Drafter;
  /** llm.maxTokensPerRun and llm.maxTokensPerDay: consulted before each item's work and each LLM request. */
  readonly budget: TokenBudget;
  /** Null for redraft, which drafts stored articles only. */
  readonly net: RunNet | null;
  readonly path: ItemPath;
  /** Paid drafts a locked database refused: stored again at the end of the run, else kept in the spool. */
  readonly heldDrafts: { item: WorkItem; draft: Draft }[];
  /** Items a locked database kept from finishing: taken once more at the end of the run. */
  readonly retryLater: Set<number>;
  /** For the crash tests: SIGKILLs the process at the point RunOptions.killAt names; does nothing otherwise. */
  readonly killIfAt: (point: KillPoint) => void;
}

/** The run's time as a Date. */
export const nowOf = (ctx: RunContext): Date => new Date(ctx.clock());
