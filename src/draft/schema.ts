/**
 * The output contract of a drafting engine: the zod schema the LLM must satisfy (also turned into
 * the JSON schema sent as `response_format`), with the caps editors rely on.
 */
import { z } from 'zod';

/** Caps on the model's output, so a runaway answer is rejected instead of stored. */
export const LIMITS = {
  headline: 200,
  tldr: 600,
  takeawayText: 400,
  quote: 400,
  whyItMatters: 1000,
  rationale: 800,
  concern: 300,
  concerns: 8,
  minTakeaways: 3,
  maxTakeaways: 5,
} as const;

export const FRAMING_VERDICTS = ['positive', 'mixed', 'negative', 'not_ai'] as const;

const text = (max: number) => z.string().trim().min(1).max(max);

/** Builds the schema for a given category list; the category is an enum so the model cannot invent one. */
export function draftSchemaFor(categories: readonly string[]) {
  const category =
    categories.length > 0 ? z.enum(categories as [string, ...string[]]) : text(LIMITS.headline);
  return z
    .object({
      headline: text(LIMITS.headline),
      tldr: text(LIMITS.tldr),
      takeaways: z
        .array(z.object({ text: text(LIMITS.takeawayText), quote: text(LIMITS.quote) }).strict())
        .min(LIMITS.minTakeaways)
        .max(LIMITS.maxTakeaways),
      whyItMatters: text(LIMITS.whyItMatters),
      category,
      framing: z
        .object({
          verdict: z.enum(FRAMING_VERDICTS),
          score: z.number().min(0).max(1),
          rationale: text(LIMITS.rationale),
          concerns: z.array(z.string().trim().max(LIMITS.concern)).max(LIMITS.concerns),
        })
        .strict(),
    })
    .strict();
}

/** The model's output shape with any category (the drafter narrows it to the configured list). */
export const DraftSchema = draftSchemaFor([]);

/** What the model returns: DraftContent without the `grounded` flags, which we compute. */
export type ModelDraft = z.infer<typeof DraftSchema>;

/** One line per zod issue, with its path, for error messages and the repair request. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 12)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}
