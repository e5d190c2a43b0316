import { indexSource, locateQuote } from '../draft/grounding.ts';

/** A run of the article text, and the takeaway (0-based) whose quote it is, if any. */
export interface Segment {
  text: string;
  takeaway: number | null;
}

/**
 * Splits the article text into runs so each takeaway's quote can be highlighted where it stands.
 * A quote is located by the grounding check's own matcher (locateQuote), so a quote is marked
 * exactly when the check accepted it, punctuation or spacing differences included. `found[i]` says
 * whether quote i was located; overlapping quotes keep the earlier one's mark.
 */
export function highlightQuotes(text: string, quotes: readonly string[], title = ''): { segments: Segment[]; found: boolean[] } {
  const index = indexSource({ title, text });
  const spans: { start: number; end: number; takeaway: number }[] = [];
  const found = quotes.map((q, i) => {
    const at = locateQuote(q, index);
    if (!at) return false;
    spans.push({ ...at, takeaway: i });
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
