/**
 * Fingerprints of a story for finding other outlets' copies of it: MinHash signatures over word
 * shingles of the whole text and of its lead, and the title's words. Pure: values in, values out.
 *
 * Hand-written rather than a package: the npm MinHash packages are either unmaintained (`minhash`
 * 0.0.9) or a large general library without an LSH index (`bloom-filters`); what is needed here
 * is forty lines, and the hashing must never change between releases (stored signatures are
 * compared with new ones), which is easier to promise for code we own.
 */

/** Words per shingle. Four keeps a lightly edited copy similar and two unrelated texts apart (measured: README "Same story, several outlets"). */
export const SHINGLE_WORDS = 4;
/** Hash functions in the whole text's signature. */
export const TEXT_HASHES = 128;
/** Hash functions in the lead's signature. */
export const LEAD_HASHES = 64;
/** Words of the lead: about the first two paragraphs of a news story. */
export const LEAD_WORDS = 80;
/** Rows per LSH band: 32 text bands of 4 rows make a pair with Jaccard 0.3 a candidate 23% of the time, 0.5 87%, 0.7 over 99%. */
export const BAND_ROWS = 4;

/** What is kept of a story to recognise copies of it. */
export interface StorySignature {
  /** The title's words, lower-cased, without the site's name after a separator. */
  titleWords: string[];
  /** MinHash of the text's shingles (TEXT_HASHES values, unsigned 32-bit). */
  text: number[];
  /** MinHash of the lead's shingles (LEAD_HASHES values). */
  lead: number[];
  /** How many distinct shingles the text has (to estimate how much of one text the other holds). */
  shingles: number;
  /**
   * The distinct numbers of the text ("2017", "15th", "$50.00" as 50 and 00), as hashes, at most
   * MAX_NUMBERS of them: a copy keeps its numbers, while next year's announcement or another
   * quarter's results in the same template change them.
   */
  numbers: number[];
}

/** Numbers kept per signature: enough for a news story's dates, amounts and counts. */
export const MAX_NUMBERS = 64;

/** The words of a text: lower-cased letters and digits, accents removed. */
export function wordsOf(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/**
 * The title's words without what outlets add around the same headline: the site's name after
 * " | ", " - " or " — ", and labels like "Exclusive:" before a colon.
 */
export function titleWordsOf(title: string | null): string[] {
  if (!title) return [];
  let t = title.trim();
  const parts = t.split(/\s+[|–—-]\s+/);
  // The longest part is the headline; the others are the site's name or a section.
  if (parts.length > 1) t = parts.reduce((a, b) => (b.length > a.length ? b : a));
  const colon = t.indexOf(': ');
  if (colon > 0 && colon < 20 && t.slice(0, colon).split(/\s+/).length <= 2) t = t.slice(colon + 2);
  return wordsOf(t);
}

/** FNV-1a, 32-bit. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's finalizer: spreads every input bit over the output. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Fixed seeds, one per hash function: stored signatures stay comparable across releases. */
const SEEDS = Array.from({ length: Math.max(TEXT_HASHES, LEAD_HASHES) }, (_, i) => mix32(0x9e3779b9 + Math.imul(i + 1, 0x7f4a7c15)));

/** The hashes of a word sequence's shingles (a text shorter than one shingle is one shingle). */
function shingleHashes(words: readonly string[]): Set<number> {
  const out = new Set<number>();
  if (words.length === 0) return out;
  if (words.length < SHINGLE_WORDS) {
    out.add(fnv1a(words.join(' ')));
    return out;
  }
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i++) out.add(fnv1a(words.slice(i, i + SHINGLE_WORDS).join(' ')));
  return out;
}

function minHash(hashes: Set<number>, k: number): number[] {
  const sig = new Array<number>(k).fill(0xffffffff);
  for (const h of hashes) {
    for (let i = 0; i < k; i++) {
      const v = mix32(h ^ SEEDS[i]!);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

/** A story's signature from its title and extracted text. */
export function signStory(title: string | null, text: string): StorySignature {
  const words = wordsOf(text);
  const shingles = shingleHashes(words);
  const numbers = new Set<number>();
  for (const w of words) {
    if (numbers.size >= MAX_NUMBERS) break;
    if (/\p{N}/u.test(w)) numbers.add(fnv1a(w));
  }
  return {
    titleWords: titleWordsOf(title),
    text: minHash(shingles, TEXT_HASHES),
    lead: minHash(shingleHashes(words.slice(0, LEAD_WORDS)), LEAD_HASHES),
    shingles: shingles.size,
    numbers: [...numbers],
  };
}

/**
 * The signature's LSH band keys: two stories that share one are compared in full. Text bands,
 * lead bands, and the normalized title (a rewritten text under the same headline).
 */
export function bandKeys(sig: StorySignature): string[] {
  const keys: string[] = [];
  const band = (prefix: string, values: readonly number[]) => {
    for (let b = 0; b * BAND_ROWS < values.length; b++) {
      keys.push(`${prefix}${b}:${fnv1a(values.slice(b * BAND_ROWS, (b + 1) * BAND_ROWS).join(',')).toString(36)}`);
    }
  };
  if (sig.shingles > 0) {
    band('t', sig.text);
    band('l', sig.lead);
  }
  if (sig.titleWords.length >= 3) keys.push(`n:${fnv1a(sig.titleWords.join(' ')).toString(36)}`);
  return keys;
}

/** Estimated Jaccard similarity of two MinHash signatures of the same length. */
export function estimateJaccard(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/**
 * The share of the smaller set found in the larger (sets given as arrays); null when either has
 * fewer than `min` members (too few to tell).
 */
export function setContainment(a: readonly number[], b: readonly number[], min = 1): number | null {
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size < min || sb.size < min) return null;
  const [small, large] = sa.size <= sb.size ? [sa, sb] : [sb, sa];
  let shared = 0;
  for (const x of small) if (large.has(x)) shared++;
  return shared / small.size;
}

/** Dice coefficient of two titles' word sets: 1 for the same words in any order. */
export function titleSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const sa = new Set(a);
  const sb = new Set(b);
  let shared = 0;
  for (const w of sa) if (sb.has(w)) shared++;
  return (2 * shared) / (sa.size + sb.size);
}
