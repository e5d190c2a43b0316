/**
 * Every claim of a draft checked against its source, in one place: quotes must occur in the
 * article, takeaways must not say more than their quotes, and the numbers and names of the prose
 * must come from the article. Pure functions of text; no model, no I/O.
 */

/** Fewer words than this is not a quote worth checking (a short "quote" matches too easily). */
export const MIN_QUOTE_WORDS = 5;

/** Folds the typographic variants models and CMSs swap freely (case is folded by the caller). */
function foldTypography(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g, '"')
    .replace(/[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/[\u00AD\u200B-\u200D\uFEFF]/g, ''); // soft hyphen, zero-width chars
}

/**
 * Lower-cases each character on its own, as tokenSpans folds an article piece by piece: a final
 * capital sigma becomes "σ" everywhere, never "ς" in one place and "σ" in another.
 */
const lowerEach = (s: string) => s.replace(/[^\x00-\x7F]/gu, (c) => c.toLowerCase()).toLowerCase();

/** Lower-cases and folds the typographic variants models and CMSs swap freely. */
export function normalizeForGrounding(s: string): string {
  return lowerEach(foldTypography(s).replace(/\s+/g, ' ')).trim();
}

/**
 * A word token: letters and digits, joined by an apostrophe, or by "." or "," between digits, so
 * "1,200" and "3.5" are one token each and "21" is never a prefix of "212". Currency and percent
 * signs are tokens of their own, so "$5" and "£5" differ.
 */
