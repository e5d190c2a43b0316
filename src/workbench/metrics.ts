/**
 * The numbers a prompt is judged by, computed from drafts alone (pure: values in, values out).
 * Fields a draft of an older shape lacks (`supported`, `recommendation`, `unsupportedClaims`) make
 * their rate null rather than a made-up zero.
 */

/** What the metrics read of a draft: any stored draft shape fits. */
export interface CheckedDraft {
  headline: string;
  tldr: string;
  whyItMatters: string;
  takeaways: { text: string; quote: string; grounded: boolean; supported?: boolean }[];
  framing: { verdict: string; recommendation?: string };
  deck?: string;
  body?: string[];
  implications?: string[];
  readerNote?: string | null;
  unsupportedClaims?: { field: string; claim: string }[];
}

/** One story's result on one side of a comparison: a draft, or why there is none. */
export interface SideEntry {
  itemId: number;
  draft: CheckedDraft | null;
  failure: { kind: string; message: string } | null;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  cost: number | null;
}

export interface Aggregate {
  stories: number;
  /** Stories with a draft that passed the schema, of all tried. */
  schemaValidRate: number | null;
  /** Takeaway quotes found in the article, of all takeaways. */
  groundedQuoteRate: number | null;
  /** Takeaways whose quote supports them, of all takeaways (null for drafts that were not checked for it). */
  supportedTakeawayRate: number | null;
  /** Drafts with at least one number or name the article lacks, of all drafts (null when not checked). */
  unsupportedClaimRate: number | null;
  verdicts: Record<string, number>;
  recommendations: Record<string, number>;
  meanHeadlineWords: number | null;
  meanTldrWords: number | null;
  /** Words of the whole story as readers get it (headline to reader note). */
  meanStoryWords: number | null;
  meanTakeaways: number | null;
  inputTokens: number;
  outputTokens: number;
  /** null when no result has a price. */
  cost: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export const words = (s: string | null | undefined): string[] => (s ?? '').split(/\s+/).filter(Boolean);

/** The story's words as readers get them, in reading order. */
export function storyWords(d: CheckedDraft): string[] {
  return [d.headline, d.tldr, ...d.takeaways.map((t) => t.text), d.deck, ...(d.body ?? []), d.whyItMatters, ...(d.implications ?? []), d.readerNote].flatMap(words);
}

const ratio = (n: number, of: number): number | null => (of === 0 ? null : n / of);
const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const countBy = (xs: string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
};

export function aggregate(entries: SideEntry[]): Aggregate {
  const drafts = entries.flatMap((e) => (e.draft ? [e.draft] : []));
  const takeaways = drafts.flatMap((d) => d.takeaways);
  const checkedTakeaways = takeaways.filter((t) => t.supported !== undefined);
  const claimChecked = drafts.filter((d) => d.unsupportedClaims !== undefined);
  const priced = entries.filter((e) => e.cost !== null);
  const latencies = entries.filter((e) => e.draft).map((e) => e.latencyMs);
  return {
    stories: entries.length,
    schemaValidRate: ratio(drafts.length, entries.length),
    groundedQuoteRate: ratio(takeaways.filter((t) => t.grounded).length, takeaways.length),
    supportedTakeawayRate: ratio(checkedTakeaways.filter((t) => t.supported).length, checkedTakeaways.length),
    unsupportedClaimRate: ratio(claimChecked.filter((d) => d.unsupportedClaims!.length > 0).length, claimChecked.length),
    verdicts: countBy(drafts.map((d) => d.framing.verdict)),
    recommendations: countBy(drafts.flatMap((d) => (d.framing.recommendation ? [d.framing.recommendation] : []))),
    meanHeadlineWords: mean(drafts.map((d) => words(d.headline).length)),
    meanTldrWords: mean(drafts.map((d) => words(d.tldr).length)),
    meanStoryWords: mean(drafts.map((d) => storyWords(d).length)),
    meanTakeaways: mean(drafts.map((d) => d.takeaways.length)),
    inputTokens: entries.reduce((n, e) => n + e.inputTokens, 0),
    outputTokens: entries.reduce((n, e) => n + e.outputTokens, 0),
    cost: priced.length === 0 ? null : priced.reduce((n, e) => n + e.cost!, 0),
    latencyP50Ms: percentile(latencies, 50),
    latencyP95Ms: percentile(latencies, 95),
  };
}

type NumericKey = { [K in keyof Aggregate]: Aggregate[K] extends number | null ? K : never }[keyof Aggregate];

export const NUMERIC_METRICS: readonly NumericKey[] = [
  'stories',
  'schemaValidRate',
  'groundedQuoteRate',
  'supportedTakeawayRate',
  'unsupportedClaimRate',
  'meanHeadlineWords',
  'meanTldrWords',
  'meanStoryWords',
  'meanTakeaways',
  'inputTokens',
  'outputTokens',
  'cost',
  'latencyP50Ms',
  'latencyP95Ms',
];

export type AggregateDelta = Record<NumericKey, number | null> & { verdicts: Record<string, number>; recommendations: Record<string, number> };

/** B minus A, metric by metric; null where either side has no value. */
export function delta(a: Aggregate, b: Aggregate): AggregateDelta {
  const out = {} as AggregateDelta;
  for (const k of NUMERIC_METRICS) {
    const x = a[k];
    const y = b[k];
    out[k] = x === null || y === null ? null : y - x;
  }
  const diffCounts = (x: Record<string, number>, y: Record<string, number>) =>
    Object.fromEntries([...new Set([...Object.keys(x), ...Object.keys(y)])].sort().map((k) => [k, (y[k] ?? 0) - (x[k] ?? 0)]));
  out.verdicts = diffCounts(a.verdicts, b.verdicts);
  out.recommendations = diffCounts(a.recommendations, b.recommendations);
  return out;
}

/** Word-level Levenshtein distance: words inserted, deleted or replaced to turn `a` into `b`. */
export function wordEditDistance(a: string[], b: string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
