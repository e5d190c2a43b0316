import PQueue from 'p-queue';
import type { Config } from '../config/index.ts';
import type { Failure } from '../core/failure.ts';
import { costOf } from '../core/pricing.ts';
import type { Engine } from '../core/types.ts';
import { createHttpClient, createRobotsCache, DEFAULT_USER_AGENT } from '../fetch/index.ts';
// The pool alone, not extract/index.ts: the index loads the DOM libraries (~30 MB), which only the workers use.
import { createExtractor } from '../extract/pool.ts';
import { RUNNABLE_STATUSES, StoreError, type DueQuery, type Store } from '../store/index.ts';
import { createTokenBudget, utcDayStart, type TokenBudget } from './budget.ts';
import { RunStop, nowOf, type ItemPath, type RunContext, type RunNet } from './context.ts';
import { drafterFor, type Drafter } from './drafter.ts';
import { runFeed } from './feed-step.ts';
import { countDraft, keepDraft, runItem } from './item-step.ts';
import { withRunLease, type HeldLease, type RunEnd } from './lease.ts';
import { killProcessAt, type KillPoint } from './kill-at.ts';
import { HostQueues } from './queues.ts';
import { runStatus } from './run-status.ts';
import { summarize, summaryError, type RunEvent, type RunSummary, type SummaryError, type SummaryEvent } from './summary.ts';

export { PipelineSetupError } from './errors.ts';
export type { RunEvent, RunSummary } from './summary.ts';

export interface RunOptions {
  /** Retry failed and deferred items now, ignoring their back-off (`run --retry-failed`). */
  retryFailed?: boolean;
  /** Check every feed now, not only the ones that are due (gone feeds stay skipped). */
  allFeeds?: boolean;
  /** Stops taking new work; items in progress are abandoned (left pending), the lease is released. */
  signal?: AbortSignal;
  /** Injectable clock (ms since epoch), for tests of back-off, leases and the deadline. */
  now?: () => number;
  onEvent?: (e: RunEvent) => void;
  /** For the crash tests only: SIGKILL the process when the run reaches this point, as a crash would. */
  killAt?: KillPoint;
  /** For the lease tests only: the run lease's length in ms, in place of run.leaseSeconds. */
  leaseMs?: number;
}

const DAY_MS = 24 * 3600_000;

/**
 * One pass over the configured feeds: fetch each due feed, store its new items, and take every
 * item that needs work (new, or failed and due for a retry) through fetch -> extract -> draft ->
 * store. Items flow on as soon as each stage finishes; a failure is recorded on its feed or item
 * and never stops the others. Holds the run lease throughout; stops taking work on a signal, a
 * lost lease, the deadline, or a fault of the LLM endpoint or the database (see RunSummary.stop).
 */
export async function runPipeline(config: Config, store: Store, opts: RunOptions = {}): Promise<RunSummary> {
  const clock = opts.now ?? Date.now;
  const started = clock();
  const engine: Engine = config.llmConfigured ? 'llm' : 'extractive';
  // The prompt is loaded before taking the lease: a broken prompt file fails fast, touching nothing.
  const leaseCheck = beforeEachRequest();
  const budget = createTokenBudget(config.llm, clock);
  const drafter = await drafterFor(config, engine, { beforeRequest: leaseCheck.run, budget });
  // What the run did, in order; the summary is its reduction.
  const events: SummaryEvent[] = [];
  const tally = (e: SummaryEvent) => void events.push(e);
  const summary = () => summarize(events, engine);

  const outcome = await withRunLease(store, { leaseMs: opts.leaseMs ?? config.run.leaseSeconds * 1000, clock }, async (lease) => {
    leaseCheck.use(lease);
    const net = createNet(config, clock);
    const path = { statuses: RUNNABLE_STATUSES, mode: 'run' } as const;
    const ctx = runContext({ config, store, lease, drafter, budget, tally, clock, signal: opts.signal, onEvent: opts.onEvent, net, path, killAt: opts.killAt });
    const items = itemQueue(ctx);
    try {
      await storeKeptDrafts(ctx);
      await startBudget(ctx);
      const feeds = await feedsToCheck(ctx, !!opts.allFeeds);
      // Work left by earlier runs (failed, deferred, over the cap, interrupted) flows in beside the new items.
      items.take(await store.items.due(dueQuery(config, ctx.clock(), !!opts.retryFailed)));
      await Promise.all(feeds.map(async (f) => (ctx.stop.stopped ? [] : items.take(await runFeed(ctx, f)))));
      await items.drained();
      await retryAfterBusy(ctx, items);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      ctx.stop.stop(err.failure, { abortInFlight: false });
    } finally {
      await Promise.allSettled([ctx.net!.http.close(), ctx.net!.extractor.close()]);
    }
    return { result: null, end: endOf(ctx, started, summary) };
  });

  if (!outcome.acquired) {
    tally({ type: 'run.refused', holder: outcome.holder, durationMs: clock() - started });
    return summary();
  }
  if (outcome.recorded === 'abandoned') tally({ type: 'run.abandoned' });
  await checkpointWal(store, tally, outcome.runId);
  if (outcome.finishFailure) tally({ type: 'error', error: runError(outcome.runId, outcome.finishFailure, "the run's end could not be recorded: ") });
  return summary();
}

