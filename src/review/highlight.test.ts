import { describe, expect, it } from 'vitest';
import { highlightQuotes } from './highlight.ts';

describe('highlightQuotes', () => {
  const text = 'The model found “early signs” of disease.\n\nIt will be   offered free to rural clinics next year.';

  it('marks each quote in place, across line breaks, spacing and curly quotes', () => {
    const { segments, found } = highlightQuotes(text, ['found "early signs" of', 'be offered free to rural clinics']);
    expect(found).toEqual([true, true]);
    expect(segments.filter((s) => s.takeaway !== null).map((s) => [s.takeaway, s.text])).toEqual([
      [0, 'found “early signs” of'],
      [1, 'be   offered free to rural clinics'],
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(text);
  });

  it('reports quotes not in the text, and treats regex characters as text', () => {
    const { segments, found } = highlightQuotes(text, ['cures every disease', '(.*)', '']);
    expect(found).toEqual([false, false, false]);
    expect(segments).toEqual([{ text, takeaway: null }]);
  });
});
