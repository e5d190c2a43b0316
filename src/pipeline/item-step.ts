import { failureFromError, isDeferral, isRunFatal, type Failure, type Outcome } from '../core/failure.ts';
import type { Article, Draft, DraftInput } from '../core/types.ts';
import type { FetchedResponse } from '../fetch/index.ts';
import { StoreError, type WorkItem } from '../store/index.ts';
import { attachIfCopy } from './coverage-step.ts';
import { nowOf, type RunContext } from './context.ts';
import { isLastAttempt, itemDisposition } from './item-disposition.ts';
import { summaryError } from './summary.ts';

/**
 * One item through claim -> article -> copy check -> draft -> store. A failure is recorded on the item (or,
 * when it is not the item's fault, the item is left as it was); a fault of the database is
 * handled here too, so nothing an item does ever stops the run by throwing.
 */
export async function runItem(ctx: RunContext, id: number): Promise<void> {
  try {
    await takeItem(ctx, id);
  } catch (err) {
    await itemFault(ctx, id, err);
  }
}

async function takeItem(ctx: RunContext, id: number): Promise<void> {
  if (!(await takingWork(ctx))) return;
  const item = await ctx.store.items.claim(id, ctx.runId, new Date(ctx.clock() + ctx.config.run.leaseSeconds * 1000), nowOf(ctx), ctx.path.statuses);
  if (!item) return; // another run has it, or it needs no work any more
  ctx.tally({ type: 'item.taken' });
  const waiting = budgetSpent(ctx);
  if (waiting) return itemFailed(ctx, item, waiting);
  const article = await articleFor(ctx, item);
  if (!article.ok) return itemFailed(ctx, item, article.failure);
  ctx.killIfAt('after-extract');
  if ((await attachIfCopy(ctx, item, article.value)) !== 'draft') return;
  const drafted = await draft(ctx, item, article.value);
  ctx.killIfAt('after-draft');
  if (!drafted.ok) return itemFailed(ctx, item, drafted.failure);
  await saveDraft(ctx, item, drafted.value);
}

/** Whether the run still takes new items: not stopped, before its deadline, and still holding its lease. */
export async function takingWork(ctx: RunContext): Promise<boolean> {
  if (ctx.stop.stopped) return false;
  if (ctx.clock() >= ctx.deadline) {
    ctx.stop.stop(
      { kind: 'run.deadline', message: `the run reached run.maxMinutes (${ctx.config.run.maxMinutes}); the items left wait for the next run` },
      { abortInFlight: false },
    );
    return false;
  }
  return ctx.lease.confirm();
}

/**
 * Why no LLM request fits the token budget any more, even the smallest a draft makes: the item
 * then waits for the next run (or day) before its page is fetched. Null while one may fit; each
 * request is checked again before it is sent.
 */
function budgetSpent(ctx: RunContext): Failure | null {
  // The budget counts only under a cap: counting would load the tokenizer in the middle of the
  // first feeds (the run loads it while the first pages are extracted: see warmUp in run.ts).
  return ctx.drafter.engine === 'llm' ? ctx.budget.exhausted(ctx.drafter.minRequestTokens) : null;
}

/** The item's article: stored already (a run that died after extracting), or fetched and extracted now. */
async function articleFor(ctx: RunContext, item: WorkItem): Promise<Outcome<Article>> {
  const stored = await ctx.store.articles.get(item.id);
  if (stored) return { ok: true, value: stored };
  const net = ctx.net;
  if (!net) return { ok: false, failure: { kind: 'extract.empty', message: `story ${item.id} has no stored article to draft from` } };
  let result: Outcome<Article>;
  let finalUrl: string | null = item.url;
  if (item.url) {
    const url = item.url;
    const allow = net.feedAllow.get(item.feedId);
    const refused = net.robots ? await net.robots.check(url, allow) : null;
    const page: Outcome<FetchedResponse> = refused
      ? { ok: false, failure: refused }
      : await net.hosts.run(url, () =>
          net.http.fetch({
            url,
            kind: 'page',
            maxBytes: ctx.config.network.maxPageBytes,
            timeoutMs: ctx.config.network.pageTimeoutSeconds * 1000,
            signal: ctx.stop.signal,
            allow,
          }),
        );
    if (page.ok) {
      ctx.tally({ type: 'page.fetched' });
      finalUrl = page.value.url;
      result = await net.extractor.extract({
        html: page.value.body,
        url: page.value.url,
        contentType: page.value.contentType,
        feedContent: item.feedContent,
        feedTitle: item.title,
      });
    } else if (item.feedContent && (!isDeferral(page.failure) || isLastAttempt(item.attempts, ctx.config.run))) {
      // The page cannot be had (or keeps answering 429/503 to the last attempt), but the feed
      // carried the story itself: the article is marked as taken from the feed.
      result = await net.extractor.fromFeedContent(item.feedContent, item.url, item.title);
      if (!result.ok) result = page;
    } else {
      result = page;
    }
  } else if (item.feedContent) {
    result = await net.extractor.fromFeedContent(item.feedContent, '', item.title);
  } else {
    result = { ok: false, failure: { kind: 'extract.empty', message: 'the feed item has neither a link nor content' } };
  }
  if (result.ok) {
    const article = result.value;
    await ctx.store.articles.save(item.id, article, finalUrl, nowOf(ctx));
    ctx.tally({ type: 'article.made', fromFeed: article.method === 'feed' });
    ctx.emit({ type: 'article', runId: ctx.runId, feedId: item.feedId, itemId: item.id, method: article.method });
  }
  return result;
}

