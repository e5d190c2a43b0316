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

/** One error as the summary lists it. */
export type SummaryError = RunSummary['errors'][number];

/**
 * What happened in a run, as its summary counts it: the steps add these to the run's tally in the
 * order they happen, and the summary is their reduction (`summarize`). Progress lines for people
 * are RunEvent, emitted beside them.
 */
export type SummaryEvent =
  | { type: 'run.started'; runId: number; tookOverRunId: number | null }
  /** Drafts an earlier run kept in the spool, stored now. */
  | { type: 'spool.stored'; drafts: number }
  /** The feeds this run checks (total) and the active feeds left for a later run (notDue). */
  | { type: 'feeds.chosen'; total: number; notDue: number }
  /** newItems counts the items over the cap too (overCap). */
  | { type: 'feed.fetched'; warnings: number; newItems: number; overCap: number }
  /** Not modified, or the same bytes as last time. */
  | { type: 'feed.unchanged' }
  | { type: 'feed.failed'; error: SummaryError }
  | { type: 'item.taken' }
  | { type: 'page.fetched' }
  | { type: 'article.made'; fromFeed: boolean }
  | { type: 'item.duplicate' }
  | { type: 'draft.stored'; flagged: boolean }
  /** A paid draft the database refused, spooled for the next run. */
  | { type: 'draft.kept'; error: SummaryError }
  | { type: 'item.failed'; status: 'failed' | 'deferred' | 'blocked'; error: SummaryError }
  /** The item waits for the token budget: the config's limit, not an error. */
  | { type: 'item.over_budget'; status: 'failed' | 'deferred' | 'blocked' }
  /** An error that changes no count (of the run itself, or of an item left as it was). */
  | { type: 'error'; error: SummaryError }
  /** budget: the caps and the day's spending, when the run reports them (a redraft does not). */
  | { type: 'run.ended'; status: RunSummary['status']; stop: RunSummary['stop']; llm: RunSummary['llm']; budget?: Omit<RunSummary['budget'], 'deferred'>; durationMs: number }
  /** The run's end was recorded after another run had taken its lease over. */
  | { type: 'run.abandoned' }
  /** Another run holds the lease: this one did nothing. */
  | { type: 'run.refused'; holder: NonNullable<RunSummary['holder']>; durationMs: number };

/** A failure as the summary lists it, under the feed, item or run it happened to. */
export const summaryError = (scope: SummaryError['scope'], id: number, name: string, f: Pick<Failure, 'kind' | 'message'>): SummaryError => ({ scope, id, name, kind: f.kind, message: f.message });

const withError = (errors: SummaryError[], e: SummaryError): SummaryError[] => (errors.length < MAX_SUMMARY_ERRORS ? [...errors, e] : errors);

/**
 * The summary after one more event. Pure: returns a new summary, and keeps the keys where
 * emptySummary put them (`run --json` prints them in that order).
 */
export function applyEvent(s: RunSummary, e: SummaryEvent): RunSummary {
  switch (e.type) {
    case 'run.started':
      return { ...s, runId: e.runId, tookOverRunId: e.tookOverRunId };
    case 'spool.stored':
      return { ...s, drafts: { ...s.drafts, made: s.drafts.made + e.drafts } };
    case 'feeds.chosen':
      return { ...s, feeds: { ...s.feeds, total: e.total, notDue: e.notDue } };
    case 'feed.fetched':
      return {
        ...s,
        feeds: { ...s.feeds, fetched: s.feeds.fetched + 1, warnings: s.feeds.warnings + e.warnings },
        items: { ...s.items, new: s.items.new + e.newItems, overCap: s.items.overCap + e.overCap },
      };
    case 'feed.unchanged':
      return { ...s, feeds: { ...s.feeds, notModified: s.feeds.notModified + 1 } };
    case 'feed.failed':
      return { ...s, feeds: { ...s.feeds, failed: s.feeds.failed + 1 }, errors: withError(s.errors, e.error) };
    case 'item.taken':
      return { ...s, items: { ...s.items, worked: s.items.worked + 1 } };
    case 'page.fetched':
      return { ...s, articles: { ...s.articles, fetched: s.articles.fetched + 1 } };
    case 'article.made':
      return e.fromFeed
        ? { ...s, articles: { ...s.articles, fromFeed: s.articles.fromFeed + 1 } }
        : { ...s, articles: { ...s.articles, extracted: s.articles.extracted + 1 } };
    case 'item.duplicate':
      return { ...s, drafts: { ...s.drafts, duplicates: s.drafts.duplicates + 1 } };
    case 'draft.stored':
      return { ...s, drafts: { ...s.drafts, made: s.drafts.made + 1, flagged: s.drafts.flagged + (e.flagged ? 1 : 0) } };
    case 'draft.kept':
      return { ...s, drafts: { ...s.drafts, kept: s.drafts.kept + 1 }, errors: withError(s.errors, e.error) };
    case 'item.failed':
      return { ...s, drafts: { ...s.drafts, [e.status]: s.drafts[e.status] + 1 }, errors: withError(s.errors, e.error) };
    case 'item.over_budget':
      return { ...s, drafts: { ...s.drafts, [e.status]: s.drafts[e.status] + 1 }, budget: { ...s.budget, deferred: s.budget.deferred + 1 } };
    case 'error':
      return { ...s, errors: withError(s.errors, e.error) };
    case 'run.ended':
      return {
        ...s,
        status: e.status,
        stop: e.stop,
        llm: e.llm,
        budget: e.budget ? { ...e.budget, deferred: s.budget.deferred } : s.budget,
        durationMs: e.durationMs,
      };
    case 'run.abandoned':
      return { ...s, status: 'abandoned' };
    case 'run.refused':
      return { ...s, status: 'already_running', holder: e.holder, durationMs: e.durationMs };
  }
}

/** The summary of a run's events. */
export const summarize = (events: readonly SummaryEvent[], engine: Engine): RunSummary => events.reduce(applyEvent, emptySummary(engine));
