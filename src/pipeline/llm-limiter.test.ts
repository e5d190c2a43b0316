import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createLlmLimiter, type LlmLimiterOptions } from './llm-limiter.ts';
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

  it('on a 429 halves the concurrency, pauses new calls for the Retry-After, and runs the call again', async () => {
    const { clock, limiter } = setup({ concurrency: 8 });
    let calls = 0;
    const first = limiter.run(1, async (): Promise<Result> => (++calls === 1 ? { ok: false, retryAfterMs: 5000 } : { ok: true }), { rateLimitedFor: isRateLimited });
    await clock.flush();
    expect(limiter.stats).toMatchObject({ limit: 4, rateLimited: 1, pausedUntil: 5000 });
    const later = gate<Result>({ ok: true });
    const second = limiter.run(1, later.task(clock), { rateLimitedFor: isRateLimited });
    await clock.advance(4999);
    expect(calls).toBe(1);
    expect(later.startedAt).toBeNull();
    await clock.advance(1);
    expect(await first).toEqual({ ok: true });
    expect(calls).toBe(2);
    expect(later.startedAt).toBe(5000);
    later.finish();
    await second;
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

  it('climbs back by one per round of successes, never above the maximum', async () => {
    const { clock, limiter } = setup({ concurrency: 4 });
    let calls = 0;
    const first = limiter.run(1, async (): Promise<Result> => ({ ok: ++calls > 1 }), { rateLimitedFor: isRateLimited });
    await clock.advance(2000);
    expect(await first).toEqual({ ok: true });
    // The retry succeeded, but the limit went 4 -> 2 and one success is not yet a round.
    expect(limiter.stats.limit).toBe(2);
    const ok = () => limiter.run(1, async (): Promise<Result> => ({ ok: true }), { rateLimitedFor: isRateLimited });
    const limits: number[] = [];
    for (let i = 0; i < 10; i++) {
      await ok();
      limits.push(limiter.stats.limit);
    }
    expect(limits).toEqual([3, 3, 3, 4, 4, 4, 4, 4, 4, 4]);
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
    // A provider that lets 4 calls through, then answers 429 asking for 1 s.
    let served = 0;
    const starts: number[] = [];
    const task = async (): Promise<Result> => {
      starts.push(clock.now());
      return ++served === 5 ? { ok: false, retryAfterMs: 1000 } : { ok: true };
    };
    const all = Array.from({ length: 8 }, () => limiter.run(1, task, { rateLimitedFor: isRateLimited }));
    await clock.advance(10_000);
    expect((await Promise.all(all)).every((r) => r.ok)).toBe(true);
    expect(limiter.stats.rateLimited).toBe(1);
    expect(starts.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 1000]);
    // 4 calls in 1 s, with a 25% margin: one every 312.5 ms, each success 2% sooner.
    const gaps = starts.slice(6).map((t, i) => t - starts[5 + i]!);
    expect(gaps[0]).toBeCloseTo(312.5 * 0.98, 6);
    expect(gaps[1]).toBeCloseTo(312.5 * 0.98 ** 2, 6);
    expect(limiter.stats.spacingMs).toBeCloseTo(312.5 * 0.98 ** 4, 6);
  });

  it('doubles the spacing when the provider refuses again at the same pace', async () => {
    const { clock, limiter } = setup({ concurrency: 1 });
    let n = 0;
    // Two through, a 429; two through, a 429; then everything through.
    const task = async (): Promise<Result> => (++n === 3 || n === 6 ? { ok: false, retryAfterMs: 1000 } : { ok: true });
    const all = Array.from({ length: 6 }, () => limiter.run(1, task, { rateLimitedFor: isRateLimited }));
    await clock.advance(1);
    expect(limiter.stats.spacingMs).toBe(625);
    await clock.advance(60_000);
    await Promise.all(all);
    // 625 ms less 2% per success (two of them), doubled at the second overload; then two more successes.
    expect(limiter.stats.spacingMs).toBeCloseTo(625 * 0.98 ** 2 * 2 * 0.98 ** 2, 6);
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
