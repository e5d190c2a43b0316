/**
 * Where a draft came from, and what it cost: the one account `aiwins show` and the desk's story
 * page both print, so a draft's cost is computed in one place. Pure.
 */
import { costOf, type Pricing } from '../core/pricing.ts';
import type { Engine } from '../core/types.ts';

/** llm.pricing and llm.model, to price drafts with. */
export type Prices = { pricing: Pricing; model: string | null };

/** What provenance needs of a stored draft (a StoredDraft satisfies it). */
export interface DraftOrigin {
  engine: Engine;
  model: string | null;
  prompt: { id: string; hash: string };
  inputTokens: number;
  outputTokens: number;
  origin: 'model' | 'editor';
  editedBy: string | null;
}

/** A model call's estimated cost: null when no llm.pricing entry prices `model`. */
export interface DraftCost {
  estimated: number | null;
  /** The model name the cost is (or would be) priced as. */
  model: string | null;
}

export interface Provenance {
  engine: Engine;
  model: string | null;
  prompt: { id: string; hash: string };
  inputTokens: number;
  outputTokens: number;
  /** The editor who saved this version, for an editor's version; null for a model's draft. */
  editedBy: string | null;
  /** Null when there was no model call to pay for: an offline (extractive) draft, or an editor's edit. */
  cost: DraftCost | null;
}

/**
 * A draft's provenance. Only a model-made draft has a cost: its tokens priced by the first of its
 * reported model and the configured one that llm.pricing names (the server may report a dated
 * name, e.g. gpt-4o-mini-2024-07-18, for the configured gpt-4o-mini). An editor's version keeps
 * the tokens of the draft it came from, but saving it called no model.
 */
export function provenance(d: DraftOrigin, prices: Prices): Provenance {
  const modelCall = d.engine === 'llm' && d.origin === 'model';
  return {
    engine: d.engine,
    model: d.model,
    prompt: d.prompt,
    inputTokens: d.inputTokens,
    outputTokens: d.outputTokens,
    editedBy: d.origin === 'editor' ? d.editedBy : null,
    cost: modelCall
      ? { estimated: costOf(prices.pricing, [d.model, prices.model], d.inputTokens, d.outputTokens), model: prices.model ?? d.model }
      : null,
  };
}

/** A draft's cost for people: "unknown" without a price for the model, never 0. */
export function costPhrase(cost: DraftCost): string {
  return cost.estimated === null ? `cost unknown (no llm.pricing for ${cost.model ?? 'the model'})` : `cost est. $${cost.estimated.toFixed(4)}`;
}
