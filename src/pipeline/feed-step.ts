import { createHash } from 'node:crypto';
import type { Config } from '../config/index.ts';
import type { Failure, Outcome } from '../core/failure.ts';
import type { FeedItem } from '../core/types.ts';
import type { FetchedResponse } from '../fetch/index.ts';
import { canonicalUrl, parseFeed } from '../parse/index.ts';
import { StoreError, type Feed, type NewItem } from '../store/index.ts';
import { nowOf, type RunContext, type RunNet } from './context.ts';
import { nextCheckAt } from './next-check.ts';
import { summaryError } from './summary.ts';

/**
 * One feed: fetch, parse, store the new items (and the fetch's validators) in one transaction.
 * Returns the ids of the new items to take in this run: the newest run.maxItemsPerFeed; the rest
 * wait for later runs. A failure is recorded on the feed; a locked database leaves the feed due.
 */
export async function runFeed(ctx: RunContext, feed: Feed): Promise<number[]> {
  try {
    return await fetchFeed(ctx, feed);
  } catch (err) {
    if (!(err instanceof StoreError)) return feedFailed(ctx, feed, { kind: 'internal', message: (err as Error).message ?? String(err) });
    // The feed's result could not be stored: it stays due, and is fetched again by the next run.
    if (err.failure.kind !== 'db.busy') ctx.stop.stop(err.failure, { abortInFlight: false });
    ctx.tally({ type: 'feed.failed', error: summaryError('feed', feed.id, feed.name, err.failure) });
    return [];
  }
}

/**
 * The feed's conditional GET (its stored ETag and Last-Modified sent back), within the host's
 * limits and the config's caps on time and bytes.
 */
export function requestFeed(
  net: Pick<RunNet, 'http' | 'hosts'>,
  config: Config,
  feed: Pick<Feed, 'url' | 'etag' | 'lastModified'>,
  allow: readonly string[] | undefined,
  signal?: AbortSignal,
): Promise<Outcome<FetchedResponse>> {
  return net.hosts.run(feed.url, () =>
    net.http.fetch({
      url: feed.url,
      kind: 'feed',
      maxBytes: config.network.maxFeedBytes,
      timeoutMs: config.network.feedTimeoutSeconds * 1000,
      etag: feed.etag,
      lastModified: feed.lastModified,
      signal,
      allow,
    }),
  );
}

/** The SHA-256 of a feed body: the same bytes under a new ETag are no news. */
export const feedContentHash = (body: Uint8Array | string): string => createHash('sha256').update(body).digest('hex');

