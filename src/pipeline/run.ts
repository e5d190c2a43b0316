import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import PQueue from 'p-queue';
import type { Config } from '../config/index.ts';
import { failureFromError, isDeferral, isPermanent, type Failure, type Outcome } from '../core/failure.ts';
import type { Article, Draft, DraftInput } from '../core/types.ts';
import { createHttpClient, createRobotsCache, DEFAULT_USER_AGENT, type FetchedResponse } from '../fetch/index.ts';
import { nextCheckAt } from './next-check.ts';
import { canonicalUrl, parseFeed } from '../parse/index.ts';
// The pool alone, not extract/index.ts: the index loads the DOM libraries (~30 MB), which only the workers use.
import { createExtractor } from '../extract/pool.ts';
import { drafterFor } from './drafter.ts';
import * as store from '../store/index.ts';
import type { Db, FeedRow, ItemRow } from '../store/index.ts';
import { HostQueues } from './queues.ts';
import { createLlmLimiter } from './llm-limiter.ts';
import { checkpoint } from './checkpoint.ts';

export { PipelineSetupError } from './errors.ts';

/** One line of what happened, for progress displays and logs. */
export type RunEvent = { runId: number } & (
  | { type: 'feed'; feedId: number; feed: string; result: 'ok' | 'not_modified' | 'unchanged' | 'error'; newItems: number; failure?: Failure }
  | {
      type: 'item';
      feedId: number;
      itemId: number;
      url: string | null;
      stage: 'drafted' | 'failed' | 'deferred' | 'blocked';
      failure?: Failure;
      engine?: string;
    }
  | { type: 'article'; feedId: number; itemId: number; method: string }
);

/** A RunEvent before the run stamps its id on it. */
type RunEventOf<E = RunEvent> = E extends RunEvent ? Omit<E, 'runId'> : never;

export interface RunOptions {
  /** Retry failed and deferred items now, ignoring their back-off (`run --retry-failed`). */
  retryFailed?: boolean;
  /** Check every feed now, not only the ones that are due (gone feeds stay skipped). */
  allFeeds?: boolean;
  /** Stops taking new work; items in progress finish, the lease is released. */
  signal?: AbortSignal;
  /** Injectable clock (ms since epoch), for tests of back-off and leases. */
  now?: () => number;
  onEvent?: (e: RunEvent) => void;
}

export interface RunSummary {
  runId: number | null;
  status: 'completed' | 'aborted' | 'already_running';
  /** When status is already_running: who holds the lease. */
  holder?: { runId: number | null; pid: number; host: string; heartbeatAt: string };
  tookOverRunId: number | null;
  engine: 'llm' | 'extractive';
  /** total: feeds checked this run; notDue: active feeds left for a later run. */
  feeds: { total: number; fetched: number; notModified: number; failed: number; notDue: number };
  items: { new: number; worked: number };
  articles: { fetched: number; extracted: number; fromFeed: number };
  drafts: { made: number; failed: number; deferred: number; blocked: number };
  llm: { calls: number; inputTokens: number; outputTokens: number };
  errors: { scope: 'feed' | 'item'; id: number; name: string; kind: string; message: string }[];
  durationMs: number;
}

const DAY_MS = 24 * 3600_000;
/** Prompt (~800) plus the output cap (1500) of one draft call, for the tokens-per-minute gate. */
const CALL_OVERHEAD_TOKENS = 2300;

/** The Retry-After of a draft refused with 429 (0 when the provider named none), else null. */
const rateLimitedFor = (r: Outcome<Draft>): number | null =>
  !r.ok && r.failure.kind === 'llm.rate_limited' ? (r.failure.retryAfterMs ?? 0) : null;

/** Tokens one draft call may spend, at ~4 chars a token: no tokenizer on the event loop for a gate. */
const estimateCallTokens = (input: DraftInput, maxInputTokens: number): number =>
  Math.min(maxInputTokens, Math.ceil(input.text.length / 4)) + CALL_OVERHEAD_TOKENS;
