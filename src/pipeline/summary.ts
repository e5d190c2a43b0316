import type { Failure } from '../core/failure.ts';
import type { Engine } from '../core/types.ts';

/** One line of what happened, for progress displays and logs. */
export type RunEvent =
  | { type: 'feed'; runId: number; feedId: number; feed: string; result: 'ok' | 'not_modified' | 'unchanged' | 'error'; newItems: number; failure?: Failure }
  | { type: 'item'; runId: number; feedId: number; itemId: number; url: string | null; stage: 'drafted' | 'failed' | 'deferred' | 'blocked' | 'duplicate'; failure?: Failure; engine?: string; duplicateOf?: number }
  | { type: 'article'; runId: number; feedId: number; itemId: number; method: string };

/** What a run did, as `aiwins run --json` prints it. */
export interface RunSummary {
  runId: number | null;
  /**
   * completed: every due item was taken (or the deadline stopped it, see `stop`); aborted: stopped
   * by a signal; abandoned: another run took the lease over; failed: a fault of the LLM endpoint
   * or the database stopped it (see `stop`); already_running: another run holds the lease.
   */
  status: 'completed' | 'aborted' | 'abandoned' | 'failed' | 'already_running';
  /** When status is already_running: who holds the lease. */
  holder?: { runId: number | null; pid: number; host: string; heartbeatAt: Date };
  tookOverRunId: number | null;
  engine: Engine;
  /** Why the run stopped before its work was done, and what to do; null when it did not. */
  stop: { kind: string; message: string } | null;
  /** total: feeds checked this run; notDue: active feeds left for a later run; warnings: the parser's, over all feeds. */
  feeds: { total: number; fetched: number; notModified: number; failed: number; notDue: number; warnings: number };
  /** overCap: new items beyond run.maxItemsPerFeed, left for later runs. */
  items: { new: number; worked: number; overCap: number };
  articles: { fetched: number; extracted: number; fromFeed: number };
  /**
   * flagged: drafts made that need an editor's closer look; kept: paid drafts spooled beside the
   * database for the next run; duplicates: items attached to a story as another outlet's copy, not drafted.
   */
  drafts: { made: number; failed: number; deferred: number; blocked: number; flagged: number; kept: number; duplicates: number };
  /**
   * rateLimited: requests answered 429, each sent again after the limiter's pause (never an item's
   * attempt). estimatedCost: the tokens priced by llm.pricing for llm.model; null without a price.
   */
  llm: { calls: number; inputTokens: number; outputTokens: number; rateLimited: number; estimatedCost: number | null };
  /**
   * The token caps (null: unset), the tokens spent in the current UTC day (earlier runs' drafts and
   * this run), and the items deferred because a cap was reached (also counted in drafts.deferred).
   */
  budget: { maxTokensPerRun: number | null; maxTokensPerDay: number | null; spentToday: number; deferred: number };
  errors: { scope: 'feed' | 'item' | 'run'; id: number; name: string; kind: string; message: string }[];
  durationMs: number;
}

/** Errors listed in a run summary; the rest are still on their feeds and items. */
const MAX_SUMMARY_ERRORS = 50;

export function emptySummary(engine: Engine): RunSummary {
  return {
    runId: null,
    status: 'completed',
    tookOverRunId: null,
    engine,
    stop: null,
    feeds: { total: 0, fetched: 0, notModified: 0, failed: 0, notDue: 0, warnings: 0 },
    items: { new: 0, worked: 0, overCap: 0 },
    articles: { fetched: 0, extracted: 0, fromFeed: 0 },
    drafts: { made: 0, failed: 0, deferred: 0, blocked: 0, flagged: 0, kept: 0, duplicates: 0 },
    llm: { calls: 0, inputTokens: 0, outputTokens: 0, rateLimited: 0, estimatedCost: 0 },
    budget: { maxTokensPerRun: null, maxTokensPerDay: null, spentToday: 0, deferred: 0 },
    errors: [],
    durationMs: 0,
  };
}

export function addError(summary: RunSummary, e: RunSummary['errors'][number]): void {
  if (summary.errors.length < MAX_SUMMARY_ERRORS) summary.errors.push(e);
}
