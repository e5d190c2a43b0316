/** What the prompt workbench prints: progress lines, comparisons and evaluations for people. */
import type { TrialProgress } from '../workbench/run-trial.ts';
import { formatCost } from '../core/pricing.ts';
import type { Evaluation } from '../workbench/evaluate.ts';
import type { Comparison, StorySide } from '../workbench/compare.ts';
import { NUMERIC_METRICS } from '../workbench/metrics.ts';

export function formatTrialProgress(p: TrialProgress): string {
  return (
    `${p.done}/${p.total} drafted ${p.drafted} (${p.fromCache} from cache, ${p.llmCalls} LLM calls), failed ${p.failed}; ` +
    `tokens ${p.inputTokens} in + ${p.outputTokens} out; ${formatCost(p.cost)}`
  );
}

/** How each aggregate is shown: rates in percent (deltas in points), the rest as numbers. */
export const METRIC_LABELS: Record<(typeof NUMERIC_METRICS)[number], { label: string; rate?: true; digits?: number }> = {
  stories: { label: 'stories' },
  schemaValidRate: { label: 'schema-valid rate', rate: true },
  groundedQuoteRate: { label: 'grounded-quote rate', rate: true },
  supportedTakeawayRate: { label: 'supported-takeaway rate', rate: true },
  unsupportedClaimRate: { label: 'unsupported-claim rate', rate: true },
  meanHeadlineWords: { label: 'mean headline words', digits: 1 },
  meanTldrWords: { label: 'mean TL;DR words', digits: 1 },
  meanStoryWords: { label: 'mean story words', digits: 1 },
  meanTakeaways: { label: 'mean takeaways', digits: 1 },
  inputTokens: { label: 'input tokens' },
  outputTokens: { label: 'output tokens' },
  cost: { label: 'est. cost ($)', digits: 4 },
  latencyP50Ms: { label: 'latency p50 (ms)' },
  latencyP95Ms: { label: 'latency p95 (ms)' },
};

export function formatMetric(key: (typeof NUMERIC_METRICS)[number], v: number | null, isDelta = false): string {
  if (v === null) return '-';
  const { rate, digits = 0 } = METRIC_LABELS[key];
  const sign = isDelta && v > 0 ? '+' : '';
  if (rate) return isDelta ? `${sign}${(v * 100).toFixed(1)} pp` : `${(v * 100).toFixed(1)}%`;
  return `${sign}${v.toFixed(digits)}`;
}

const counts = (c: Record<string, number>, isDelta = false) =>
  Object.entries(c)
    .map(([k, n]) => `${k} ${isDelta && n > 0 ? '+' : ''}${n}`)
    .join(', ') || '-';

function sideLine(tag: string, s: StorySide | null): string[] {
  if (!s) return [`  ${tag}: not in this side`];
  if (s.failure) return [`  ${tag}: no draft (${s.failure.kind}: ${s.failure.message.split('\n')[0]})`];
  const mark = (t: StorySide['takeaways'][number]) => `${t.grounded ? 'grounded' : 'UNGROUNDED'}${t.supported === false ? ', UNSUPPORTED' : ''}`;
  return [
    `  ${tag}: ${s.headline}  [${s.verdict ?? '-'}${s.recommendation ? ` / ${s.recommendation}` : ''}]`,
    `     TL;DR: ${s.tldr}`,
    ...s.takeaways.map((t, i) => `     ${i + 1}. ${t.text} (${mark(t)})`),
    ...(s.unsupportedClaims.length ? [`     unsupported claims: ${s.unsupportedClaims.map((c) => `${c.field}: ${c.claim}`).join('; ')}`] : []),
  ];
}

/** The comparison for a terminal: the aggregate table with B's delta, then story by story. */
export function formatComparison(c: Comparison, opts: { onlyDiffering?: boolean } = {}): string {
  const rows: string[][] = [['metric', `A: ${c.a.name}`, `B: ${c.b.name}`, 'B - A']];
  for (const k of NUMERIC_METRICS) rows.push([METRIC_LABELS[k].label, formatMetric(k, c.a.aggregate[k]), formatMetric(k, c.b.aggregate[k]), formatMetric(k, c.delta[k], true)]);
  rows.push(['verdicts', counts(c.a.aggregate.verdicts), counts(c.b.aggregate.verdicts), counts(c.delta.verdicts, true)]);
  rows.push(['recommendations', counts(c.a.aggregate.recommendations), counts(c.b.aggregate.recommendations), counts(c.delta.recommendations, true)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  const stories = c.stories.filter((s) => !opts.onlyDiffering || s.differs);
  lines.push('', `${stories.length} stor${stories.length === 1 ? 'y' : 'ies'}${opts.onlyDiffering ? ' where the judgement differs' : ''}:`);
  for (const s of stories) {
    lines.push(`story ${s.id}: ${s.title ?? '(untitled)'}${s.differs ? '  [differs]' : ''}`, ...sideLine('A', s.a), ...sideLine('B', s.b));
  }
  return lines.join('\n');
}


/** The evaluation for a terminal. */
export function formatEvaluation(ev: Evaluation): string {
  const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
  const num = (v: number | null) => (v === null ? '-' : v.toFixed(3));
  const c = ev.counts;
  const columns = [...new Set(Object.values(ev.confusion).flatMap((r) => Object.keys(r)))].sort((a, b) => (a === 'approved' ? -1 : b === 'approved' ? 1 : a.localeCompare(b)));
  const table = [['verdict \\ editors', ...columns], ...Object.entries(ev.confusion).map(([verdict, row]) => [verdict, ...columns.map((k) => String(row[k] ?? 0))])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return [
    `trial ${ev.trial}: precision ${num(ev.precision)}, recall ${num(ev.recall)}, F1 ${num(ev.f1)}`,
    `  ${c.positives} approved, ${c.negatives} rejected as not_ai/negative/spin; TP ${c.truePositive} FP ${c.falsePositive} FN ${c.falseNegative} TN ${c.trueNegative}` +
      `${c.noDraft ? `; ${c.noDraft} without a draft (counted as skip)` : ''}${c.notTried ? `; ${c.notTried} labelled stories not in the trial` : ''}`,
    `  grounded-quote rate ${pct(ev.groundedQuoteRate)}, supported-takeaway rate ${pct(ev.supportedTakeawayRate)}`,
    `  edit distance to the approved version: ${ev.editDistance.meanWords === null ? '-' : ev.editDistance.meanWords.toFixed(1)} words on average (${pct(ev.editDistance.meanRatio)} of its length), over ${ev.editDistance.stories} approved stories`,
    '',
    ...table.map((r) => '  ' + r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()),
  ].join('\n');
}
