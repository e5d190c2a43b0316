/** A run of the article text, and the takeaway (0-based) whose quote it is, if any. */
export interface Segment {
  text: string;
  takeaway: number | null;
}

const QUOTE_CHARS = `["'\u2018\u2019\u201c\u201d]`;

/** A pattern matching the quote's words in order, across any whitespace and any quote marks. */
function quotePattern(quote: string): RegExp | null {
  const words = quote.trim().split(/\s+/).filter(Boolean).slice(0, 200);
  if (words.length === 0) return null;
  const word = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/["'\u2018\u2019\u201c\u201d]/g, QUOTE_CHARS);
  return new RegExp(words.map(word).join('\\s+'), 'iu');
}

/**
 * Splits the article text into runs so each takeaway's quote can be highlighted where it stands.
 * `found[i]` says whether quote i was located; overlapping quotes keep the earlier one's mark.
 */
export function highlightQuotes(text: string, quotes: readonly string[]): { segments: Segment[]; found: boolean[] } {
  const spans: { start: number; end: number; takeaway: number }[] = [];
  const found = quotes.map((q, i) => {
    const m = quotePattern(q)?.exec(text);
    if (!m) return false;
    spans.push({ start: m.index, end: m.index + m[0].length, takeaway: i });
    return true;
  });
  spans.sort((a, b) => a.start - b.start);
  const segments: Segment[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue;
    if (s.start > at) segments.push({ text: text.slice(at, s.start), takeaway: null });
    segments.push({ text: text.slice(s.start, s.end), takeaway: s.takeaway });
    at = s.end;
  }
  if (at < text.length) segments.push({ text: text.slice(at), takeaway: null });
  return { segments, found };
}
