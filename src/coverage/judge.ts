import { estimateJaccard, setContainment, titleSimilarity, type StorySignature } from './signature.ts';

/** Why two items were judged the same story. */
export type CoverageReason = 'same_text' | 'quoted_text' | 'same_title_and_lead';

/** How alike two stories are, each measure in 0..1. */
export interface Likeness {
  /** Estimated Jaccard similarity of the texts' shingles. */
  text: number;
  /** Estimated share of the shorter text's shingles found in the longer one. */
  contained: number;
  lead: number;
  title: number;
  /** The share of the numbers of the text with fewer that the other has too; null when either has too few to tell. */
  numbers: number | null;
  /** Whether the titles carry the same numbers (true when neither has any). */
  titleNumbersAgree: boolean;
}

/** The thresholds, chosen by measurement (`npm run bench:coverage`; README "Same story, several outlets"). */
export interface CoverageThresholds {
  /** Texts at least this similar are one story (a syndicated copy, another template). */
  text: number;
  /** A shorter text this much inside a longer one is one story (a press release quoted whole). */
  contained: number;
  /** ... counted only when the shorter text has at least this many shingles (so a short stub cannot be "contained" by chance). */
  containedMinShingles: number;
  /** Titles this similar ... */
  title: number;
  /** ... whose leads are at least this similar are one story (a rewritten headline over the same lead). */
  lead: number;
  /** Whatever the words, texts that share less than this share of their numbers are different stories (next year's edition of an announcement) ... */
  numbers: number;
  /** ... judged when both texts have at least this many distinct numbers ... */
  numbersMin: number;
  /** ... and when their words are less alike than this (a text this alike is a copy, whatever its numbers). */
  numbersUnlessText: number;
}

export const DEFAULT_THRESHOLDS: CoverageThresholds = {
  text: 0.5,
  contained: 0.7,
  containedMinShingles: 60,
  title: 0.6,
  lead: 0.3,
  numbers: 0.7,
  numbersMin: 3,
  numbersUnlessText: 0.75,
};

const titleNumbers = (words: readonly string[]) => [...new Set(words.filter((w) => /\p{N}/u.test(w)))].sort().join(' ');

/** Measures how alike two signatures are. */
export function likeness(a: StorySignature, b: StorySignature, numbersMin = DEFAULT_THRESHOLDS.numbersMin): Likeness {
  const text = estimateJaccard(a.text, b.text);
  // |A∩B| = J(|A|+|B|)/(1+J); divided by the smaller set, the share of it the other holds.
  const smaller = Math.min(a.shingles, b.shingles);
  const contained = smaller > 0 ? Math.min(1, (text * (a.shingles + b.shingles)) / ((1 + text) * smaller)) : 0;
  return {
    text,
    contained,
    lead: estimateJaccard(a.lead, b.lead),
    title: titleSimilarity(a.titleWords, b.titleWords),
    numbers: setContainment(a.numbers, b.numbers, numbersMin),
    titleNumbersAgree: titleNumbers(a.titleWords) === titleNumbers(b.titleWords),
  };
}

/** Whether two stories are one, and why; null when they are different stories. */
export function coverageReason(a: StorySignature, b: StorySignature, t: CoverageThresholds = DEFAULT_THRESHOLDS): { reason: CoverageReason; likeness: Likeness } | null {
  const l = likeness(a, b, t.numbersMin);
  if (a.shingles === 0 || b.shingles === 0) return null;
  if (l.numbers !== null && l.numbers < t.numbers && l.text < t.numbersUnlessText) return null;
  if (l.text >= t.text) return { reason: 'same_text', likeness: l };
  if (l.contained >= t.contained && Math.min(a.shingles, b.shingles) >= t.containedMinShingles) return { reason: 'quoted_text', likeness: l };
  if (l.title >= t.title && l.titleNumbersAgree && l.lead >= t.lead) return { reason: 'same_title_and_lead', likeness: l };
  return null;
}

/** A story seen before, as the index returns it. */
export interface SeenStory {
  id: number;
  signature: StorySignature;
}

/** The match of a new item: the story it copies, why, and how alike they are. */
export interface CoverageMatch {
  storyId: number;
  reason: CoverageReason;
  /** The measure that decided (text, containment, or the lead under a similar title). */
  similarity: number;
  likeness: Likeness;
}

/** The story among `seen` that `sig` is a copy of (the most similar when several are), or null. */
export function judgeCoverage(sig: StorySignature, seen: readonly SeenStory[], t: CoverageThresholds = DEFAULT_THRESHOLDS): CoverageMatch | null {
  let best: CoverageMatch | null = null;
  for (const s of seen) {
    const c = coverageReason(sig, s.signature, t);
    if (!c) continue;
    const similarity = c.reason === 'same_text' ? c.likeness.text : c.reason === 'quoted_text' ? c.likeness.contained : c.likeness.lead;
    const score = Math.max(c.likeness.text, c.likeness.contained);
    const bestScore = best ? Math.max(best.likeness.text, best.likeness.contained) : -1;
    if (!best || score > bestScore || (score === bestScore && s.id < best.storyId)) best = { storyId: s.id, reason: c.reason, similarity, likeness: c.likeness };
  }
  return best;
}
