/**
 * The output contract of a drafting engine: one zod definition, used twice. Its wire form (shape,
 * enums, item counts, number ranges) becomes the JSON schema sent with `strict: true`, inside the
 * subset OpenAI documents for structured outputs; its checked form adds the length caps and the
 * framing rubric's rules, enforced after the answer so a break goes to the repair turn.
 */
import { z } from 'zod';
import type { FramingVerdict, Recommendation } from '../core/types.ts';

/** Caps on the model's output, so a runaway answer is rejected instead of stored. */
export const LIMITS = {
  headline: 200,
  tldr: 600,
  takeawayText: 400,
  quote: 400,
  deck: 240,
  bodyParagraph: 1500,
  minBody: 2,
  maxBody: 3,
  whyItMatters: 1000,
  implication: 400,
  minImplications: 2,
  maxImplications: 4,
  readerNote: 1000,
  angle: 400,
  rationale: 800,
  concern: 300,
  concerns: 8,
  minTakeaways: 3,
  maxTakeaways: 5,
} as const;

export const FRAMING_VERDICTS = ['positive', 'mixed', 'negative', 'not_ai', 'uncertain'] as const satisfies readonly FramingVerdict[];
export const RECOMMENDATIONS = ['include', 'include_with_note', 'skip'] as const satisfies readonly Recommendation[];

/**
 * The score each verdict allows (inclusive), written out in prompts/README.md. The score says how
 * genuinely good an AI story this is on the article's evidence; a verdict outside its band is a
 * self-contradicting answer ("positive" at 0.05), so it is invalid output.
 */
export const SCORE_BANDS: Readonly<Record<FramingVerdict, readonly [number, number]>> = {
  positive: [0.65, 1],
  mixed: [0.35, 0.65],
  negative: [0, 0.35],
  not_ai: [0, 0.2],
  uncertain: [0.35, 0.65],
};

/** What each verdict may recommend: a negative, off-topic or unjudgeable story is never proposed for inclusion. */
export const ALLOWED_RECOMMENDATIONS: Readonly<Record<FramingVerdict, readonly Recommendation[]>> = {
  positive: ['include', 'include_with_note', 'skip'],
  mixed: ['include_with_note', 'skip'],
  negative: ['skip'],
  not_ai: ['skip'],
  uncertain: ['skip'],
};

/** The rubric's rules that tie fields together; each message names the field and the fix. */
export function rubricProblems(d: {
  framing: { verdict: FramingVerdict; score: number; recommendation: Recommendation };
  readerNote: string | null;
}): { path: string[]; message: string }[] {
  const { verdict, score, recommendation } = d.framing;
  const problems: { path: string[]; message: string }[] = [];
  const [low, high] = SCORE_BANDS[verdict];
  if (score < low || score > high) {
    problems.push({
      path: ['framing', 'score'],
      message: `${score} is outside the "${verdict}" band ${low}-${high}: change the score or the verdict so they agree`,
    });
  }
  if (!ALLOWED_RECOMMENDATIONS[verdict].includes(recommendation)) {
    problems.push({
      path: ['framing', 'recommendation'],
      message: `"${recommendation}" is not allowed with the verdict "${verdict}" (allowed: ${ALLOWED_RECOMMENDATIONS[verdict].join(', ')})`,
    });
  }
  if (recommendation === 'include_with_note' && !d.readerNote) {
    problems.push({ path: ['readerNote'], message: 'include_with_note needs a reader note that names the caveats' });
  }
  return problems;
}

/**
 * Builds the draft schema for a category list (an enum, so the model cannot invent one). With
 * `checked: false` it is the wire form: no string lengths (rejected by strict structured outputs)
 * and no cross-field rules (JSON schema cannot say them).
 */
function buildDraftSchema(categories: readonly string[], checked: boolean) {
  const text = (max: number) => (checked ? z.string().trim().min(1).max(max) : z.string());
  const optionalText = (max: number) => (checked ? z.string().trim().max(max) : z.string());
  const list = <T extends z.ZodType>(item: T, min: number, max: number) => z.array(item).min(min).max(max);
  const category = categories.length > 0 ? z.enum(categories as [string, ...string[]]) : text(LIMITS.headline);
  // The assessment comes first, so a model writing in order judges the story before writing it.
  const framing = z
    .object({
      angle: text(LIMITS.angle).nullable(),
      concerns: list(optionalText(LIMITS.concern), 0, LIMITS.concerns),
      verdict: z.enum(FRAMING_VERDICTS),
      score: z.number().min(0).max(1),
      confidence: z.number().min(0).max(1),
      recommendation: z.enum(RECOMMENDATIONS),
      rationale: text(LIMITS.rationale),
    })
    .strict();
  return z
    .object({
      framing,
      category,
      headline: text(LIMITS.headline),
      tldr: text(LIMITS.tldr),
      takeaways: list(z.object({ text: text(LIMITS.takeawayText), quote: text(LIMITS.quote) }).strict(), LIMITS.minTakeaways, LIMITS.maxTakeaways),
      deck: text(LIMITS.deck),
      body: list(text(LIMITS.bodyParagraph), LIMITS.minBody, LIMITS.maxBody),
      whyItMatters: text(LIMITS.whyItMatters),
      implications: list(text(LIMITS.implication), LIMITS.minImplications, LIMITS.maxImplications),
      readerNote: text(LIMITS.readerNote).nullable(),
    })
    .strict();
}

/** The checked schema for a category list: lengths, counts and the rubric's rules. */
export function draftSchemaFor(categories: readonly string[]) {
  return buildDraftSchema(categories, true).superRefine((d, ctx) => {
    for (const p of rubricProblems(d)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });
}

/** The model's output shape with any category (the drafter narrows it to the configured list). */
export const DraftSchema = draftSchemaFor([]);

/** What the model returns: DraftContent without the flags and claims, which we compute. */
export type ModelDraft = z.infer<typeof DraftSchema>;

/** The JSON schema sent to the model: the wire form, without `$schema` (not part of the documented subset). */
export function wireJsonSchema(categories: readonly string[]): Record<string, unknown> {
  const { $schema: _drop, ...schema } = z.toJSONSchema(buildDraftSchema(categories, false), { target: 'draft-7' }) as Record<string, unknown>;
  return schema;
}

/** The `response_format` of a drafting request: strict structured output with the wire schema. */
export function responseFormatFor(categories: readonly string[], name: string) {
  return { type: 'json_schema' as const, json_schema: { name, strict: true, schema: wireJsonSchema(categories) } };
}

/** One line per zod issue, with its path, for error messages and the repair request. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 12)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}