async function draft(ctx: RunContext, item: WorkItem, article: Article): Promise<Outcome<Draft>> {
  const input: DraftInput = {
    title: article.title ?? item.title ?? item.url ?? 'Untitled',
    url: item.url ?? '',
    text: article.text,
    siteName: article.siteName,
    feedName: item.feedName,
    readingMinutes: article.readingMinutes,
  };
  if (ctx.drafter.engine !== 'llm') return ctx.drafter.draft(input);
  // The run may have stopped while the article was made (an endpoint fault, a lost lease): no call then.
  if (ctx.stop.signal.aborted) return { ok: false, failure: ctx.stop.reason ?? { kind: 'run.aborted', message: 'the run stopped' } };
  // Each request of the draft waits for the run's limiter inside the drafter; the signal lets a
  // waiting request go at once when the run stops, to end without a call.
  return ctx.drafter.draft(input, ctx.stop.signal);
}

/** Stores a draft if this run still holds the item; a locked database holds it for later, a failing one spools it. */
async function saveDraft(ctx: RunContext, item: WorkItem, d: Draft): Promise<void> {
  let id: number | null;
  try {
    id = await ctx.store.drafts.save(item.id, ctx.runId, d, nowOf(ctx));
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    if (err.failure.kind === 'db.busy') ctx.heldDrafts.push({ item, draft: d });
    else {
      await keepDraft(ctx, item, d);
      ctx.stop.stop(err.failure, { abortInFlight: false });
    }
    return;
  }
  if (id === null) {
    // The claim is gone: another run took this run's lease over. Nothing is saved; stop.
    await ctx.lease.confirm();
    return;
  }
  countDraft(ctx, item, d);
}

export function countDraft(ctx: RunContext, item: WorkItem, d: Draft): void {
  ctx.tally({ type: 'draft.stored', flagged: d.needsReview === true });
  ctx.emit({ type: 'item', runId: ctx.runId, feedId: item.feedId, itemId: item.id, url: item.url, stage: 'drafted', engine: d.engine });
}

/** Writes a paid draft the database would not take to the spool beside it; the next run stores it. */
export async function keepDraft(ctx: RunContext, item: WorkItem, d: Draft): Promise<void> {
  const file = await ctx.store.drafts.keep(item.id, ctx.runId, d, nowOf(ctx));
  ctx.tally({ type: 'draft.kept', error: summaryError('item', item.id, item.url ?? String(item.id), { kind: 'db.busy', message: `the draft could not be stored; kept in ${file} for the next run` }) });
}

async function itemFailed(ctx: RunContext, item: WorkItem, failure: Failure): Promise<void> {
  if (isRunFatal(failure)) ctx.stop.stop(failure, { abortInFlight: true });
  // Work the run itself cut short (a signal, a lost lease, an endpoint fault) is not the item's failure.
  const d = ctx.stop.signal.aborted ? ({ action: 'release' } as const) : itemDisposition(failure, item.attempts, ctx.config.run, ctx.clock());
  const name = item.url ?? item.title ?? String(item.id);
  if (d.action === 'release' || ctx.path.mode === 'redraft') {
    await ctx.store.items.release(item.id, ctx.runId);
    if (d.action === 'record') ctx.tally({ type: 'error', error: summaryError('item', item.id, name, failure) });
    return;
  }
  const recorded = await ctx.store.items.recordFailure(
    item.id,
    ctx.runId,
    failure,
    { status: d.status, countsAttempt: d.countsAttempt, nextAttemptAt: d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt) },
    nowOf(ctx),
  );
  if (!recorded) return; // another run holds the item now
  // A spent budget is the config's limit, not an error: counted, and the reason is on the item.
  if (failure.kind === 'llm.budget') ctx.tally({ type: 'item.over_budget', status: d.status });
  else ctx.tally({ type: 'item.failed', status: d.status, error: summaryError('item', item.id, name, failure) });
  ctx.emit({ type: 'item', runId: ctx.runId, feedId: item.feedId, itemId: item.id, url: item.url, stage: d.status, failure });
}

/**
 * An item step threw. A locked database: the item is taken once more at the end of the run, no
 * attempt spent. Any other database fault stops the run. Anything else is a bug, recorded on the
 * item like a failure so one item never crashes the run.
 */
async function itemFault(ctx: RunContext, id: number, err: unknown): Promise<void> {
  if (err instanceof StoreError) {
    if (err.failure.kind === 'db.busy') ctx.retryLater.add(id);
    else ctx.stop.stop(err.failure, { abortInFlight: false });
    return;
  }
  const failure = failureFromError(err);
  try {
    await ctx.store.items.recordFailure(id, ctx.runId, failure, { status: 'failed', countsAttempt: true, nextAttemptAt: new Date(ctx.clock() + 3600_000) }, nowOf(ctx));
  } catch {
    // The database refused even that: the failure is still in the summary below.
  }
  ctx.tally({ type: 'item.failed', status: 'failed', error: summaryError('item', id, String(id), failure) });
}