/** An error of the run itself, for the summary: its message after `context`. */
const runError = (runId: number, f: Failure, context = ''): SummaryError => summaryError('run', runId, `run ${runId}`, { kind: f.kind, message: `${context}${f.message}` });

/**
 * Moves the write-ahead log into the database at the end of each run, so the WAL does not grow
 * without bound under long-lived readers. A reader still holding part of it only delays that.
 */
async function checkpointWal(store: Store, tally: (e: SummaryEvent) => void, runId: number): Promise<void> {
  try {
    await store.maintenance.afterRun();
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    tally({ type: 'error', error: runError(runId, err.failure, 'the WAL checkpoint failed: ') });
  }
}

/**
 * The check before each LLM request: that the run still holds its lease. The drafter is made
 * before the lease is taken (a broken prompt fails before touching the database), so the lease
 * is given to the check once held.
 */
export function beforeEachRequest(): { run: () => Promise<void>; use: (lease: HeldLease) => void } {
  let held: HeldLease | null = null;
  return {
    run: async () => {
      await held?.confirm();
    },
    use: (lease) => {
      held = lease;
    },
  };
}

/**
 * What the day's earlier runs spent, from their stored drafts, for llm.maxTokensPerDay. Read once
 * the run holds the lease (and after the spooled drafts are stored), so no other run adds to it.
 */
export async function startBudget(ctx: RunContext): Promise<void> {
  ctx.budget.begin(await ctx.store.drafts.tokensSince(new Date(utcDayStart(ctx.clock()))));
}

/** The shared state of one run (or redraft), passed explicitly to each step. */
export function runContext(parts: {
  config: Config;
  store: Store;
  lease: HeldLease;
  drafter: Drafter;
  budget: TokenBudget;
  tally: (e: SummaryEvent) => void;
  clock: () => number;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  net: RunNet | null;
  path: ItemPath;
  killAt?: KillPoint;
}): RunContext {
  const { config, lease, clock } = parts;
  parts.tally({ type: 'run.started', runId: lease.runId, tookOverRunId: lease.tookOverRunId });
  const stop = new RunStop();
  const onAbort = (signal: AbortSignal, failure: () => Failure) => {
    if (signal.aborted) stop.stop(failure(), { abortInFlight: true });
    else signal.addEventListener('abort', () => stop.stop(failure(), { abortInFlight: true }), { once: true });
  };
  if (parts.signal) onAbort(parts.signal, () => ({ kind: 'run.aborted', message: 'stopped by a signal; the items in progress wait for the next run' }));
  onAbort(lease.lost, () => lease.lost.reason as Failure);
  return {
    config,
    store: parts.store,
    runId: lease.runId,
    clock,
    deadline: clock() + config.run.maxMinutes * 60_000,
    tally: parts.tally,
    emit: parts.onEvent ?? (() => {}),
    stop,
    lease,
    drafter: parts.drafter,
    budget: parts.budget,
    net: parts.net,
    path: parts.path,
    heldDrafts: [],
    retryLater: new Set(),
    killIfAt: killProcessAt(parts.killAt),
  };
}

function createNet(config: Config, clock: () => number): RunNet {
  const http = createHttpClient({
    allow: [...config.network.allow],
    allowedPorts: [...config.network.allowedPorts],
    userAgent: config.network.userAgent,
  });
  const hosts = new HostQueues(config.network.concurrency, config.network.perHostConcurrency);
  const robots = config.network.respectRobots
    ? createRobotsCache({
        userAgent: config.network.userAgent ?? DEFAULT_USER_AGENT,
        now: clock,
        fetchRobots: (url, allow) => hosts.run(url, () => http.fetch({ url, kind: 'other', maxBytes: 500 * 1024, timeoutMs: 10_000, allow })),
      })
    : null;
  const extractor = createExtractor({
    workers: config.extract.workers,
    timeoutMs: config.extract.timeoutSeconds * 1000,
    maxHeapMb: config.extract.maxHeapMb,
    maxHtmlBytes: config.network.maxPageBytes,
  });
  return { http, hosts, robots, extractor, feedAllow: new Map() };
}

/** Items in progress, bounded (and so the pages and texts held in memory) whatever the run's size. */
export function itemQueue(ctx: RunContext): { take(ids: readonly number[]): void; drained(): Promise<void> } {
  const queue = new PQueue({ concurrency: ctx.config.llm.concurrency * 2 + (ctx.net ? ctx.config.network.concurrency : 0) });
  const tasks: Promise<void>[] = [];
  let warm = false;
  return {
    take(ids) {
      if (!warm && ids.length > 0 && !ctx.stop.stopped) {
        warm = true;
        warmUp(ctx);
      }
      for (const id of ids) if (!ctx.stop.stopped) tasks.push(queue.add(() => runItem(ctx, id)));
    },
    async drained() {
      // Items taken while awaiting add more tasks; wait until none are left.
      for (let done = 0; done < tasks.length; ) {
        const batch = tasks.slice(done);
        await Promise.all(batch);
        done += batch.length;
      }
    },
  };
}