const TOKEN_RE = /[$€£¥%]|[\p{L}\p{M}\p{N}]+(?:(?:'|(?<=\p{N})[.,](?=\p{N}))[\p{L}\p{M}\p{N}]+)*/gu;

/** A token and where it stands in the text it came from (UTF-16 offsets, end exclusive). */
export interface TokenSpan {
  token: string;
  start: number;
  end: number;
}

/**
 * A run of ASCII that no combining mark follows (folded by lower-casing alone, offsets kept), or
 * one character with its combining marks (folded on its own: NFKC never reaches across it).
 */
const PIECE_RE = /[\x00-\x7F]+(?![\p{M}])|[\s\S]\p{M}*/gu;

/**
 * Word tokens of a text with their offsets in it: the text is folded piece by piece, each folded
 * character remembering the piece it came from, so a match of tokens maps back to the original
 * characters (the desk highlights exactly what the check matched). "per cent" and "percent" read as "%".
 */
export function tokenSpans(text: string): TokenSpan[] {
  let folded = '';
  const from: number[] = [];
  const to: number[] = [];
  for (const m of text.matchAll(PIECE_RE)) {
    const piece = m[0];
    const start = m.index;
    if (!/[^\x00-\x7F]/.test(piece)) {
      // Plain ASCII folds character for character (only the backtick is a typographic variant).
      folded += piece.toLowerCase().replace(/`/g, "'");
      for (let k = 0; k < piece.length; k++) {
        from.push(start + k);
        to.push(start + k + 1);
      }
      continue;
    }
    const f = foldTypography(piece).toLowerCase();
    folded += f;
    for (let k = 0; k < f.length; k++) {
      from.push(start);
      to.push(start + piece.length);
    }
  }
  const spans: TokenSpan[] = [];
  for (const m of folded.matchAll(TOKEN_RE)) {
    const span = { token: m[0], start: from[m.index]!, end: to[m.index + m[0].length - 1]! };
    const prev = spans[spans.length - 1];
    if (span.token === 'percent') span.token = '%';
    else if (span.token === 'cent' && prev?.token === 'per' && /^\s+$/.test(text.slice(prev.end, span.start))) {
      spans[spans.length - 1] = { token: '%', start: prev.start, end: span.end };
      continue;
    }
    spans.push(span);
  }
  return spans;
}

/** Word tokens of normalized text; "per cent" and "percent" read as "%". */
export function tokenize(text: string): string[] {
  return tokenSpans(text).map((t) => t.token);
}

const isWord = (t: string) => /[\p{L}\p{N}]/u.test(t);

/** Paragraphs of an article (blank-line separated), each as token spans (offsets in the article). */
function paragraphSpans(article: string): TokenSpan[][] {
  const paragraphs: TokenSpan[][] = [];
  const breaks = /\n\s*\n/g;
  let at = 0;
  for (let m = breaks.exec(article); ; m = breaks.exec(article)) {
    const end = m ? m.index : article.length;
    const spans = tokenSpans(article.slice(at, end)).map((t) => ({ token: t.token, start: t.start + at, end: t.end + at }));
    if (spans.length > 0) paragraphs.push(spans);
    if (!m) break;
    at = m.index + m[0].length;
  }
  return paragraphs;
}

/** Paragraphs of an article (blank-line separated), each as tokens: a quote never spans two. */
export function paragraphTokens(article: string): string[][] {
  return paragraphSpans(article).map((p) => p.map((t) => t.token));
}

/** Where `needle` first occurs as a contiguous run of `hay`, or -1. */
function findRun(hay: readonly string[], needle: readonly string[]): number {
  if (needle.length === 0 || needle.length > hay.length) return -1;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** True when `needle` occurs as a contiguous run of `hay`. */
const containsRun = (hay: readonly string[], needle: readonly string[]) => findRun(hay, needle) >= 0;

/** Why a quote did not ground, in words the repair request and editors can act on. */
export type GroundingProblem = 'too_short' | 'not_found' | 'spans_paragraphs' | 'from_title';

export type GroundingResult = { grounded: true } | { grounded: false; problem: GroundingProblem; message: string };

/** The source a draft is checked against: the article text the model saw, and its title. */
export interface Source {
  title: string;
  text: string;
}

/** Precomputed tokens of a source, so a draft's many checks tokenize the article once. */
export interface SourceIndex {
  paragraphs: string[][];
  /** The same paragraphs with each token's offsets in the article text. */
  spans: TokenSpan[][];
  all: string[];
  title: string[];
  /** Tokens of title and text, numbers by value, for "does this name or number occur at all". */
  canonical: string[];
}

export function indexSource(source: Source): SourceIndex {
  const spans = paragraphSpans(source.text);
  const paragraphs = spans.map((p) => p.map((t) => t.token));
  const title = tokenize(source.title);
  const all = paragraphs.flat();
  return { paragraphs, spans, all, title, canonical: [...title, ...all].map(canonicalToken) };
}

/**
 * A quote is grounded when it occurs in one paragraph of the article as whole words, every
 * number identical as a token, after folding case, quotes, dashes and whitespace; at least
 * five words; and not merely the article's title.
 */
export function groundQuote(quote: string, source: SourceIndex): GroundingResult {
  const q = tokenize(quote);
  if (q.filter(isWord).length < MIN_QUOTE_WORDS) {
    return { grounded: false, problem: 'too_short', message: `has fewer than ${MIN_QUOTE_WORDS} words` };
  }
  if (containsRun(source.title, q)) {
    return { grounded: false, problem: 'from_title', message: "comes from the article's title, not its text" };
  }
  if (source.paragraphs.some((p) => containsRun(p, q))) return { grounded: true };
  if (containsRun(source.all, q)) {
    return { grounded: false, problem: 'spans_paragraphs', message: 'runs across a paragraph break' };
  }
  return {
    grounded: false,
    problem: 'not_found',
    message: 'does not occur in the article word for word (a changed number, a cut or added word, a paraphrase?)',
  };
}

/**
 * Where a grounded quote stands in the article text: from the start of its first word to the end
 * of its last, in the first paragraph that holds it (as groundQuote found it); null when the quote
 * does not ground. The desk highlights this span, so it marks exactly what the check accepted.
 */
export function locateQuote(quote: string, source: SourceIndex): { start: number; end: number } | null {
  if (!groundQuote(quote, source).grounded) return null;
  const q = tokenize(quote);
  for (const [i, p] of source.paragraphs.entries()) {
    const at = findRun(p, q);
    if (at >= 0) return { start: source.spans[i]![at]!.start, end: source.spans[i]![at + q.length - 1]!.end };
  }
  return null;
}

/** True when `quote` grounds in the article (see groundQuote). */
export function checkGrounding(quote: string, articleText: string, title = ''): boolean {
  return groundQuote(quote, indexSource({ title, text: articleText })).grounded;
}

// --- claims: numbers, quantities and proper names ---

/** Words after a number that make it a quantity: "40 %" and "40 miles" are different claims. */
const UNITS = new Set(
  ('% percent percentage points point points times x fold hundred thousand million billion trillion dozen ' +
    'km kilometre kilometres kilometer kilometers mile miles metre metres meter meters m cm mm ft feet foot inch inches ' +
    'kg kilogram kilograms g gram grams lb lbs pound pounds ton tons tonne tonnes mw gw kw kwh mwh gwh ' +
    'second seconds minute minutes hour hours day days week weeks month months year years decade decades ' +
    'degree degrees °c °f')
    .split(' '),
);

/** Capitalized words that are not a claim about the world: the subject of the newsletter, and "I". */
const GENERIC_NAMES = new Set(['ai', "ai's", 'a.i', 'i', 'ok', 'tl', 'dr']);

/** A number compared by value: "1,200" and "1200" say the same thing. */
const canonicalToken = (t: string) => (/^\p{N}[\p{N}.,]*$/u.test(t) ? t.replace(/,(?=\d{3}\b)/g, '') : t);

const isNumber = (t: string) => /^\p{N}/u.test(t);

/** A claim found in prose: its text as written, and the tokens that must occur in the source. */
interface Claim {
  text: string;
  tokens: string[];
}

/** Raw words of a sentence with their case kept, to tell names from ordinary words. */
const RAW_WORD_RE = /[$€£¥%]|[\p{L}\p{M}\p{N}]+(?:(?:['\u2019]|(?<=\p{N})[.,](?=\p{N}))[\p{L}\p{M}\p{N}]+)*/gu;

/**
 * The numbers (with their unit, when one follows) and proper names of a piece of prose. A name is
 * a capitalized word that does not start a sentence, an acronym anywhere, or a sentence's first
 * word when the next word is capitalized too ("Maria Lopez said"). Spelled-out numbers are not
 * checked: "seven in ten" and "70%" are both honest ways to say it.
 */
export function findClaims(prose: string): Claim[] {
  const claims: Claim[] = [];
  const text = prose.normalize('NFKC').replace(/\bper ?cent\b/gi, '%');
  for (const sentence of text.split(/(?<=[.!?:;])\s+|\n+/)) {
    const found = [...sentence.matchAll(RAW_WORD_RE)];
    const words = found.map((m) => m[0]);
    words.forEach((w, i) => {
      const lower = normalizeForGrounding(w);
      if (isNumber(w)) {
        const next = words[i + 1] ? normalizeForGrounding(words[i + 1]!) : '';
        const tokens = UNITS.has(next) ? [lower, next === 'percent' ? '%' : next] : [lower];
        // Named as the prose writes it ("90%", "40 miles"), so an editor finds it in the text.
        const unit = found[i + 1];
        claims.push({ text: tokens.length > 1 && unit ? sentence.slice(found[i]!.index, unit.index + unit[0].length) : w, tokens });
        return;
      }
      if (GENERIC_NAMES.has(lower) || !/^\p{Lu}/u.test(w)) return;
      const acronym = /^\p{Lu}{2,}s?$/u.test(w);
      const nextCapitalized = i + 1 < words.length && /^\p{Lu}/u.test(words[i + 1]!) && !GENERIC_NAMES.has(normalizeForGrounding(words[i + 1]!));
      if (acronym || i > 0 || nextCapitalized) claims.push({ text: w, tokens: [lower] });
    });
  }
  return claims;
}

/** True when the claim's tokens occur in a row in `hay` (canonical tokens: numbers compared by value). */
function claimIn(claim: Claim, hay: readonly string[]): boolean {
  const needle = claim.tokens.map(canonicalToken);
  if (needle.length === 1) return hay.includes(needle[0]!) || hay.includes(needle[0]!.replace(/'s$/, ''));
  return containsRun(hay, needle);
}

/** The claims of a takeaway that its quote lacks: a takeaway says no more than its quote. */
export function claimsMissingFromQuote(takeaway: string, quote: string): string[] {
  const quoteTokens = tokenize(quote).map(canonicalToken);
  return [...new Set(findClaims(takeaway).filter((c) => !claimIn(c, quoteTokens)).map((c) => c.text))];
}

/** The claims of a piece of prose that occur nowhere in the source (title or text). */
export function claimsMissingFromSource(prose: string, source: SourceIndex): string[] {
  return [...new Set(findClaims(prose).filter((c) => !claimIn(c, source.canonical)).map((c) => c.text))];
}
