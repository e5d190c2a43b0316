import { describe, expect, it } from 'vitest';
import type { Failure } from '../core/failure.ts';
import { firstAttempt, MAX_OUTPUT_TOKENS_CEILING, nextAttempt, type AttemptAnswer, type AttemptState } from './attempt.ts';
import type { CheckedStory } from './story.ts';

const f = (kind: Failure['kind'], extra: Partial<Failure> = {}): Failure => ({ kind, message: `${kind} happened`, ...extra });
const unanswered = (kind: Failure['kind']): AttemptAnswer => ({ type: 'unanswered', failure: f(kind) });
const rejected = (kind: Failure['kind'], extra: Partial<Failure> = {}): AttemptAnswer => ({ type: 'rejected', failure: f(kind, extra) });
const story = (failures: string[] = []): CheckedStory => ({ content: { headline: `story with ${failures.length} findings` } as CheckedStory['content'], failures });
const told = (s: CheckedStory, content = '{"headline":"..."}'): AttemptAnswer => ({ type: 'story', story: s, content });

const fresh = firstAttempt(1000);
const halved: AttemptState = { ...fresh, halved: true };
const repaired: AttemptState = { ...fresh, repaired: true };

describe('nextAttempt after a request without a usable answer', () => {
  it('halves the article once when the context is too small, said or shown by a cut', () => {
    for (const kind of ['llm.context_length', 'llm.input_truncated_by_server'] as const) {
      expect(nextAttempt(fresh, unanswered(kind)), kind).toEqual({ action: 'halve', state: { ...fresh, halved: true } });
      // Halving keeps what the repair spent: the flags are independent.
      expect(nextAttempt(repaired, unanswered(kind)), kind).toEqual({ action: 'halve', state: { ...repaired, halved: true } });
    }
  });

  it('gives up when the halved article overflows too', () => {
    for (const kind of ['llm.context_length', 'llm.input_truncated_by_server'] as const) {
      expect(nextAttempt(halved, unanswered(kind)), kind).toEqual({ action: 'fail', failure: f(kind) });
    }
  });

  it('gives up at once on any other failure of the request', () => {
    for (const kind of ['llm.timeout', 'llm.http_error', 'llm.not_json', 'llm.rate_limited', 'llm.auth', 'llm.budget', 'run.aborted'] as const) {
      expect(nextAttempt(fresh, unanswered(kind)), kind).toEqual({ action: 'fail', failure: f(kind) });
    }
  });
});

describe('nextAttempt after a valid story', () => {
  it('keeps a story its checks pass', () => {
    const s = story();
    expect(nextAttempt(fresh, told(s))).toEqual({ action: 'done', story: s });
  });

  it('asks once for a repair of what the checks found, with the answer and the findings, and keeps the story meanwhile', () => {
    const s = story(['the quote "x" is not in the article']);
    const next = nextAttempt(fresh, told(s, 'THE ANSWER'));
    expect(next).toMatchObject({ action: 'send', state: { halved: false, repaired: true, beforeRepair: s, maxTokens: 1000 } });
    if (next.action !== 'send') throw new Error('unreachable');
    expect(next.turn).toHaveLength(2);
    expect(next.turn[0]).toEqual({ role: 'assistant', content: 'THE ANSWER' });
    expect(next.turn[1]!.role).toBe('user');
    expect(next.turn[1]!.content).toContain('the quote "x" is not in the article');
  });

  it('keeps the story after the repair, marked with what still fails', () => {
    const s = story(['still unsupported']);
    expect(nextAttempt({ ...repaired, beforeRepair: story(['first']) }, told(s))).toEqual({ action: 'done', story: s });
    expect(nextAttempt(repaired, told(s))).toEqual({ action: 'done', story: s });
  });
});

describe('nextAttempt after an answer that is no valid draft', () => {
  it('doubles the answer cap once for a cut-off answer, up to a ceiling, and sends the same prompt', () => {
    expect(nextAttempt(fresh, rejected('llm.truncated'))).toEqual({ action: 'send', state: { ...fresh, repaired: true, maxTokens: 2000 }, turn: [] });
    expect(nextAttempt(firstAttempt(20_000), rejected('llm.truncated'))).toMatchObject({ action: 'send', state: { maxTokens: MAX_OUTPUT_TOKENS_CEILING } });
  });

  it('sends invalid output back once with why it was rejected', () => {
    const next = nextAttempt(fresh, rejected('llm.invalid_output', { raw: 'not json', message: 'the answer is not valid JSON' }));
    expect(next).toEqual({
      action: 'send',
      state: { ...fresh, repaired: true },
      turn: [
        { role: 'assistant', content: 'not json' },
        { role: 'user', content: 'That answer was rejected because the answer is not valid JSON\nReply with the corrected JSON object only, following the schema and the rules above.' },
      ],
    });
    // Without the raw answer kept, the assistant turn is empty rather than missing.
    const bare = nextAttempt(fresh, rejected('llm.invalid_output'));
    expect(bare.action === 'send' && bare.turn[0]).toEqual({ role: 'assistant', content: '' });
  });

  it('asks a refusal once more as is', () => {
    expect(nextAttempt(fresh, rejected('llm.refused'))).toEqual({ action: 'send', state: { ...fresh, repaired: true }, turn: [] });
  });

  it('gives up after the one repair attempt, with the second failure', () => {
    for (const kind of ['llm.truncated', 'llm.invalid_output', 'llm.refused'] as const) {
      expect(nextAttempt(repaired, rejected(kind)), kind).toEqual({ action: 'fail', failure: f(kind) });
    }
  });

  it('keeps the valid story from before a repair that broke the schema', () => {
    const before = story(['unsupported claim']);
    for (const kind of ['llm.truncated', 'llm.invalid_output', 'llm.refused'] as const) {
      expect(nextAttempt({ ...repaired, beforeRepair: before }, rejected(kind)), kind).toEqual({ action: 'done', story: before });
    }
  });
});
