import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createLlmLimiter, pacingOf, PACING_WINDOW, rateLimitWait, type LlmLimiterOptions, type PacedAnswer } from './llm-limiter.ts';
import { createLlmDrafter, loadPrompt } from '../draft/index.ts';
import { positiveAi } from '../draft/__fixtures__/articles.ts';
import { errorReply, startOpenAiServer, validDraftReply } from '../../test/helpers/openai-server.ts';

/** A manual clock: sleep() resolves only when advance() passes its time. */
function fakeClock() {
  let t = 0;
  const sleepers: { at: number; wake: () => void }[] = [];
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((wake) => void sleepers.push({ at: t + ms, wake })),
    async advance(ms: number) {
      const end = t + ms;
      await flush();
      for (;;) {
        sleepers.sort((a, b) => a.at - b.at);
        const next = sleepers[0];
        if (!next || next.at > end) break;
        sleepers.shift();
        t = next.at;
        next.wake();
        await flush();
      }
      t = end;
      await flush();
    },
    flush,
  };
}

/** A task the test finishes by hand, recording when it started. */
function gate<T>(value: T) {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const g = {
    startedAt: null as number | null,
    task: (clock: { now(): number }) => async () => {
      g.startedAt = clock.now();
      await done;
      return value;
    },
    finish: () => finish(),
  };
  return g;
}

type Result = { ok: boolean; retryAfterMs?: number };
const isRateLimited = (r: Result) => (r.ok ? null : (r.retryAfterMs ?? 0));

function setup(opts: Partial<LlmLimiterOptions> & { concurrency: number }) {
  const clock = fakeClock();
  const limiter = createLlmLimiter({ now: clock.now, sleep: clock.sleep, ...opts });
  return { clock, limiter };
}

const LIMITS = { concurrency: 4, capMs: 60_000, defaultPauseMs: 1000 };
const ok = (at: number): PacedAnswer => ({ at, rateLimited: false });
const limited = (at: number, retryAfterMs: number | null = 1000): PacedAnswer => ({ at, rateLimited: true, retryAfterMs });
/** The pacing after each answer of `answers`, in turn. */
const pacingAfterEach = (answers: PacedAnswer[]) => answers.map((_, i) => pacingOf(answers.slice(0, i + 1), LIMITS));

