/** Checks that a takeaway's quote really appears in the article, forgiving only typography. */

/** Fewer words than this is not a quote worth checking (a 1-word "quote" matches anything). */
const MIN_QUOTE_WORDS = 3;

/** Lower-cases and folds the typographic variants models and CMSs swap freely. */
export function normalizeForGrounding(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g, '"')
    .replace(/[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/[\u00AD\u200B-\u200D\uFEFF]/g, '') // soft hyphen, zero-width chars
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .trim();
}

/** Models often wrap a quote in quotation marks or end it with the sentence's full stop: not part of the match. */
function trimQuote(s: string): string {
  return s.replace(/^[\s"'.,;:…-]+/, '').replace(/[\s"'.,;:…-]+$/, '');
}

/** True when `quote` (at least 3 words) occurs verbatim in `articleText`, up to whitespace, quotes, dashes and case. */
export function checkGrounding(quote: string, articleText: string): boolean {
  const q = trimQuote(normalizeForGrounding(quote));
  if (q.split(' ').filter((w) => /[\p{L}\p{N}]/u.test(w)).length < MIN_QUOTE_WORDS) return false;
  return normalizeForGrounding(articleText).includes(q);
}
