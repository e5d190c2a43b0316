import type { Config } from '../config/index.ts';
import type { Engine } from '../core/types.ts';
import { DUPLICATE_STATUS, REVIEW_STATUSES, WORK_STATUSES, type Store } from '../store/index.ts';
import { drafterFor } from './drafter.ts';
import { withRunLease } from './lease.ts';
import { createTokenBudget } from './budget.ts';
import { runStatus } from './run-status.ts';
import { beforeEachRequest, itemQueue, llmSpending, retryAfterBusy, runContext, startBudget } from './run.ts';
import { emptySummary, summarize, type RunEvent, type RunSummary, type SummaryEvent } from './summary.ts';

export interface RedraftSummary {
  status: 'completed' | 'aborted' | 'abandoned' | 'failed' | 'already_running';
  engine: Engine;
  redrafted: number;
  /** Stories the engine could not redraft (or that must wait), with the failure. */
  failed: { id: number; kind: string; message: string }[];
  /** Stories not redrafted because an editor approved or rejected them (redraft them by --id). */
  skipped: number[];
  /** Stories not reached: the redraft stopped first (`stop` says why). */
  notReached: number[];
  /** Ids that are no story the redraft takes: none at all, or a copy attached to another story (redraft that one). */
  unknown: number[];
  /** Why the redraft stopped early, when it did. */
  stop: RunSummary['stop'];
  llm: RunSummary['llm'];
}

/**
 * Drafts stored articles again with the given engine: by default the candidates whose current
 * draft is extractive (made while no LLM was configured), or the given ids. Goes through the same
 * lease (with its heartbeat), LLM limiter, stop signal and item path as a run. Earlier drafts are
 * kept; the new one becomes current. A story an editor approved or rejected is redrafted only
 * when asked for by id, and keeps its decision.
 */
export async function redraftStories(
  config: Config,
  store: Store,
  /** `leaseMs`: for the lease tests only, the lease's length in place of run.leaseSeconds. */
  opts: { engine: Engine; ids?: number[]; now?: () => number; signal?: AbortSignal; onEvent?: (e: RunEvent) => void; leaseMs?: number },
): Promise<RedraftSummary> {
  const clock = opts.now ?? Date.now;
  const leaseCheck = beforeEachRequest();
  const budget = createTokenBudget(config.llm, clock);
  const drafter = await drafterFor(config, opts.engine, { beforeRequest: leaseCheck.run, budget });
  // What the redraft did, in order; its summary is their reduction.
  const events: SummaryEvent[] = [];
  const tally = (e: SummaryEvent) => void events.push(e);
  const started = clock();
  // What happened to each item: drafted, or failed, deferred or blocked with its failure.
  const outcomes = new Map<number, Extract<RunEvent, { type: 'item' }>>();
  const onEvent = (e: RunEvent) => {
    if (e.type === 'item') outcomes.set(e.itemId, e);
    opts.onEvent?.(e);
  };
  const outcome = await withRunLease(store, { leaseMs: opts.leaseMs ?? config.run.leaseSeconds * 1000, clock }, async (lease) => {
    leaseCheck.use(lease);
    // Approved and rejected stories only when asked for by id; by default, candidates only.
    const path = { statuses: opts.ids ? [...WORK_STATUSES, ...REVIEW_STATUSES] : (['candidate'] as const), mode: 'redraft' } as const;
    const ctx = runContext({ config, store, lease, drafter, budget, tally, clock, signal: opts.signal, onEvent, net: null, path });
    await startBudget(ctx);
    const ids = opts.ids ?? (await store.drafts.itemIdsWithCurrentEngine('extractive'));
    const items = itemQueue(ctx);
    items.take(ids);
    await items.drained();
    await retryAfterBusy(ctx, items);
    const reason = ctx.stop.reason;
    const status = runStatus(reason);
    tally({ type: 'run.ended', status, stop: reason && { kind: reason.kind, message: reason.message }, llm: llmSpending(config, drafter), durationMs: clock() - started });
    const summary = summarize(events, opts.engine);
    return { result: { ids, summary }, end: { status, error: reason, summary: { redraft: summary } } };
  });
  const base: RedraftSummary = { status: 'already_running', engine: opts.engine, redrafted: 0, failed: [], skipped: [], notReached: [], unknown: [], stop: null, llm: emptySummary(opts.engine).llm };
  if (!outcome.acquired) return base;
  const { summary } = outcome.result;
  const failed = summary.errors.filter((e) => e.scope === 'item').map((e) => ({ id: e.id, kind: e.kind, message: e.message }));
  for (const [id, e] of outcomes) {
    if (e.stage !== 'drafted' && e.failure && !failed.some((f) => f.id === id)) failed.push({ id, kind: e.failure.kind, message: e.failure.message });
  }
  const sorted = await sortUntouched(store, outcome.result.ids.filter((id) => !outcomes.has(id) && !failed.some((f) => f.id === id)), Boolean(opts.ids), Boolean(summary.stop));
  return {
    ...base,
    status: outcome.recorded === 'abandoned' ? 'abandoned' : summary.status,
    redrafted: summary.drafts.made,
    failed,
    ...sorted,
    stop: summary.stop,
    llm: summary.llm,
  };
}

/**
 * Why the stories the redraft never touched were left: an editor decided on them (and they were
 * not named by id), the redraft stopped before them, or they are no story it redrafts.
 */
async function sortUntouched(store: Store, ids: number[], named: boolean, stopped: boolean): Promise<Pick<RedraftSummary, 'skipped' | 'notReached' | 'unknown'>> {
  const out: Pick<RedraftSummary, 'skipped' | 'notReached' | 'unknown'> = { skipped: [], notReached: [], unknown: [] };
  for (const id of ids) {
    const story = await store.stories.get(id);
    if (!story || story.status === DUPLICATE_STATUS) out.unknown.push(id);
    else if (!named && (story.status === 'approved' || story.status === 'rejected')) out.skipped.push(id);
    else if (stopped) out.notReached.push(id);
    // Neither decided on nor stopped before: a status the redraft does not take.
    else out.unknown.push(id);
  }
  return out;
}
