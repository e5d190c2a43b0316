/** The most words of a search the query keeps, and the most characters of each. */
const MAX_WORDS = 20;
const MAX_WORD_CHARS = 100;

/**
 * Control characters (NUL ends SQLite's reading of the string: "unterminated string"), lone
 * surrogates (not text at all) and invisible format characters such as zero-width spaces and
 * byte-order marks separate words, like a space.
 */
const SEPARATORS = /[\p{Cc}\p{Cs}\p{Cf}\p{Zl}\p{Zp}\s]+/u;

/**
 * What an editor typed in the desk's search, as an FTS5 expression that is never a syntax error:
 * each word becomes a quoted FTS5 string (quotes doubled inside it), so `NEAR`, `AND`, `*`, `-`,
 * `:`, parentheses and quotes are searched as text, never read as FTS5 syntax. The words must all
 * occur (FTS5's implicit AND). Null when nothing searchable is left.
 */
export function ftsQuery(q: string): string | null {
  const words = q
    .split(SEPARATORS)
    .filter(Boolean)
    .slice(0, MAX_WORDS)
    .map((w) => Array.from(w).slice(0, MAX_WORD_CHARS).join(''));
  if (words.length === 0) return null;
  return words.map((w) => `"${w.replace(/"/g, '""')}"`).join(' ');
}
