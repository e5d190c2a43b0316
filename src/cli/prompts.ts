/** What the prompt workbench prints: progress lines, comparisons and evaluations for people. */
import type { TrialProgress } from '../workbench/run-trial.ts';
import { formatCost } from '../workbench/pricing.ts';

export function formatTrialProgress(p: TrialProgress): string {
  return (
    `${p.done}/${p.total} drafted ${p.drafted} (${p.fromCache} from cache, ${p.llmCalls} LLM calls), failed ${p.failed}; ` +
    `tokens ${p.inputTokens} in + ${p.outputTokens} out; ${formatCost(p.cost)}`
  );
}
