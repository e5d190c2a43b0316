/** Estimated cost of LLM tokens from llm.pricing (currency units per million input and output tokens). */
export type Pricing = Record<string, { input: number; output: number }>;

/**
 * The cost of a call, priced by the first of `models` the config names (the server may report a
 * dated model name, e.g. gpt-4o-mini-2024-07-18, for the configured gpt-4o-mini); null when none has a price.
 */
export function costOf(pricing: Pricing, models: (string | null | undefined)[], inputTokens: number, outputTokens: number): number | null {
  for (const m of models) {
    const price = m ? pricing[m] : undefined;
    if (price) return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
  }
  return null;
}

/** A cost for people: null (no price configured) says so instead of showing 0. */
export const formatCost = (cost: number | null): string => (cost === null ? 'cost unknown (no llm.pricing for the model)' : `est. $${cost.toFixed(4)}`);