async function fetchFeed(ctx: RunContext, feed: Feed): Promise<number[]> {
  const net = ctx.net!;
  const res = await requestFeed(net, ctx.config, feed, net.feedAllow.get(feed.id), ctx.stop.signal);
  ctx.killIfAt('after-feed-fetch');
  if (!res.ok) return feedFailed(ctx, feed, res.failure);
  const r = res.value;
  const schedule = { cacheControl: r.cacheControl, expires: r.expires };
  const fetched = {
    status: r.status,
    notModified: r.notModified,
    etag: r.etag,
    lastModified: r.lastModified,
    permanentUrl: r.permanentRedirect,
    contentHash: null as string | null,
    nextCheckAt: nextCheckFor(ctx, feed, schedule),
  };
  if (r.notModified) {
    await ctx.store.feeds.recordFetch(feed.id, fetched, [], nowOf(ctx));
    ctx.tally({ type: 'feed.unchanged' });
    ctx.emit({ type: 'feed', runId: ctx.runId, feedId: feed.id, feed: feed.name, result: 'not_modified', newItems: 0 });
    return [];
  }
  // The same bytes under a new ETag create nothing and cost nothing.
  const contentHash = feedContentHash(r.body);
  if (contentHash === feed.contentHash) {
    await ctx.store.feeds.recordFetch(feed.id, { ...fetched, contentHash }, [], nowOf(ctx));
    ctx.tally({ type: 'feed.unchanged' });
    ctx.emit({ type: 'feed', runId: ctx.runId, feedId: feed.id, feed: feed.name, result: 'unchanged', newItems: 0 });
    return [];
  }
  // The parser returns every item; the cap is the run's decision (run.maxItemsPerFeed, below).
  const parsed = await parseFeed(r.body, r.url, r.contentType);
  if (!parsed.ok) return feedFailed(ctx, feed, parsed.failure);
  const warnings = parsed.value.warnings ?? [];
  const { newIds, newOverCap } = await ctx.store.feeds.recordFetch(
    feed.id,
    {
      ...fetched,
      contentHash,
      title: parsed.value.title,
      siteUrl: parsed.value.link,
      nextCheckAt: nextCheckFor(ctx, feed, { ...schedule, ttlMinutes: parsed.value.ttlMinutes }),
      parse: { itemsInFeed: parsed.value.items.length, warnings },
    },
    newestFirstCapped(parsed.value.items, ctx.config.run.maxItemsPerFeed),
    nowOf(ctx),
  );
  ctx.tally({ type: 'feed.fetched', warnings: warnings.length, newItems: newIds.length + newOverCap, overCap: newOverCap });
  ctx.emit({ type: 'feed', runId: ctx.runId, feedId: feed.id, feed: feed.name, result: 'ok', newItems: newIds.length + newOverCap });
  return newIds;
}

/**
 * The feed's items, newest first, those past the cap marked to wait for later runs. An undated
 * item counts as published when found, as the store orders it.
 */
export function newestFirstCapped(items: readonly FeedItem[], cap: number): NewItem[] {
  const time = (it: FeedItem) => (it.published ? Date.parse(it.published) : Number.POSITIVE_INFINITY);
  return items
    .map((it, i) => ({ it, i }))
    .sort((a, b) => time(b.it) - time(a.it) || a.i - b.i)
    .map(({ it }, nth) => ({
      key: it.key,
      url: it.link,
      canonicalUrl: it.link ? canonicalUrl(it.link) : null,
      title: it.title,
      published: it.published,
      author: it.author,
      summary: it.summary,
      content: it.content,
      overCap: nth >= cap,
    }));
}

/** When the feed is next due: its interval, stretched by TTL/Cache-Control/Expires, Retry-After and errors. */
function nextCheckFor(
  ctx: RunContext,
  feed: Feed,
  hints: { cacheControl?: string | null; expires?: string | null; ttlMinutes?: number | null; failure?: Failure },
): Date {
  const configured = ctx.config.feeds.find((f) => f.url === feed.url);
  return new Date(
    nextCheckAt({
      now: ctx.clock(),
      intervalMinutes: configured?.intervalMinutes ?? ctx.config.schedule.feedIntervalMinutes,
      minMinutes: ctx.config.schedule.minIntervalMinutes,
      ttlMinutes: hints.ttlMinutes,
      cacheControl: hints.cacheControl,
      expires: hints.expires,
      retryAfterMs: hints.failure?.retryAfterMs,
      consecutiveErrors: hints.failure ? (feed.error?.count ?? 0) + 1 : 0,
      rateLimited: hints.failure?.kind === 'fetch.rate_limited',
    }),
  );
}

async function feedFailed(ctx: RunContext, feed: Feed, failure: Failure): Promise<number[]> {
  if (failure.kind === 'run.aborted') return [];
  await ctx.store.feeds.recordFailure(feed.id, failure, nextCheckFor(ctx, feed, { failure }), nowOf(ctx));
  ctx.tally({ type: 'feed.failed', error: summaryError('feed', feed.id, feed.name, failure) });
  ctx.emit({ type: 'feed', runId: ctx.runId, feedId: feed.id, feed: feed.name, result: 'error', newItems: 0, failure });
  return [];
}
