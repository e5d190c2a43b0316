/**
 * `aiwins run --dry-run`: what a run would do now, without doing it. The due feeds are fetched
 * (with their stored ETag and Last-Modified, so a 304 counts as it would in a run) and nothing
 * else: no article page, no LLM call, and nothing is written to the database (no feed state, no
 * items, no run row, not even the new validators). The LLM's work is estimated with our
 * tokenizer: an article not fetched yet is taken to fill its token budget, each answer its
 * max_output_tokens, one request per item (a repair turn would add one).
 */
import type { Config } from '../config/index.ts';
import type { Failure } from '../core/failure.ts';
import { costOf } from '../core/pricing.ts';
import type { DraftInput, Engine } from '../core/types.ts';
import { createHttpClient } from '../fetch/index.ts';
import { parseFeed } from '../parse/index.ts';
import type { Feed, NewItem, Store } from '../store/index.ts';
import { createTokenBudget, utcDayStart } from './budget.ts';
import { drafterFor, type Drafter } from './drafter.ts';
import { feedContentHash, newestFirstCapped, requestFeed } from './feed-step.ts';
import { HostQueues } from './queues.ts';
import { dueQuery } from './run.ts';

/** One configured feed, as the run would find it now. */
export interface DryRunFeed {
  name: string;
  url: string;
  /**
   * ok: fetched and parsed; not_modified: a 304; unchanged: the same bytes as last time; error:
   * the fetch or parse failed (`error`); not_due: its next check is later; gone: it answered 410
   * Gone and is never polled again.
   */
  result: 'ok' | 'not_modified' | 'unchanged' | 'error' | 'not_due' | 'gone';
  /** Items the run would store as new; `overCap` of them wait for later runs (run.maxItemsPerFeed). */
  newItems: number;
  overCap: number;
  error: { kind: string; message: string } | null;
}

/** What `run --dry-run` prints (`--json`: this object). */
export interface DryRunSummary {
  dryRun: true;
  engine: Engine;
  /** The model estimates are priced for (llm.model); null offline. */
  model: string | null;
  feeds: DryRunFeed[];
  /** new: found in the feeds (over the cap included); waiting: left by earlier runs and due now; toDraft: what the run would take. */
  items: { new: number; overCap: number; waiting: number; toDraft: number };
  /** One request per item to draft, estimated; estimatedCost from llm.pricing, null when the model has no price. */
  llm: { calls: number; inputTokens: number; outputTokens: number; estimatedCost: number | null };
  /** The token caps, the day's spending so far, and how many items they would hold back by these estimates. */
  budget: { maxTokensPerRun: number | null; maxTokensPerDay: number | null; spentToday: number; wouldDefer: number };
}

export interface DryRunOptions {
  /** Every feed now, as `run --all-feeds`. */
  allFeeds?: boolean;
  /** Failed and deferred items now, as `run --retry-failed`. */
  retryFailed?: boolean;
  now?: () => number;
  signal?: AbortSignal;
}

/** A feed's fetch: the new items found (newest first, over-cap marked), or why there are none. */
type Fetched = { feed: DryRunFeed; items: NewItem[]; storedId: number | null };

/**
 * Plans a run over `store` (null: no database yet, so every feed is due and every item new),
 * reading the store and fetching the due feeds only. Throws PipelineSetupError as a run would
 * (a broken prompt file, an LLM asked for but not configured).
 */
