/**
 * An editor's verdict and recommendation, from the edit form's `verdict` and `recommendation`
 * fields, against the version edited. Pure: the route saves what this decides.
 */
import type { FramingVerdict, Recommendation } from '../core/types.ts';
import { ALLOWED_RECOMMENDATIONS } from '../draft/schema.ts';
import { judgedFraming, type StoredDraft } from '../store/index.ts';

export type JudgementOfEdit =
  | { ok: true; judgement: { verdict: FramingVerdict; recommendation: Recommendation } | null }
  | { ok: false; message: string };

/**
 * What the two fields ask for: `judgement: null` when they leave the standing verdict and
 * recommendation (an editor's earlier judgement, else the model's framing) as they are, so an edit
 * of the text alone records no judgement; the editor's judgement when they change either (a field
 * left out keeps its standing value). A pair the framing rubric forbids ("uncertain" with
 * "include") is refused, naming the field, as the drafting schema refuses it from a model.
 */
export function judgementOfEdit(
  base: Pick<StoredDraft, 'framing' | 'judgement'>,
  submitted: { verdict?: FramingVerdict; recommendation?: Recommendation },
): JudgementOfEdit {
  const standing = judgedFraming(base);
  const verdict = submitted.verdict ?? standing.verdict;
  const recommendation = submitted.recommendation ?? standing.recommendation;
  if (verdict === standing.verdict && recommendation === standing.recommendation) return { ok: true, judgement: null };
  if (recommendation === null) return { ok: false, message: 'recommendation: required with a verdict (this draft has none)' };
  const allowed = ALLOWED_RECOMMENDATIONS[verdict];
  if (!allowed.includes(recommendation)) {
    return { ok: false, message: `recommendation: "${recommendation}" is not allowed with the verdict "${verdict}" (allowed: ${allowed.join(', ')})` };
  }
  return { ok: true, judgement: { verdict, recommendation } };
}