describe('pacingOf', () => {
  it('is calm with no answers, or only answers that went through', () => {
    const calm = { pausedUntil: 0, spacingMs: 0, concurrency: 4 };
    expect(pacingOf([], LIMITS)).toEqual(calm);
    expect(pacingOf([ok(0), ok(10), ok(20)], LIMITS)).toEqual(calm);
  });

  it('leaves a lone 429 to its own call: no pause, no spacing, half the slots only until the next answer', () => {
    expect(pacingOf([ok(0), ok(100), limited(200, 1000)], LIMITS)).toEqual({ pausedUntil: 0, spacingMs: 0, concurrency: 2 });
    expect(pacingOf([ok(0), ok(100), limited(200, 1000), ok(300)], LIMITS)).toEqual({ pausedUntil: 0, spacingMs: 0, concurrency: 4 });
  });

  it("the issue's endpoint: a 429 with Retry-After: 1 in every four answers never slows the run", () => {
    // 25% of answers refused, each alone between answers that went through, 250 ms apart, 60 answers.
    const answers = Array.from({ length: 60 }, (_, i) => (i % 4 === 3 ? limited(i * 250) : ok(i * 250)));
    pacingAfterEach(answers).forEach((p, i) => expect(p).toEqual({ pausedUntil: 0, spacingMs: 0, concurrency: i % 4 === 3 ? 2 : 4 }));
  });

  it('random 429s that sometimes come two in a row do not ratchet: each pair slows as much as the first, briefly', () => {
    // Six answers through, then two 429s in a row, over and over (the gaps of the issue grew 1, 2, 5, 10, 19, 35 s).
    const answers: PacedAnswer[] = [];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 6; i++) answers.push(ok(answers.length * 250));
      answers.push(limited(answers.length * 250), limited(answers.length * 250));
    }
    const paced = pacingAfterEach(answers);
    const afterPairs = paced.filter((_, i) => i % 8 === 7);
    // Each pair pauses for the 1 s asked and spaces calls at about the pace before it...
    afterPairs.forEach((p, round) => {
      expect(p.pausedUntil).toBe(answers[round * 8 + 7]!.at + 1000);
      // Six answers through in 1.5 s before the pair: one every 250 ms, with the 25% margin.
      expect(p.spacingMs).toBeCloseTo((1500 / 6) * 1.25, 6);
    });
    // ...the same after the sixth pair as after the third: nothing builds up from pair to pair.
    expect(afterPairs[5]).toEqual({ ...afterPairs[2], pausedUntil: afterPairs[5]!.pausedUntil });
    // Between pairs every slot is back within three answers through.
    for (let round = 1; round < 6; round++) expect(paced[round * 8 + 2]!.concurrency).toBe(4);
  });

  it('pauses for the Retry-After of repeated 429s, capped', () => {
    expect(pacingOf([ok(0), limited(100, 2000), limited(150, 3000)], LIMITS).pausedUntil).toBe(3150);
    expect(pacingOf([limited(0, 90_000 - 1), limited(10, 70_000)], { ...LIMITS, capMs: 60_000 }).pausedUntil).toBe(60_010);
  });

  it('backs off multiplicatively only on 429s in a row that name no wait', () => {
    const pauses = [2, 3, 4, 5].map((k) => pacingOf(Array.from({ length: k }, (_, i) => limited(0, null)), LIMITS).pausedUntil);
    expect(pauses).toEqual([2000, 4000, 8000, 16000]);
    // A Retry-After names the wait: no doubling.
    expect(pacingOf([limited(0), limited(0), limited(0), limited(0)], LIMITS).pausedUntil).toBe(1000);
    // Capped.
    expect(pacingOf(Array.from({ length: 12 }, () => limited(0, null)), LIMITS).pausedUntil).toBe(60_000);
    // Once an answer goes through, the pause is over.
    expect(pacingOf([limited(0, null), limited(0, null), limited(0, null), ok(10)], LIMITS).pausedUntil).toBe(0);
  });

  it('pauses only for the cap after a 429 asking for more (its item is deferred)', () => {
    expect(pacingOf([ok(0), limited(500, 3_600_000)], LIMITS)).toEqual({ pausedUntil: 60_500, spacingMs: 0, concurrency: 2 });
  });

  it('learns a steady provider limit: spacing at the pace let through before the overload, with a margin', () => {
    // 2 calls a second: a burst of 4 gets 2 through and 2 refused with Retry-After: 1.
    expect(pacingOf([ok(0), ok(0), limited(1), limited(1)], LIMITS)).toEqual({ pausedUntil: 1001, spacingMs: 625, concurrency: 2 });
    // Spaced calls that crept past the limit: 18 through, one every 400 ms, then refused twice.
    const crept = [...Array.from({ length: 18 }, (_, i) => ok(i * 400)), limited(7200), limited(7210)];
    expect(pacingOf(crept, LIMITS).spacingMs).toBeCloseTo((7200 / 18) * 1.25, 6);
    // Refused from the first answer: nothing tells the pace, the pause alone holds calls back.
    expect(pacingOf([limited(0), limited(0)], LIMITS)).toEqual({ pausedUntil: 1000, spacingMs: 0, concurrency: 2 });
  });

  it('comes back within the window once answers go through: a slot and 2% of the spacing each, then calm', () => {
    const overload = [ok(0), ok(0), limited(1), limited(1)];
    const after = Array.from({ length: PACING_WINDOW }, (_, i) => ok(1001 + i * 700));
    const paced = pacingAfterEach([...overload, ...after]).slice(overload.length);
    expect(paced.slice(0, 3).map((p) => p.concurrency)).toEqual([3, 4, 4]);
    expect(paced[0]!.spacingMs).toBeCloseTo(625 * 0.98, 6);
    expect(paced[9]!.spacingMs).toBeCloseTo(625 * 0.98 ** 10, 6);
    // The overload has left the window: 20 answers later, about 14 s at the learned pace.
    expect(paced.at(-1)).toEqual({ pausedUntil: 0, spacingMs: 0, concurrency: 4 });
  });

  it('reads the pace before an overload from the same answers for as long as it is remembered', () => {
    // 18 through one every 400 ms, an overload, then answers through: the oldest answers leave the
    // window, but the learned pace only shrinks by 2% an answer, then drops once the overload is forgotten.
    const answers = [...Array.from({ length: 18 }, (_, i) => ok(i * 400)), limited(7200), limited(7210)];
    for (let i = 0; i < PACING_WINDOW; i++) answers.push(ok(8210 + i * 600));
    const paced = pacingAfterEach(answers).slice(20);
    paced.slice(0, -1).forEach((p, k) => expect(p.spacingMs).toBeCloseTo(500 * 0.98 ** (k + 1), 6));
    expect(paced.at(-1)!.spacingMs).toBe(0);
  });

  it('halves the slots for each overload still in the window', () => {
    const twice = [limited(0), limited(0), ok(1000), limited(1200), limited(1200)];
    expect(pacingOf(twice, LIMITS).concurrency).toBe(1);
  });
});

