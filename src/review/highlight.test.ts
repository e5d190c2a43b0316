import { describe, expect, it } from 'vitest';
import { highlightQuotes } from './highlight.ts';
import { groundQuote, indexSource } from '../draft/index.ts';

describe('highlightQuotes', () => {
  const text = 'The model found “early signs” of disease.\n\nIt will be   offered free to rural clinics next year.';

  it('marks each quote in place, across line breaks, spacing and curly quotes', () => {
    const { segments, found } = highlightQuotes(text, ['found "early signs" of disease', 'be offered free to rural clinics']);
    expect(found).toEqual([true, true]);
    expect(segments.filter((s) => s.takeaway !== null).map((s) => [s.takeaway, s.text])).toEqual([
      [0, 'found “early signs” of disease'],
      [1, 'be   offered free to rural clinics'],
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(text);
  });

  it('reports quotes not in the text, and treats regex characters as text', () => {
    const { segments, found } = highlightQuotes(text, ['cures every disease', '(.*)', '']);
    expect(found).toEqual([false, false, false]);
    expect(segments).toEqual([{ text, takeaway: null }]);
  });

  it('marks a quote the check accepted with punctuation differences, from its first word to its last', () => {
    const article = 'Of the 212 patients flagged, 38 were found to have early tumours — and 29 of those were eligible.\n\nThe tool cut waiting times by 40 percent.';
    const quotes = ['Of the 212 patients flagged 38 were found', 'tumours, and 29 of those were eligible', '"the tool cut waiting times by 40%."'];
    const { segments, found } = highlightQuotes(article, quotes);
    expect(found).toEqual([true, true, true]);
    expect(segments.filter((s) => s.takeaway !== null).map((s) => s.text)).toEqual([
      'Of the 212 patients flagged, 38 were found',
      'tumours — and 29 of those were eligible',
      'The tool cut waiting times by 40 percent',
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(article);
  });

  it('highlights exactly the quotes the grounding check accepts (one matcher)', () => {
    const title = 'Clinic trial: AI reads retinal scans';
    const article = 'Researchers at a university hospital used a machine-learning model to read retinal scans.\n\n“It found early signs in 94 percent of cases,” said Dr. Ana Ruiz.\n\nIt costs $5 million; clinics get it free.';
    const quotes = [
      'used a machine learning model to read retinal scans', // a hyphen dropped
      'It found early signs in 94% of cases said Dr. Ana Ruiz', // percent sign, quote marks and comma dropped
      'read retinal scans. It found early signs', // across a paragraph break
      'AI reads retinal scans', // too short, and the title's
      'Clinic trial AI reads retinal scans', // the title's
      'It costs $5 million clinics get it free', // a semicolon dropped
      'It costs £5 million; clinics get it free', // another currency
      'found early signs in 9 percent of cases', // a changed number
    ];
    const { found } = highlightQuotes(article, quotes, title);
    const index = indexSource({ title, text: article });
    expect(found).toEqual(quotes.map((q) => groundQuote(q, index).grounded));
    expect(found).toEqual([true, true, false, false, false, true, false, false]);
  });

  it('keeps offsets right around characters that normalizing lengthens or removes', () => {
    const article = 'Wait\u2026 the ﬁrst clinic\u00AD s got it free in 2026 — all of them.';
    const { segments, found } = highlightQuotes(article, ['the first clinic s got it free']);
    expect(found).toEqual([true]);
    expect(segments.find((s) => s.takeaway === 0)?.text).toBe('the ﬁrst clinic\u00AD s got it free');
  });
});