export async function planRun(config: Config, store: Store | null, opts: DryRunOptions = {}): Promise<DryRunSummary> {
  const clock = opts.now ?? Date.now;
  const engine: Engine = config.llmConfigured ? 'llm' : 'extractive';
  const drafter = await drafterFor(config, engine);
  const stored = new Map((store ? await store.feeds.all() : []).map((f) => [f.url, f]));

  const http = createHttpClient({ allow: [...config.network.allow], allowedPorts: [...config.network.allowedPorts], userAgent: config.network.userAgent });
  const hosts = new HostQueues(config.network.concurrency, config.network.perHostConcurrency);
  let fetched: Fetched[];
  try {
    fetched = await Promise.all(
      config.feeds.map((f) => planFeed({ http, hosts }, config, f, stored.get(f.url) ?? null, { all: !!opts.allFeeds, now: clock(), signal: opts.signal })),
    );
  } finally {
    await http.close();
  }

  // Counted in config order, as the store would insert them: one story per canonical URL across feeds.
  const requests: { inputTokens: number; outputTokens: number }[] = [];
  const claimedUrls = new Set<string>();
  for (const f of fetched) {
    const unseen = store ? await store.items.unseen(f.storedId, f.items) : f.items.map(() => true);
    f.items.forEach((it, i) => {
      if (!unseen[i] || (it.canonicalUrl !== null && claimedUrls.has(it.canonicalUrl))) return;
      if (it.canonicalUrl !== null) claimedUrls.add(it.canonicalUrl);
      f.feed.newItems++;
      if (it.overCap) f.feed.overCap++;
      else requests.push(drafter.estimate(inputOf(it, f.feed.name), { articleUnknown: true }));
    });
  }
  const waiting = store ? await store.items.due(dueQuery(config, clock(), !!opts.retryFailed)) : [];
  for (const id of waiting) requests.push(await waitingEstimate(store!, drafter, id));

  const feeds = fetched.map((f) => f.feed);
  const inputTokens = sum(requests.map((r) => r.inputTokens));
  const outputTokens = sum(requests.map((r) => r.outputTokens));
  const model = engine === 'llm' ? config.llm.model : null;
  return {
    dryRun: true,
    engine,
    model,
    feeds,
    items: {
      new: sum(feeds.map((f) => f.newItems)),
      overCap: sum(feeds.map((f) => f.overCap)),
      waiting: waiting.length,
      toDraft: requests.length,
    },
    llm: {
      calls: engine === 'llm' ? requests.length : 0,
      inputTokens,
      outputTokens,
      estimatedCost: engine === 'llm' ? costOf(config.llm.pricing, [model], inputTokens, outputTokens) : 0,
    },
    budget: await budgetPlan(config, store, clock, engine === 'llm' ? requests : []),
  };
}

/** Fetches one feed if it is due, and parses it: its items, newest first, over-cap marked. */
async function planFeed(
  net: Parameters<typeof requestFeed>[0],
  config: Config,
  f: Config['feeds'][number],
  stored: Feed | null,
  at: { all: boolean; now: number; signal?: AbortSignal },
): Promise<Fetched> {
  const feed: DryRunFeed = { name: f.name, url: f.url, result: 'ok', newItems: 0, overCap: 0, error: null };
  const none = (result: DryRunFeed['result'], error: Failure | null = null): Fetched => ({
    feed: { ...feed, result, error: error && { kind: error.kind, message: error.message } },
    items: [],
    storedId: stored?.id ?? null,
  });
  if (stored?.goneAt) return none('gone');
  if (!at.all && stored?.nextCheckAt && stored.nextCheckAt.getTime() > at.now) return none('not_due');
  const res = await requestFeed(net, config, { url: f.url, etag: stored?.etag ?? null, lastModified: stored?.lastModified ?? null }, f.allow, at.signal);
  if (!res.ok) return none('error', res.failure);
  if (res.value.notModified) return none('not_modified');
  if (stored?.contentHash && feedContentHash(res.value.body) === stored.contentHash) return none('unchanged');
  const parsed = await parseFeed(res.value.body, res.value.url, res.value.contentType);
  if (!parsed.ok) return none('error', parsed.failure);
  return { feed, items: newestFirstCapped(parsed.value.items, config.run.maxItemsPerFeed), storedId: stored?.id ?? null };
}

/** What the drafter would be given for a new item, before its page is fetched. */
const inputOf = (it: Pick<NewItem, 'title' | 'url'>, feedName: string): DraftInput => ({
  title: it.title ?? it.url ?? 'Untitled',
  url: it.url ?? '',
  text: '',
  siteName: null,
  feedName,
  readingMinutes: 0,
});

/** An item left by an earlier run: estimated on its stored article when it has one. */
async function waitingEstimate(store: Store, drafter: Drafter, id: number) {
  const [item, article] = await Promise.all([store.items.get(id), store.articles.get(id)]);
  const input = inputOf({ title: item?.title ?? null, url: item?.url ?? null }, item?.feedName ?? '');
  if (!article) return drafter.estimate(input, { articleUnknown: true });
  return drafter.estimate({ ...input, title: article.title ?? input.title, text: article.text, siteName: article.siteName, readingMinutes: article.readingMinutes });
}

/** How many of the requests the token caps would hold back, each request counted at its estimate. */
async function budgetPlan(config: Config, store: Store | null, clock: () => number, requests: { inputTokens: number; outputTokens: number }[]) {
  const budget = createTokenBudget(config.llm, clock);
  budget.begin(store ? await store.drafts.tokensSince(new Date(utcDayStart(clock()))) : 0);
  const spentToday = budget.spentToday;
  let wouldDefer = 0;
  for (const r of requests) {
    const tokens = r.inputTokens + r.outputTokens;
    if (budget.reserve(tokens)) wouldDefer++;
    else budget.settle(tokens, tokens);
  }
  return { maxTokensPerRun: config.llm.maxTokensPerRun ?? null, maxTokensPerDay: config.llm.maxTokensPerDay ?? null, spentToday, wouldDefer };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