describe('rateLimitWait', () => {
  it("is the Retry-After, capped; without one, the default doubling with each 429 in a row, capped", () => {
    expect(rateLimitWait(1500, 3, LIMITS)).toBe(1500);
    expect(rateLimitWait(600_000, 0, LIMITS)).toBe(60_000);
    expect([0, 1, 2, 3].map((k) => rateLimitWait(null, k, LIMITS))).toEqual([1000, 2000, 4000, 8000]);
    expect(rateLimitWait(null, 10, LIMITS)).toBe(60_000);
  });
});

describe('createLlmLimiter', () => {
  it('never has more than `concurrency` calls in flight', async () => {
    const { clock, limiter } = setup({ concurrency: 2 });
    const gates = Array.from({ length: 5 }, (_, i) => gate(i));
    const results = gates.map((g) => limiter.run(10, g.task(clock)));
    await clock.flush();
    expect(gates.map((g) => g.startedAt !== null)).toEqual([true, true, false, false, false]);
    expect(limiter.stats).toMatchObject({ inFlight: 2, waiting: 3 });
    gates[0]!.finish();
    await clock.flush();
    expect(gates[2]!.startedAt).not.toBeNull();
    for (const g of gates) g.finish();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.stats.peakInFlight).toBe(2);
  });

  it('keeps requests per minute over a sliding window', async () => {
    const { clock, limiter } = setup({ concurrency: 10, requestsPerMinute: 3 });
    const starts: number[] = [];
    const all = Array.from({ length: 5 }, () => limiter.run(1, async () => void starts.push(clock.now())));
    await clock.advance(59_999);
    expect(starts).toEqual([0, 0, 0]);
    await clock.advance(1);
    await Promise.all(all);
    expect(starts).toEqual([0, 0, 0, 60_000, 60_000]);
  });

  it('keeps estimated tokens per minute, and lets a call bigger than the budget run alone', async () => {
    const { clock, limiter } = setup({ concurrency: 10, tokensPerMinute: 1000 });
    const starts: [number, number][] = [];
    const call = (tokens: number) => limiter.run(tokens, async () => void starts.push([tokens, clock.now()]));
    const all = [call(400), call(400), call(400), call(5000), call(100)];
    await clock.advance(30_000);
    expect(starts).toEqual([[400, 0], [400, 0]]);
    await clock.advance(30_000);
    expect(starts).toEqual([[400, 0], [400, 0], [400, 60_000]]);
    // The big call waits for an empty window; the small one behind it waits its turn (FIFO).
    await clock.advance(120_000);
    await Promise.all(all);
    expect(starts.slice(3)).toEqual([[5000, 120_000], [100, 180_000]]);
  });

  it('on a lone 429 the call waits its Retry-After and runs again; the other calls go on', async () => {
    const { clock, limiter } = setup({ concurrency: 8 });
    let calls = 0;
    const first = limiter.run(1, async (): Promise<Result> => (++calls === 1 ? { ok: false, retryAfterMs: 5000 } : { ok: true }), { rateLimitedFor: isRateLimited });
    await clock.flush();
    expect(limiter.stats).toMatchObject({ limit: 4, rateLimited: 1, pausedUntil: 0, spacingMs: 0 });
    const later = gate<Result>({ ok: true });
    const second = limiter.run(1, later.task(clock), { rateLimitedFor: isRateLimited });
    await clock.flush();
    expect(later.startedAt).toBe(0);
    later.finish();
    await second;
    await clock.advance(4999);
    expect(calls).toBe(1);
    await clock.advance(1);
    expect(await first).toEqual({ ok: true });
    expect(calls).toBe(2);
  });

  it('on repeated 429s halves the concurrency and pauses new calls for the Retry-After', async () => {
    const { clock, limiter } = setup({ concurrency: 8, maxRateLimitRetries: 0 });
    const refused = [gate<Result>({ ok: false, retryAfterMs: 5000 }), gate<Result>({ ok: false, retryAfterMs: 5000 })];
    const both = Promise.all(refused.map((g) => limiter.run(1, g.task(clock), { rateLimitedFor: isRateLimited })));
    await clock.flush();
    for (const g of refused) g.finish();
    await both;
    expect(limiter.stats).toMatchObject({ limit: 4, rateLimited: 2, pausedUntil: 5000 });
    const later = gate<Result>({ ok: true });
    const third = limiter.run(1, later.task(clock), { rateLimitedFor: isRateLimited });
    await clock.advance(4999);
    expect(later.startedAt).toBeNull();
    await clock.advance(1);
    expect(later.startedAt).toBe(5000);
    later.finish();
    await third;
  });

  it('halves once for 429s of calls that were all in flight together', async () => {
    const { clock, limiter } = setup({ concurrency: 8 });
    const gates = Array.from({ length: 4 }, () => gate<Result>({ ok: false, retryAfterMs: 100 }));
    const all = gates.map((g) => limiter.run(1, g.task(clock), { rateLimitedFor: (r) => (r.ok ? null : 100) }));
    await clock.flush();
    for (const g of gates) g.finish();
    await clock.flush();
    expect(limiter.stats).toMatchObject({ limit: 4, rateLimited: 4 });
    // Every retry is refused too: each call gives up after its retries and returns the 429.
    await clock.advance(60_000);
    expect(await Promise.all(all)).toEqual(gates.map(() => ({ ok: false, retryAfterMs: 100 })));
  });

  it('after an overload climbs back by one slot per answer that went through, never above the maximum', async () => {
    const { clock, limiter } = setup({ concurrency: 4 });
    let calls = 0;
    // Two 429s in a row, then answers: the limit goes 4 -> 2, then 3, 4 with the next answers.
    const first = limiter.run(1, async (): Promise<Result> => ({ ok: ++calls > 2 }), { rateLimitedFor: isRateLimited });
    await clock.advance(5000);
    expect(await first).toEqual({ ok: true });
    expect(limiter.stats.limit).toBe(3);
    const through = () => limiter.run(1, async (): Promise<Result> => ({ ok: true }), { rateLimitedFor: isRateLimited });
    const limits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await through();
      limits.push(limiter.stats.limit);
    }
    expect(limits).toEqual([4, 4, 4, 4]);
    await clock.flush();
  });

  it('returns a 429 whose wait is over the cap at once, and pauses only for the cap', async () => {
    const { clock, limiter } = setup({ concurrency: 2, retryAfterCapMs: 60_000 });
    let calls = 0;
    const result = await limiter.run(1, async (): Promise<Result> => (++calls, { ok: false, retryAfterMs: 3_600_000 }), { rateLimitedFor: isRateLimited });
    expect(result).toEqual({ ok: false, retryAfterMs: 3_600_000 });
    expect(calls).toBe(1);
    expect(limiter.stats.pausedUntil).toBe(60_000);
    await clock.flush();
  });

  it('gives up after maxRateLimitRetries and returns the last 429', async () => {
    const { clock, limiter } = setup({ concurrency: 2, maxRateLimitRetries: 2, defaultPauseMs: 500 });
    let calls = 0;
    const pending = limiter.run(1, async (): Promise<Result> => (++calls, { ok: false }), { rateLimitedFor: isRateLimited });
    await clock.advance(5000);
    expect(await pending).toEqual({ ok: false });
    expect(calls).toBe(3);
    expect(limiter.stats.limit).toBe(1);
  });

  it('after an overload spaces calls at the pace the provider let through, then speeds up with successes', async () => {
    const { clock, limiter } = setup({ concurrency: 1 });
    // A provider that lets 4 calls through, then answers 429 twice asking for 1 s.
    let served = 0;
    const starts: number[] = [];
    const task = async (): Promise<Result> => {
      starts.push(clock.now());
      served++;
      return served === 5 || served === 6 ? { ok: false, retryAfterMs: 1000 } : { ok: true };
    };
    const all = Array.from({ length: 8 }, () => limiter.run(1, task, { rateLimitedFor: isRateLimited }));
    await clock.advance(10_000);
    expect((await Promise.all(all)).every((r) => r.ok)).toBe(true);
    expect(limiter.stats.rateLimited).toBe(2);
    // The lone first 429 held only its call; the second in a row paused every call for the 1 s asked.
    expect(starts.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 1000]);
    // 4 calls let through, then a 1 s wait asked: one call every 312.5 ms, each success 2% sooner.
    const gaps = starts.slice(7).map((t, i) => t - starts[6 + i]!);
    expect(gaps[0]).toBeCloseTo(312.5 * 0.98, 6);
    expect(gaps[1]).toBeCloseTo(312.5 * 0.98 ** 2, 6);
    expect(limiter.stats.spacingMs).toBeCloseTo(312.5 * 0.98 ** 4, 6);
  });

  it('forgets an overload once PACING_WINDOW answers went through after it', async () => {
    const { clock, limiter } = setup({ concurrency: 4 });
    let n = 0;
    const task = async (): Promise<Result> => (++n <= 2 ? { ok: false, retryAfterMs: 1000 } : { ok: true });
    const all = Array.from({ length: 2 + PACING_WINDOW }, () => limiter.run(1, task, { rateLimitedFor: isRateLimited }));
    await clock.advance(60_000);
    await Promise.all(all);
    expect(limiter.stats).toMatchObject({ limit: 4, spacingMs: 0, pausedUntil: 0 });
  });

  it('backs off exponentially from the default pause when 429s name no wait', async () => {
    const { clock, limiter } = setup({ concurrency: 1, defaultPauseMs: 100, maxRateLimitRetries: 3 });
    const starts: number[] = [];
    const pending = limiter.run(1, async (): Promise<Result> => (starts.push(clock.now()), { ok: false }), { rateLimitedFor: isRateLimited });
    await clock.advance(10_000);
    expect(await pending).toEqual({ ok: false });
    expect(starts).toEqual([0, 100, 300, 700]);
  });

  it('lets a waiting call go at once when its signal aborts, so it can end', async () => {
    const { clock, limiter } = setup({ concurrency: 1 });
    const held = gate('held');
    const first = limiter.run(1, held.task(clock));
    const controller = new AbortController();
    let ran = false;
    const second = limiter.run(1, async () => ((ran = true), 'saw the abort'), { signal: controller.signal });
    await clock.flush();
    expect(ran).toBe(false);
    controller.abort();
    expect(await second).toBe('saw the abort');
    expect(limiter.stats).toMatchObject({ inFlight: 1, waiting: 0 });
    held.finish();
    expect(await first).toBe('held');
    expect(limiter.stats.inFlight).toBe(0);
  });

  it('frees the slot when a task throws', async () => {
    const { limiter } = setup({ concurrency: 1 });
    await expect(limiter.run(1, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await limiter.run(1, async () => 'next')).toBe('next');
    expect(limiter.stats.inFlight).toBe(0);
  });

  it('is the one layer that handles an LLM 429: the drafter returns it, the limiter pauses and sends it again', async () => {
    const server = await startOpenAiServer(({ body, n }) =>
      n === 1 ? errorReply(429, 'Rate limit reached', { code: 'rate_limit_exceeded', headers: { 'retry-after-ms': '200' } }) : validDraftReply(body),
    );
    try {
      const prompt = loadPrompt(fileURLToPath(new URL('../../prompts/draft-story.md', import.meta.url)));
      if (!prompt.ok) throw new Error(prompt.failure.message);
      const limiter = createLlmLimiter({ concurrency: 2 });
      const settings = { baseURL: server.url, model: 'test-model', timeoutMs: 10_000, maxRetries: 2, maxInputTokens: 6000 };
      const drafter = createLlmDrafter(settings, prompt.value, ['Health', 'Other'], limiter);
      const out = await drafter.draft(positiveAi);
      expect(out.ok).toBe(true);
      expect(server.calls).toBe(2);
      expect(drafter.usage).toMatchObject({ calls: 2, rateLimited: 1 });
      expect(limiter.stats).toMatchObject({ rateLimited: 1, inFlight: 0 });
    } finally {
      await server.close();
    }
  });
});
