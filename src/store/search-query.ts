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
 * The characters SQLite's unicode61 tokenizer keeps in a token (letters, digits, private-use
 * characters, and the combining marks it folds away with the diacritics); everything else, such as
 * hyphens, apostrophes and quotes, ends a token.
 */
const TOKEN = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/**
 * The words of what an editor typed in the desk's search, each of which a story must contain:
 * split at white space and invisible characters, at most 20 words of at most 100 characters. Both
 * backends search for these same words (`ftsQuery` on SQLite, `searchPhrases` on PostgreSQL).
 */
export function searchWords(q: string): string[] {
  return q
    .split(SEPARATORS)
    .filter(Boolean)
    .slice(0, MAX_WORDS)
    .map((w) => Array.from(w).slice(0, MAX_WORD_CHARS).join(''));
}

/**
 * What an editor typed in the desk's search, as an FTS5 expression that is never a syntax error:
 * each word becomes a quoted FTS5 string (quotes doubled inside it), so `NEAR`, `AND`, `*`, `-`,
 * `:`, parentheses and quotes are searched as text, never read as FTS5 syntax. The words must all
 * occur (FTS5's implicit AND). Null when nothing searchable is left.
 */
export function ftsQuery(q: string): string | null {
  const words = searchWords(q);
  if (words.length === 0) return null;
  return words.map((w) => `"${w.replace(/"/g, '""')}"`).join(' ');
}

/**
 * The same search for PostgreSQL's full-text search: each word as the phrase FTS5 reads in its
 * quoted string, its tokens in order separated by spaces ("gpt-4o" is "gpt 4o", "don't" is
 * "don t"), for `phraseto_tsquery`, which then needs them adjacent, as FTS5 does. A word without
 * any token (a lone "*" or quote) is left out, as FTS5 ignores an empty phrase beside others.
 * Null when there are no words (no search); an empty list when there are words but none has a
 * token: FTS5 then matches nothing, and so must the caller.
 */
export function searchPhrases(q: string): string[] | null {
  const words = searchWords(q);
  if (words.length === 0) return null;
  return words.map((w) => (w.match(TOKEN) ?? []).join(' ')).filter(Boolean);
}
