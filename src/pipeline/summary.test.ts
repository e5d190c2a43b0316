import { describe, expect, it } from 'vitest';
import { applyEvent, emptySummary, summarize, type SummaryError, type SummaryEvent } from './summary.ts';

const err = (id: number, scope: SummaryError['scope'] = 'item'): SummaryError => ({ scope, id, name: `#${id}`, kind: 'fetch.timeout', message: `item ${id} timed out` });
const ended: Extract<SummaryEvent, { type: 'run.ended' }> = {
  type: 'run.ended',
  status: 'completed',
  stop: null,
  llm: { calls: 3, inputTokens: 300, outputTokens: 60, rateLimited: 1, estimatedCost: 0.01 },
  budget: { maxTokensPerRun: 1000, maxTokensPerDay: null, spentToday: 360 },
  durationMs: 1234,
};

describe('applyEvent', () => {
  it('counts what the feeds did', () => {
    const s = summarize(
      [
        { type: 'feeds.chosen', total: 4, notDue: 2 },
        { type: 'feed.fetched', warnings: 2, newItems: 7, overCap: 3 },
        { type: 'feed.fetched', warnings: 0, newItems: 1, overCap: 0 },
        { type: 'feed.unchanged' },
        { type: 'feed.failed', error: err(9, 'feed') },
      ],
      'llm',
    );
    expect(s.feeds).toEqual({ total: 4, fetched: 2, notModified: 1, failed: 1, notDue: 2, warnings: 2 });
    expect(s.items).toEqual({ new: 8, worked: 0, overCap: 3 });
    expect(s.errors).toEqual([err(9, 'feed')]);
  });

  it('counts what the items did, and lists the errors in the order they happened', () => {
    const s = summarize(
      [
        { type: 'spool.stored', drafts: 2 },
        { type: 'item.taken' },
        { type: 'item.taken' },
        { type: 'item.taken' },
        { type: 'item.taken' },
        { type: 'page.fetched' },
        { type: 'article.made', fromFeed: false },
        { type: 'article.made', fromFeed: true },
        { type: 'draft.stored', flagged: true },
        { type: 'draft.stored', flagged: false },
        { type: 'item.duplicate' },
        { type: 'draft.kept', error: err(1) },
        { type: 'item.failed', status: 'deferred', error: err(2) },
        { type: 'item.failed', status: 'blocked', error: err(3) },
        { type: 'item.failed', status: 'failed', error: err(4) },
        { type: 'item.over_budget', status: 'deferred' },
        { type: 'error', error: err(5) },
      ],
      'llm',
    );
    expect(s.items.worked).toBe(4);
    expect(s.articles).toEqual({ fetched: 1, extracted: 1, fromFeed: 1 });
    expect(s.drafts).toEqual({ made: 4, failed: 1, deferred: 2, blocked: 1, flagged: 1, kept: 1, duplicates: 1 });
    expect(s.budget.deferred).toBe(1);
    expect(s.errors.map((e) => e.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('lists the first 50 errors and goes on counting', () => {
    const s = summarize(Array.from({ length: 60 }, (_, i): SummaryEvent => ({ type: 'item.failed', status: 'failed', error: err(i) })), 'llm');
    expect(s.drafts.failed).toBe(60);
    expect(s.errors).toHaveLength(50);
    expect(s.errors.at(-1)!.id).toBe(49);
  });

  it("ends a run with its status, stop, spending and caps, keeping the items deferred for the budget", () => {
    const s = summarize([{ type: 'run.started', runId: 7, tookOverRunId: 6 }, { type: 'item.over_budget', status: 'deferred' }, ended], 'llm');
    expect(s).toMatchObject({ runId: 7, tookOverRunId: 6, status: 'completed', stop: null, llm: ended.llm, durationMs: 1234 });
    expect(s.budget).toEqual({ maxTokensPerRun: 1000, maxTokensPerDay: null, spentToday: 360, deferred: 1 });
  });

  it('leaves the budget as it was when the end reports none (a redraft)', () => {
    const { budget, ...redraftEnd } = ended;
    expect(budget).toBeDefined();
    const s = summarize([{ type: 'item.over_budget', status: 'deferred' }, { ...redraftEnd, status: 'failed', stop: { kind: 'llm.auth', message: 'no key' } }], 'llm');
    expect(s.budget).toEqual({ ...emptySummary('llm').budget, deferred: 1 });
    expect(s.status).toBe('failed');
    expect(s.stop).toEqual({ kind: 'llm.auth', message: 'no key' });
  });

  it('marks a run abandoned when its end was recorded after it lost the lease', () => {
    expect(summarize([ended, { type: 'run.abandoned' }], 'llm').status).toBe('abandoned');
  });

  it('keeps the keys where `run --json` prints them, with the holder last for a run that found another running', () => {
    const keys = Object.keys(emptySummary('llm'));
    const all: SummaryEvent[] = [
      { type: 'run.started', runId: 1, tookOverRunId: null },
      { type: 'feeds.chosen', total: 1, notDue: 0 },
      { type: 'feed.fetched', warnings: 0, newItems: 1, overCap: 0 },
      { type: 'item.taken' },
      { type: 'page.fetched' },
      { type: 'article.made', fromFeed: false },
      { type: 'draft.stored', flagged: false },
      { type: 'item.over_budget', status: 'deferred' },
      { type: 'error', error: err(1, 'run') },
      ended,
    ];
    const s = summarize(all, 'llm');
    expect(Object.keys(s)).toEqual(keys);
    for (const k of ['feeds', 'items', 'articles', 'drafts', 'llm', 'budget'] as const) expect(Object.keys(s[k]), k).toEqual(Object.keys(emptySummary('llm')[k]));
    const holder = { runId: 3, pid: 42, host: 'h', heartbeatAt: new Date(0) };
    const refused = summarize([{ type: 'run.refused', holder, durationMs: 5 }], 'extractive');
    expect(Object.keys(refused)).toEqual([...keys, 'holder']);
    expect(refused).toMatchObject({ status: 'already_running', holder, durationMs: 5, engine: 'extractive', runId: null });
  });

  it('is pure: the summary it was given is left as it was', () => {
    const before = emptySummary('llm');
    const copy = structuredClone(before);
    for (const e of [{ type: 'item.failed', status: 'failed', error: err(1) }, { type: 'draft.stored', flagged: true }, ended] as SummaryEvent[]) {
      applyEvent(before, e);
    }
    expect(before).toEqual(copy);
  });
});
