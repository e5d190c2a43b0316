import { afterEach, beforeEach, expect, it } from 'vitest';
import { seedStories } from '../../test/helpers/stories.ts';
import { describeEachBackend, tempDatabase, type TempDatabase } from '../../test/helpers/stores.ts';

const NOW = new Date('2026-12-01T09:00:00.000Z');
const LATER = new Date('2026-12-01T10:00:00.000Z');
const PROMPT = { id: 'p', hash: 'h'.repeat(64), path: 'prompts/p.md' };
const PAID_FAILURE = { draft: null, failure: { kind: 'llm.invalid_output', message: 'not JSON' }, inputTokens: 900, outputTokens: 40, latencyMs: 1200, cost: 0.01 };

describeEachBackend('trials', (backend) => {
  let t: TempDatabase;
  beforeEach(async () => {
    t = await tempDatabase(backend);
  });
  afterEach(() => t.remove());

  it('stay reusable however often one trial runs again (a cached copy replaces the paid answer in its own row)', async () => {
    const s = await t.open();
    const [item] = await seedStories(s, [{ title: 'Eye scans' }]);
    const trial = await s.trials.open('t', PROMPT, 'm', NOW);
    // The first run calls the model; every later run of the same trial reuses that answer.
    await s.trials.record(trial.id, item!, 'key', PAID_FAILURE, false, NOW);
    for (let run = 2; run <= 4; run++) {
      const hit = await s.trials.cached('key');
      expect(hit, `run ${run}`).toMatchObject({ failure: PAID_FAILURE.failure, inputTokens: 900, outputTokens: 40 });
      await s.trials.record(trial.id, item!, 'key', hit!, true, NOW);
    }
    expect((await s.trials.results(trial.id)).map((r) => r.fromCache)).toEqual([true]);
  });

  it('opening a trial again points it at the new prompt and model, keeping its id and creation time', async () => {
    const s = await t.open();
    const first = await s.trials.open('t', PROMPT, 'm', NOW);
    const other = { id: 'q', hash: 'i'.repeat(64), path: 'prompts/q.md' };
    const again = await s.trials.open('t', other, 'm2', LATER);
    expect(again).toEqual({ id: first.id, name: 't', prompt: other, model: 'm2', createdAt: NOW, updatedAt: LATER });
    expect(await s.trials.get('t')).toEqual(again);
    expect(await s.trials.get('none')).toBeNull();
    await s.trials.open('u', PROMPT, 'm', LATER);
    expect((await s.trials.list()).map((x) => x.name)).toEqual(['t', 'u']);
  });

  it('reuses drafts and the failures that belong to the prompt, never a passing failure', async () => {
    const s = await t.open();
    const [a, b] = await seedStories(s, [{ title: 'A' }, { title: 'B' }]);
    const trial = await s.trials.open('t', PROMPT, 'm', NOW);
    await s.trials.record(trial.id, a!, 'timed-out', { ...PAID_FAILURE, failure: { kind: 'llm.timeout', message: 'slow' } }, false, NOW);
    expect(await s.trials.cached('timed-out')).toBeNull();
    const draft = { headline: 'H' } as never;
    await s.trials.record(trial.id, b!, 'drafted', { draft, failure: null, inputTokens: 1, outputTokens: 2, latencyMs: 3.4, cost: null }, false, NOW);
    expect(await s.trials.cached('drafted')).toEqual({ draft, failure: null, inputTokens: 1, outputTokens: 2, latencyMs: 3, cost: null });
    expect(await s.trials.results(trial.id)).toEqual([
      { itemId: a, cacheKey: 'timed-out', draft: null, failure: { kind: 'llm.timeout', message: 'slow' }, inputTokens: 900, outputTokens: 40, latencyMs: 1200, cost: 0.01, fromCache: false, createdAt: NOW },
      { itemId: b, cacheKey: 'drafted', draft, failure: null, inputTokens: 1, outputTokens: 2, latencyMs: 3, cost: null, fromCache: false, createdAt: NOW },
    ]);
  });

  it('keeps evaluations and gives the newest for a prompt', async () => {
    const s = await t.open();
    expect(await s.trials.lastEvaluation(PROMPT.hash)).toBeNull();
    const e = { trial: 't', prompt: { id: PROMPT.id, hash: PROMPT.hash }, model: 'm', where: 'database', at: NOW, result: { agreement: 0.5 } };
    await s.trials.recordEvaluation(e);
    await s.trials.recordEvaluation({ ...e, at: LATER, result: { agreement: 0.75, failed: ['x'] } });
    await s.trials.recordEvaluation({ ...e, prompt: { id: 'q', hash: 'q'.repeat(64) }, at: LATER });
    expect(await s.trials.lastEvaluation(PROMPT.hash)).toEqual({ ...e, at: LATER, result: { agreement: 0.75, failed: ['x'] } });
  });

  it('drafts stored articles, newest first: the ids asked for, or since a date, at most the limit', async () => {
    const s = await t.open();
    const [a, b, c] = await seedStories(s, [{ title: 'A', feed: 'One' }, { title: 'B', feed: 'Two' }, { title: 'C', feed: 'One' }]);
    const all = await s.trials.sources({});
    // Seeded stories share a publication time: the newer id first.
    expect(all.map((x) => x.itemId)).toEqual([c, b, a]);
    expect(all[1]).toEqual({ itemId: b, title: 'B', url: expect.stringMatching(/^https:\/\/news\.example\//), feedName: 'Two' });
    expect((await s.trials.sources({ ids: [a!, c!] })).map((x) => x.itemId)).toEqual([c, a]);
    expect(await s.trials.sources({ ids: [] })).toEqual([]);
    expect((await s.trials.sources({ limit: 2 })).map((x) => x.itemId)).toEqual([c, b]);
    expect((await s.trials.sources({ ids: [a!, b!], limit: 1 })).map((x) => x.itemId)).toEqual([b]);
    expect(await s.trials.sources({ since: new Date('2026-12-01T00:00:00Z') })).toEqual([]);
    expect(await s.trials.sources({ since: new Date('2026-11-30T10:00:00Z') })).toHaveLength(3);
  });
});