/**
 * The first items are in: the extraction workers start loading now, on their own thread, while
 * the main thread loads the tokenizer (on the next turn, after this feed's items are queued) and
 * fetches the first pages, so the first draft waits for neither. A run with nothing new does
 * neither.
 */
function warmUp(ctx: RunContext): void {
  ctx.net?.extractor.warm();
  setImmediate(() => {
    try {
      ctx.drafter.prepare();
    } catch {
      // Only a head start: the first draft loads it again, and records on its item why that failed.
    }
  });
}

async function feedsToCheck(ctx: RunContext, all: boolean) {
  await ctx.store.feeds.sync(ctx.config.feeds, nowOf(ctx));
  const active = await ctx.store.feeds.active();
  for (const f of active) {
    const own = ctx.config.feeds.find((c) => c.url === f.url)?.allow;
    if (own?.length) ctx.net?.feedAllow.set(f.id, own);
  }
  const feeds = all ? active : await ctx.store.feeds.due(nowOf(ctx));
  ctx.tally({ type: 'feeds.chosen', total: feeds.length, notDue: active.length - feeds.length });
  return feeds;
}

/** Which items left by earlier runs a run takes at `now` (ms epoch). */
export function dueQuery(config: Config, now: number, retryFailed: boolean): DueQuery {
  return {
    now: new Date(now),
    maxAttempts: config.run.maxAttempts,
    retryFailed,
    maxPerFeed: config.run.maxItemsPerFeed,
    overCapPublishedAfter: new Date(now - config.run.maxItemAgeDays * DAY_MS),
  };
}

/** Drafts paid for by earlier runs but kept in the spool (the database was locked or failing) are stored first. */
export async function storeKeptDrafts(ctx: RunContext): Promise<void> {
  const { stored } = await ctx.store.drafts.storeKept(nowOf(ctx));
  ctx.tally({ type: 'spool.stored', drafts: stored });
}

/**
 * A locked database kept some items or drafts from being stored: the items are taken once more,
 * and the held drafts stored; a draft the database still refuses is kept in the spool for the
 * next run. Nothing paid for is dropped.
 */
export async function retryAfterBusy(ctx: RunContext, items: ReturnType<typeof itemQueue>): Promise<void> {
  if (ctx.retryLater.size > 0 && !ctx.stop.stopped) {
    const ids = [...ctx.retryLater];
    ctx.retryLater.clear();
    items.take(ids);
    await items.drained();
  }
  for (const { item, draft } of ctx.heldDrafts.splice(0)) {
    try {
      const id = await ctx.store.drafts.save(item.id, ctx.runId, draft, nowOf(ctx));
      if (id !== null) countDraft(ctx, item, draft);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      await keepDraft(ctx, item, draft);
    }
  }
  for (const id of ctx.retryLater) {
    ctx.tally({ type: 'error', error: summaryError('item', id, String(id), { kind: 'db.busy', message: 'the database stayed locked; the item waits for the next run (no attempt counted)' }) });
  }
}

/** How the run ends, from why it stopped: the last events of its tally, and the summary then (`summary`) recorded with the run. */
function endOf(ctx: RunContext, started: number, summary: () => RunSummary): RunEnd {
  const reason = ctx.stop.reason;
  const status = runStatus(reason);
  if (reason && reason.kind !== 'run.aborted') ctx.tally({ type: 'error', error: runError(ctx.runId, reason) });
  ctx.tally({
    type: 'run.ended',
    status,
    stop: reason && { kind: reason.kind, message: reason.message },
    llm: llmSpending(ctx.config, ctx.drafter),
    budget: budgetSummary(ctx.budget),
    durationMs: ctx.clock() - started,
  });
  return { status, error: reason, summary: summary() };
}

/** The run's token caps (null: unset) and the day's spending, for the summary. */
export function budgetSummary(budget: TokenBudget): Omit<RunSummary['budget'], 'deferred'> {
  const { caps } = budget;
  return { maxTokensPerRun: caps.maxTokensPerRun ?? null, maxTokensPerDay: caps.maxTokensPerDay ?? null, spentToday: budget.spentToday };
}

/** The run's LLM calls and tokens, and their estimated cost (null when llm.pricing has no price for llm.model). */
export function llmSpending(config: Config, drafter: Drafter): RunSummary['llm'] {
  const u = drafter.usage;
  const spent = u.inputTokens + u.outputTokens > 0;
  return { ...u, estimatedCost: spent ? costOf(config.llm.pricing, [config.llm.model], u.inputTokens, u.outputTokens) : 0 };
}