/** Errors listed in a run summary; the rest are still on their feeds and items. */
const MAX_SUMMARY_ERRORS = 50;

/**
 * One pass over the configured feeds: fetch each feed, store new items, and take every item
 * that needs work (new, or failed and due for a retry) through fetch -> extract -> draft -> store.
 * Items flow through as soon as each stage finishes; a failure is recorded on its feed or item
 * and never stops the others. Holds the database lease for the whole run.
 */
export async function runPipeline(config: Config, db: Db, opts: RunOptions = {}): Promise<RunSummary> {
  const clock = opts.now ?? Date.now;
  const iso = (ms = clock()) => new Date(ms).toISOString();
  const started = clock();
  const leaseMs = config.run.leaseSeconds * 1000;

  const summary: RunSummary = {
    runId: null,
    status: 'completed',
    tookOverRunId: null,
    engine: config.llmConfigured ? 'llm' : 'extractive',
    feeds: { total: 0, fetched: 0, notModified: 0, failed: 0, notDue: 0 },
    items: { new: 0, worked: 0 },
    articles: { fetched: 0, extracted: 0, fromFeed: 0 },
    drafts: { made: 0, failed: 0, deferred: 0, blocked: 0 },
    llm: { calls: 0, inputTokens: 0, outputTokens: 0 },
    errors: [],
    durationMs: 0,
  };

  // The prompt is loaded before taking the lease: a broken prompt file fails fast, touching nothing.
  const drafter = await drafterFor(config, config.llmConfigured ? 'llm' : 'extractive');

  const lease = store.startRun(db, {
    pid: process.pid,
    host: hostname(),
    now: iso(),
    expiresAt: iso(clock() + leaseMs),
    isAlive: processIsAlive,
  });
  if (!lease.acquired) {
    return { ...summary, status: 'already_running', holder: lease.holder, durationMs: clock() - started };
  }
  const runId = lease.runId;
  const emit = (e: RunEventOf) => opts.onEvent?.({ ...e, runId } as RunEvent);
  const owner = store.claimOwner(runId);
  summary.runId = runId;
  summary.tookOverRunId = lease.tookOverRunId;

  const heartbeat = setInterval(() => {
    const until = iso(clock() + leaseMs);
    store.write(db, () => {
      store.heartbeat(db, runId, iso(), until);
      store.extendClaims(db, owner, until);
    });
  }, Math.max(1000, leaseMs / 3));
  heartbeat.unref();

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
        fetchRobots: (url, allow) =>
          hosts.run(url, () => http.fetch({ url, kind: 'other', maxBytes: 500 * 1024, timeoutMs: 10_000, signal: opts.signal, allow })),
      })
    : null;
  const extractor = createExtractor({
    workers: config.extract.workers,
    timeoutMs: config.extract.timeoutSeconds * 1000,
    maxHeapMb: config.extract.maxHeapMb,
    maxHtmlBytes: config.network.maxPageBytes,
  });
  const llmLimiter = createLlmLimiter({
    concurrency: config.llm.concurrency,
    requestsPerMinute: config.llm.requestsPerMinute,
    tokensPerMinute: config.llm.tokensPerMinute,
    retryAfterCapMs: config.llm.retryAfterCapSeconds * 1000,
  });
  // Bounds the items in progress (and so the pages and texts held in memory) whatever the run's size.
  const itemQueue = new PQueue({ concurrency: config.llm.concurrency * 2 + config.network.concurrency });

  const addError = (e: RunSummary['errors'][number]) => {
    if (summary.errors.length < MAX_SUMMARY_ERRORS) summary.errors.push(e);
  };

  const itemTasks: Promise<void>[] = [];
  const scheduleItem = (id: number) => {
    if (opts.signal?.aborted) return;
    itemTasks.push(itemQueue.add(() => processItem(id)).catch((err) => recordItemBug(id, err)));
  };

  const recordItemBug = (id: number, err: unknown) => {
    // A bug in one item must not crash the run: record it on the item like any failure.
    const failure = failureFromError(err);
    store.write(db, () => store.recordItemFailure(db, id, failure, 'failed', iso(clock() + 3600_000), iso()));
    summary.drafts.failed++;
    addError({ scope: 'item', id, name: String(id), kind: failure.kind, message: failure.message });
  };

  async function processFeed(feed: FeedRow): Promise<void> {
    const res = await hosts.run(feed.url, () =>
      http.fetch({
        url: feed.url,
        kind: 'feed',
        maxBytes: config.network.maxFeedBytes,
        timeoutMs: config.network.feedTimeoutSeconds * 1000,
        etag: feed.etag,
        lastModified: feed.last_modified,
        signal: opts.signal,
        allow: feedAllow(feed.id),
      }),
    );
    checkpoint('after-feed-fetch');
    if (!res.ok) return feedFailed(feed, res.failure);
    const r = res.value;
    const schedule = { cacheControl: r.cacheControl, expires: r.expires };
    const success = {
      status: r.status,
      notModified: r.notModified,
      etag: r.etag,
      lastModified: r.lastModified,
      permanentUrl: r.permanentRedirect,
      contentHash: null as string | null,
      nextCheckAt: nextCheckFor(feed, schedule),
    };
    if (r.notModified) {
      store.write(db, () => store.recordFeedSuccess(db, feed.id, success, iso()));
      summary.feeds.notModified++;
      emit({ type: 'feed', feedId: feed.id, feed: feed.name, result: 'not_modified', newItems: 0 });
      return;
    }
    // The same bytes under a new ETag create nothing and cost nothing.
    const contentHash = createHash('sha256').update(r.body).digest('hex');
    if (contentHash === feed.content_hash) {
      store.write(db, () => store.recordFeedSuccess(db, feed.id, { ...success, contentHash }, iso()));
      summary.feeds.notModified++;
      emit({ type: 'feed', feedId: feed.id, feed: feed.name, result: 'unchanged', newItems: 0 });
      return;
    }
    const parsed = await parseFeed(r.body, r.url, r.contentType);
    if (!parsed.ok) return feedFailed(feed, parsed.failure);
    // The parser returns every item, newest first; how many this run takes is the run's decision.
    const items = parsed.value.items.slice(0, config.run.maxItemsPerFeed).map((it) => ({
      key: it.key,
      url: it.link,
      canonicalUrl: it.link ? canonicalUrl(it.link) : null,
      title: it.title,
      published: it.published,
      author: it.author,
      summary: it.summary,
      content: it.content,
    }));
    const newIds = store.write(db, () => {
      const ids = store.insertNewItems(db, feed.id, items, iso());
      store.recordFeedSuccess(
        db,
        feed.id,
        {
          ...success,
          contentHash,
          title: parsed.value.title,
          siteUrl: parsed.value.link,
          nextCheckAt: nextCheckFor(feed, { ...schedule, ttlMinutes: parsed.value.ttlMinutes }),
        },
        iso(),
      );
      return ids;
    });
    summary.feeds.fetched++;
    summary.items.new += newIds.length;
    emit({ type: 'feed', feedId: feed.id, feed: feed.name, result: 'ok', newItems: newIds.length });
    for (const id of newIds) scheduleItem(id);
  }

  /** When the feed is next due: its interval, stretched by TTL/Cache-Control/Expires, Retry-After and errors. */
  function nextCheckFor(
    feed: FeedRow,
    hints: { cacheControl?: string | null; expires?: string | null; ttlMinutes?: number | null; failure?: Failure },
  ): string {
    const configured = config.feeds.find((f) => f.url === feed.url);
    return iso(
      nextCheckAt({
        now: clock(),
        intervalMinutes: configured?.intervalMinutes ?? config.schedule.feedIntervalMinutes,
        minMinutes: config.schedule.minIntervalMinutes,
        ttlMinutes: hints.ttlMinutes,
        cacheControl: hints.cacheControl,
        expires: hints.expires,
        retryAfterMs: hints.failure?.retryAfterMs,
        consecutiveErrors: hints.failure ? feed.error_count + 1 : 0,
        rateLimited: hints.failure?.kind === 'fetch.rate_limited',
      }),
    );
  }

  function feedFailed(feed: FeedRow, failure: Failure): void {
    if (failure.kind === 'run.aborted') return;
    const next = nextCheckFor(feed, { failure });
    store.write(db, () => store.recordFeedFailure(db, feed.id, failure, iso(), next));
    summary.feeds.failed++;
    addError({ scope: 'feed', id: feed.id, name: feed.name, kind: failure.kind, message: failure.message });
    emit({ type: 'feed', feedId: feed.id, feed: feed.name, result: 'error', newItems: 0, failure });
  }

  async function processItem(id: number): Promise<void> {
    if (opts.signal?.aborted) return;
    const item = store.write(db, () => store.claimItem(db, id, owner, iso(clock() + leaseMs), iso()));
    if (!item) return; // another run has it, or it needs no work any more
    summary.items.worked++;
    const article = await articleFor(item);
    if (!article.ok) return itemFailed(item, article.failure);
    checkpoint('after-extract');

    const input: DraftInput = {
      title: article.value.title ?? item.title ?? item.url ?? 'Untitled',
      url: item.url ?? '',
      text: article.value.text,
      siteName: article.value.siteName,
      feedName: feedName(item.feed_id),
      readingMinutes: article.value.readingMinutes,
    };
    const drafted: Outcome<Draft> =
      drafter.engine === 'llm'
        ? await llmLimiter.run(estimateCallTokens(input, config.llm.maxInputTokens), () => drafter.draft(input, opts.signal), rateLimitedFor)
        : await drafter.draft(input);
    checkpoint('after-draft');
    if (!drafted.ok) return itemFailed(item, drafted.failure);
    store.write(db, () => store.saveDraft(db, item.id, runId, drafted.value, iso()));
    summary.drafts.made++;
    emit({ type: 'item', feedId: item.feed_id, itemId: item.id, url: item.url, stage: 'drafted', engine: drafted.value.engine });
  }

  /** The item's article: stored already (a run that died after extracting), or fetched and extracted now. */
  async function articleFor(item: ItemRow): Promise<Outcome<Article>> {
    const stored = store.getArticle(db, item.id);
    if (stored) return { ok: true, value: articleFromRow(stored) };
    let result: Outcome<Article>;
    let finalUrl: string | null = item.url;
    if (item.url) {
      const url = item.url;
      const allow = feedAllow(item.feed_id);
      const refused = robots ? await robots.check(url, allow) : null;
      const page: Outcome<FetchedResponse> = refused
        ? { ok: false, failure: refused }
        : await hosts.run(url, () =>
            http.fetch({
              url,
              kind: 'page',
              maxBytes: config.network.maxPageBytes,
              timeoutMs: config.network.pageTimeoutSeconds * 1000,
              signal: opts.signal,
              allow,
            }),
          );
      if (page.ok) {
        summary.articles.fetched++;
        finalUrl = page.value.url;
        result = await extractor.extract({
          html: page.value.body,
          url: page.value.url,
          contentType: page.value.contentType,
          feedContent: item.feed_content,
          feedTitle: item.title,
        });
      } else if (item.feed_content && !isDeferral(page.failure)) {
        // The page cannot be had, but the feed carried the story itself.
        result = await extractor.fromFeedContent(item.feed_content, item.url, item.title);
        if (!result.ok) result = page;
      } else {
        result = page;
      }
    } else if (item.feed_content) {
      result = await extractor.fromFeedContent(item.feed_content, '', item.title);
    } else {
      result = { ok: false, failure: { kind: 'extract.empty', message: 'the feed item has neither a link nor content' } };
    }
    if (result.ok) {
      const article = result.value;
      store.write(db, () => store.saveArticle(db, item.id, article, finalUrl, iso()));
      if (article.method === 'feed') summary.articles.fromFeed++;
      else summary.articles.extracted++;
      emit({ type: 'article', feedId: item.feed_id, itemId: item.id, method: article.method });
    }
    return result;
  }

  function itemFailed(item: ItemRow, failure: Failure): void {
    if (failure.kind === 'run.aborted') {
      // Stopping is not the item's fault: leave it as it was for the next run.
      store.write(db, () => store.releaseClaim(db, item.id));
      return;
    }
    let disposition: store.FailureDisposition;
    let next: string | null;
    if (isDeferral(failure)) {
      disposition = 'deferred';
      next = iso(clock() + Math.min(failure.retryAfterMs ?? 3600_000, DAY_MS));
      summary.drafts.deferred++;
    } else if (isPermanent(failure)) {
      disposition = 'blocked';
      next = null;
      summary.drafts.blocked++;
    } else {
      disposition = 'failed';
      const backoff = config.run.retryBackoffMinutes * 60_000 * 2 ** item.attempts;
      next = iso(clock() + Math.min(backoff, DAY_MS));
      summary.drafts.failed++;
    }
    store.write(db, () => store.recordItemFailure(db, item.id, failure, disposition, next, iso()));
    addError({ scope: 'item', id: item.id, name: item.url ?? item.title ?? String(item.id), kind: failure.kind, message: failure.message });
    emit({ type: 'item', feedId: item.feed_id, itemId: item.id, url: item.url, stage: disposition, failure });
  }

  const feedNames = new Map<number, string>();
  function feedName(feedId: number): string | null {
    return feedNames.get(feedId) ?? null;
  }
  /** A feed's own allow entries (feeds[].allow): they open its feed URL and its items' pages, no other feed's. */
  const feedAllows = new Map<number, readonly string[]>();
  function feedAllow(feedId: number): readonly string[] | undefined {
    return feedAllows.get(feedId);
  }

  try {
    store.write(db, () => store.syncFeeds(db, config.feeds, iso()));
    const active = store.activeFeeds(db);
    for (const f of active) {
      feedNames.set(f.id, f.name);
      const own = config.feeds.find((c) => c.url === f.url)?.allow;
      if (own?.length) feedAllows.set(f.id, own);
    }
    const feeds = opts.allFeeds ? active : store.dueFeeds(db, iso());
    summary.feeds.total = feeds.length;
    summary.feeds.notDue = active.length - feeds.length;
    // Work left by earlier runs (failed, deferred, or interrupted) flows in beside the new items.
    for (const id of store.dueItemIds(db, { now: iso(), maxAttempts: config.run.maxAttempts, retryFailed: !!opts.retryFailed })) {
      scheduleItem(id);
    }
    await Promise.all(
      feeds.map((f) =>
        processFeed(f).catch((err) => feedFailed(f, failureFromError(err))),
      ),
    );
    // Items scheduled while awaiting may add more tasks; wait until none are left.
    for (let done = 0; done < itemTasks.length; ) {
      const batch = itemTasks.slice(done);
      await Promise.all(batch);
      done += batch.length;
    }
  } finally {
    clearInterval(heartbeat);
    summary.llm = { ...drafter.usage };
    summary.status = opts.signal?.aborted ? 'aborted' : 'completed';
    summary.durationMs = clock() - started;
    await Promise.allSettled([http.close(), extractor.close()]);
    store.finishRun(db, runId, summary.status, summary, iso());
  }
  return summary;
}


function articleFromRow(a: store.ArticleRow): Article {
  return {
    title: a.title,
    byline: a.byline,
    siteName: a.site_name,
    publishedTime: a.published_time,
    lang: a.lang,
    leadImage: a.lead_image,
    text: a.text,
    html: a.html,
    wordCount: a.word_count,
    readingMinutes: a.reading_minutes,
    method: a.method as Article['method'],
    confidence: a.confidence,
  };
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
