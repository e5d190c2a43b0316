import { describe, expect, it } from 'vitest';
import { checkGrounding, draftExtractive, EXTRACTIVE_ENGINE_VERSION, explainExtractive, hash16 } from './index.ts';
import { layoffsAi, notAi, positiveAi } from './__fixtures__/articles.ts';

const CATEGORIES = ['Health', 'Climate', 'Work', 'Other'];
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

describe('draftExtractive', () => {
  it('drafts a story of verbatim, grounded passages and says it is offline', () => {
    const d = draftExtractive(positiveAi, CATEGORIES);
    expect(d.engine).toBe('extractive');
    expect(d.model).toBeNull();
    expect(d.promptId).toBe('extractive');
    expect(d.promptHash).toBe(hash16(EXTRACTIVE_ENGINE_VERSION));
    expect(d.headline).toBe('AI tool helps doctors spot lung cancer earlier');
    // The TL;DR is one lead sentence.
    expect(d.tldr).toBe(positiveAi.text.split('\n\n')[0]);
    expect(d.takeaways.length).toBeGreaterThanOrEqual(3);
    expect(d.takeaways.length).toBeLessThanOrEqual(5);
    for (const t of d.takeaways) {
      expect(t.grounded).toBe(true);
      expect(t.supported).toBe(true);
      expect(checkGrounding(t.quote, positiveAi.text)).toBe(true);
    }
    expect(d.category).toBe('Health');
    // What only a writer can add is left empty; the body is the article's own lead paragraphs.
    expect(d.deck).toBe('');
    expect(d.implications).toEqual([]);
    expect(d.readerNote).toBeNull();
    expect(d.body).toEqual(positiveAi.text.split('\n\n').slice(0, 2));
    expect(d.whyItMatters.length).toBeGreaterThan(0);
    expect(d.body.some((p) => p.includes(d.whyItMatters))).toBe(false);
    expect(d.unsupportedClaims).toEqual([]);
    expect(d.needsReview).toBe(false);
  });

  it('picks short, de-duplicated, fact-bearing takeaways over background and direct speech', () => {
    const d = draftExtractive(positiveAi, CATEGORIES);
    const texts = d.takeaways.map((t) => t.text);
    for (const t of texts) expect(words(t)).toBeLessThanOrEqual(25);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts).not.toContain(d.tldr);
    // The sentence with the study's numbers is picked, the quote of Dr. Lopez is not.
    expect(texts.some((t) => t.includes('12,000 patients'))).toBe(true);
    expect(texts.some((t) => t.startsWith('"'))).toBe(false);
    const why = explainExtractive(positiveAi).takeaways.find((t) => t.text.includes('12,000'))!;
    expect(why.reasons.join('; ')).toMatch(/numbers 12,000, 30/);
  });

  it('cuts a long sentence at a clause boundary, never inside a phrase', () => {
    const text = [
      'A regional hospital network in Ohio said on Monday that its radiologists now use a screening model on routine scans.',
      'The model reviewed more than 41,000 scans in the background and sent a short list of flagged cases to a panel of radiologists, who decided whether to call patients back for further tests.',
      'The bakery, run by two sisters who took it over from their grandmother, bakes about 300 loaves a day in a wood-fired oven that is more than seventy years old.',
      'Of the 212 patients flagged, 38 were found to have early tumours.',
    ].join('\n\n');
    const d = draftExtractive({ ...positiveAi, text }, CATEGORIES);
    const texts = d.takeaways.map((t) => t.text);
    expect(texts).toContain('The model reviewed more than 41,000 scans in the background and sent a short list of flagged cases to a panel of radiologists.');
    expect(texts.some((t) => t.startsWith('The bakery, run by two sisters who took it over from their grandmother.'))).toBe(false);
    for (const t of d.takeaways) expect(t.grounded).toBe(true);
  });

  it('never guesses the framing from a word list: uncertain, with the reason, and skip', () => {
    for (const input of [positiveAi, layoffsAi, notAi]) {
      const d = draftExtractive(input, CATEGORIES);
      expect(d.framing.verdict).toBe('uncertain');
      expect(d.framing.recommendation).toBe('skip');
      expect(d.framing.confidence).toBe(0);
      expect(d.framing.angle).toBeNull();
      expect(d.framing.rationale).toMatch(/without a model/);
    }
    // What the text plainly shows is said as an observation for the editor.
    expect(draftExtractive(layoffsAi, CATEGORIES).framing.concerns.some((c) => /harms or risks/.test(c))).toBe(true);
    expect(draftExtractive(notAi, CATEGORIES).framing.concerns.some((c) => /never mentions AI/.test(c))).toBe(true);
    expect(draftExtractive(notAi, CATEGORIES).category).toBe('Other');
  });

  it('computes reading minutes from the story as published, not from the source', () => {
    const d = draftExtractive({ ...positiveAi, readingMinutes: 9 }, CATEGORIES);
    expect(d.readingMinutes).toBe(1);
  });

  it('is deterministic', () => {
    const { latencyMs: _a, ...a } = draftExtractive(positiveAi, CATEGORIES);
    const { latencyMs: _b, ...b } = draftExtractive(positiveAi, CATEGORIES);
    expect(a).toEqual(b);
  });

  it('still returns takeaways for a short text', () => {
    const d = draftExtractive({ ...positiveAi, text: 'An AI model found a new antibiotic. Doctors are hopeful about it. Trials start soon in Boston.' }, CATEGORIES);
    expect(d.takeaways.length).toBe(3);
    expect(d.takeaways.every((t) => t.text.length > 0)).toBe(true);
  });
});
