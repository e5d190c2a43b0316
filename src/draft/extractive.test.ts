import { describe, expect, it } from 'vitest';
import { checkGrounding, draftExtractive, DraftSchema, EXTRACTIVE_ENGINE_VERSION, hash16 } from './index.ts';
import { layoffsAi, notAi, positiveAi } from './__fixtures__/articles.ts';

const CATEGORIES = ['Health', 'Climate', 'Work', 'Other'];

describe('draftExtractive', () => {
  it('drafts a positive AI story with grounded verbatim quotes', () => {
    const d = draftExtractive(positiveAi, CATEGORIES);
    expect(d.engine).toBe('extractive');
    expect(d.model).toBeNull();
    expect(d.promptId).toBe('extractive');
    expect(d.promptHash).toBe(hash16(EXTRACTIVE_ENGINE_VERSION));
    expect(d.headline).toBe('AI tool helps doctors spot lung cancer earlier');
    expect(d.tldr.startsWith('A hospital network in Ohio')).toBe(true);
    expect(d.takeaways.length).toBeGreaterThanOrEqual(3);
    expect(d.takeaways.length).toBeLessThanOrEqual(5);
    for (const t of d.takeaways) {
      expect(t.grounded).toBe(true);
      expect(positiveAi.text).toContain(t.quote);
      expect(checkGrounding(t.quote, positiveAi.text)).toBe(true);
    }
    expect(d.whyItMatters.length).toBeGreaterThan(0);
    expect(d.category).toBe('Health');
    expect(d.framing.verdict).toBe('positive');
    expect(d.framing.score).toBeGreaterThan(0.5);
    expect(d.framing.rationale).toMatch(/Lexicon estimate/);
    expect(d.framing.concerns).toContain('offline estimate: not reviewed by a model');
  });

  it('passes the same schema as the LLM output', () => {
    for (const input of [positiveAi, layoffsAi, notAi]) {
      const d = draftExtractive(input, CATEGORIES);
      const check = DraftSchema.safeParse({
        headline: d.headline,
        tldr: d.tldr,
        takeaways: d.takeaways.map(({ text, quote }) => ({ text, quote })),
        whyItMatters: d.whyItMatters,
        category: d.category,
        framing: d.framing,
      });
      expect(check.success).toBe(true);
    }
  });

  it('flags a layoffs story as negative or mixed', () => {
    const d = draftExtractive(layoffsAi, CATEGORIES);
    expect(['negative', 'mixed']).toContain(d.framing.verdict);
    expect(d.framing.score).toBeLessThan(0.5);
    expect(d.framing.concerns.some((c) => /harms/.test(c))).toBe(true);
  });

  it('marks a story without AI as not_ai, and falls back to the "Other" category', () => {
    const d = draftExtractive(notAi, CATEGORIES);
    expect(d.framing.verdict).toBe('not_ai');
    expect(d.category).toBe('Other');
    expect(d.takeaways.every((t) => t.grounded)).toBe(true);
  });

  it('is deterministic', () => {
    const { latencyMs: _a, ...a } = draftExtractive(positiveAi, CATEGORIES);
    const { latencyMs: _b, ...b } = draftExtractive(positiveAi, CATEGORIES);
    expect(a).toEqual(b);
  });

  it('still returns takeaways for a short text', () => {
    const d = draftExtractive({ ...positiveAi, text: 'An AI model found a new antibiotic. Doctors are hopeful about it. Trials start soon in Boston.' }, CATEGORIES);
    expect(d.takeaways.length).toBe(3);
    expect(d.takeaways.every((t) => t.grounded)).toBe(true);
  });
});
