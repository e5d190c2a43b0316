/**
 * `aiwins prompts eval`: a trial scored against editors. Approved stories are positives; stories
 * rejected as not_ai, negative or spin are negatives (other reasons, such as duplicate or
 * paywalled, say nothing about the prompt and are left out). The prediction is the draft's
 * recommendation: include or include_with_note versus skip.
 */
import type { EditorLabel } from '../store/index.ts';
import { aggregate, storyWords, wordEditDistance, type CheckedDraft, type SideEntry } from './metrics.ts';

/** Rejection reasons that mean "this story should not run": the negatives. */
export const NEGATIVE_REASONS = ['not_ai', 'negative', 'spin'] as const;

export interface Evaluation {
  trial: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  counts: { truePositive: number; falsePositive: number; falseNegative: number; trueNegative: number; positives: number; negatives: number; noDraft: number; notTried: number };
  /** Rows: the draft's verdict ("no draft" when it failed); columns: "approved" or the rejection's reason code. */
  confusion: Record<string, Record<string, number>>;
  groundedQuoteRate: number | null;
  supportedTakeawayRate: number | null;
  /** How far the drafts are from what editors approved: words inserted, deleted or replaced. */
  editDistance: { stories: number; meanWords: number | null; meanRatio: number | null };
}

/**
 * The draft's include/skip call. Drafts made before recommendations existed are read from their
 * verdict (positive or mixed: include); a story without a draft counts as skip, since it would not run.
 */
export function recommends(d: CheckedDraft | null): boolean {
  if (!d) return false;
  const r = d.framing.recommendation;
  if (r !== undefined) return r === 'include' || r === 'include_with_note';
  return d.framing.verdict === 'positive' || d.framing.verdict === 'mixed';
}

const ratio = (n: number, of: number): number | null => (of === 0 ? null : n / of);

export function evaluate(trial: string, entries: SideEntry[], labels: EditorLabel[]): Evaluation {
  const byId = new Map(entries.map((e) => [e.itemId, e]));
  const counts = { truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0, positives: 0, negatives: 0, noDraft: 0, notTried: 0 };
  const confusion: Evaluation['confusion'] = {};
  const scored: SideEntry[] = [];
  const distances: { words: number; ratio: number }[] = [];
  for (const label of labels) {
    const positive = label.decision === 'approve';
    const negative = label.decision === 'reject' && (NEGATIVE_REASONS as readonly string[]).includes(label.reason ?? '');
    const entry = byId.get(label.storyId);
    if (!entry) {
      if (positive || negative) counts.notTried++;
      continue;
    }
    const column = positive ? 'approved' : (label.reason ?? 'rejected');
    const row = entry.draft?.framing.verdict ?? 'no draft';
    confusion[row] ??= {};
    confusion[row]![column] = (confusion[row]![column] ?? 0) + 1;
    if (!positive && !negative) continue;
    scored.push(entry);
    if (!entry.draft) counts.noDraft++;
    const predicted = recommends(entry.draft);
    if (positive) {
      counts.positives++;
      if (predicted) counts.truePositive++;
      else counts.falseNegative++;
      if (entry.draft && label.approved) {
        const approvedWords = storyWords(label.approved as CheckedDraft);
        const w = wordEditDistance(storyWords(entry.draft), approvedWords);
        distances.push({ words: w, ratio: w / Math.max(1, approvedWords.length) });
      }
    } else {
      counts.negatives++;
      if (predicted) counts.falsePositive++;
      else counts.trueNegative++;
    }
  }
  const precision = ratio(counts.truePositive, counts.truePositive + counts.falsePositive);
  const recall = ratio(counts.truePositive, counts.truePositive + counts.falseNegative);
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const agg = aggregate(scored);
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    trial,
    precision,
    recall,
    f1,
    counts,
    confusion,
    groundedQuoteRate: agg.groundedQuoteRate,
    supportedTakeawayRate: agg.supportedTakeawayRate,
    editDistance: { stories: distances.length, meanWords: mean(distances.map((d) => d.words)), meanRatio: mean(distances.map((d) => d.ratio)) },
  };
}

/** The thresholds an evaluation failed, in words; empty when it passed. A missing value fails its threshold. */
export function failedThresholds(ev: Evaluation, t: { minGrounded?: number; minF1?: number }): string[] {
  const out: string[] = [];
  if (t.minGrounded !== undefined && !(ev.groundedQuoteRate !== null && ev.groundedQuoteRate >= t.minGrounded)) {
    out.push(`grounded-quote rate ${ev.groundedQuoteRate === null ? 'unknown' : ev.groundedQuoteRate.toFixed(3)} is below --min-grounded ${t.minGrounded}`);
  }
  if (t.minF1 !== undefined && !(ev.f1 !== null && ev.f1 >= t.minF1)) {
    out.push(`F1 ${ev.f1 === null ? 'unknown (no approved or negative stories tried)' : ev.f1.toFixed(3)} is below --min-f1 ${t.minF1}`);
  }
  return out;
}
