/**
 * `aiwins prompts compare A B`: two trials (or `live`, the drafts editors see) story by story and
 * in aggregate, with B's delta against A.
 */
import type { Store } from '../store/index.ts';
import { aggregate, delta, type Aggregate, type AggregateDelta, type CheckedDraft, type SideEntry } from './metrics.ts';
import { costOf, type Pricing } from '../core/pricing.ts';

/** The live drafts, as a side of a comparison. */
export const LIVE = 'live';

export interface Side {
  name: string;
  /** Prompt id and hash and model of a trial; null for `live` (its drafts may mix prompts). */
  prompt: { id: string; hash: string } | null;
  model: string | null;
  entries: SideEntry[];
}

/** One story on one side, as the comparison shows it. */
export interface StorySide {
  headline: string | null;
  tldr: string | null;
  takeaways: { text: string; quote: string; grounded: boolean; supported: boolean | null }[];
  verdict: string | null;
  recommendation: string | null;
  unsupportedClaims: { field: string; claim: string }[];
  failure: { kind: string; message: string } | null;
}

export interface StoryComparison {
  id: number;
  title: string | null;
  /** The judgement differs: schema validity, verdict, recommendation, or grounded/supported/flagged counts. */
  differs: boolean;
  a: StorySide | null;
  b: StorySide | null;
}

export interface Comparison {
  a: { name: string; prompt: Side['prompt']; model: string | null; aggregate: Aggregate };
  b: { name: string; prompt: Side['prompt']; model: string | null; aggregate: Aggregate };
  delta: AggregateDelta;
  stories: StoryComparison[];
}

export class UnknownTrialError extends Error {}

/**
 * A side by name: a trial's results, or the live drafts of `ids` (every drafted story when none are
 * given). Throws UnknownTrialError naming the trials there are.
 */
export async function loadSide(store: Store, name: string, pricing: Pricing, ids?: number[]): Promise<Side> {
  if (name === LIVE) {
    const storyIds = ids ?? (await store.stories.list()).map((s) => s.id);
    const entries: SideEntry[] = [];
    for (const id of storyIds) {
      const d = (await store.stories.get(id))?.draft;
      if (!d) continue;
      entries.push({
        itemId: id,
        draft: d as CheckedDraft,
        failure: null,
        inputTokens: d.inputTokens,
        outputTokens: d.outputTokens,
        latencyMs: d.latencyMs,
        cost: costOf(pricing, [d.model], d.inputTokens, d.outputTokens),
      });
    }
    return { name, prompt: null, model: null, entries };
  }
  const trial = await store.trials.get(name);
  if (!trial) {
    const known = (await store.trials.list()).map((t) => t.name);
    throw new UnknownTrialError(`no trial named "${name}"; trials: ${known.length ? known.join(', ') : 'none yet (aiwins prompts run PROMPT_FILE)'}, or "live"`);
  }
  const results = await store.trials.results(trial.id);
  return {
    name,
    prompt: { id: trial.prompt.id, hash: trial.prompt.hash },
    model: trial.model,
    entries: results.map((r) => ({ itemId: r.itemId, draft: r.draft as CheckedDraft | null, failure: r.failure, inputTokens: r.inputTokens, outputTokens: r.outputTokens, latencyMs: r.latencyMs, cost: r.cost })),
  };
}

function storySide(e: SideEntry | undefined): StorySide | null {
  if (!e) return null;
  const d = e.draft;
  return {
    headline: d?.headline ?? null,
    tldr: d?.tldr ?? null,
    takeaways: (d?.takeaways ?? []).map((t) => ({ text: t.text, quote: t.quote, grounded: t.grounded, supported: t.supported ?? null })),
    verdict: d?.framing.verdict ?? null,
    recommendation: d?.framing.recommendation ?? null,
    unsupportedClaims: d?.unsupportedClaims ?? [],
    failure: e.failure,
  };
}

const judgement = (s: StorySide | null) =>
  s && JSON.stringify([s.failure === null, s.verdict, s.recommendation, s.takeaways.filter((t) => t.grounded).length, s.takeaways.filter((t) => t.supported).length, s.unsupportedClaims.length]);

/** Compares two sides on the stories both have (a `live` side is read for the other side's stories). */
export async function compareSides(store: Store, aName: string, bName: string, pricing: Pricing): Promise<Comparison> {
  let a: Side;
  let b: Side;
  if (aName === LIVE && bName !== LIVE) {
    b = await loadSide(store, bName, pricing);
    a = await loadSide(store, aName, pricing, b.entries.map((e) => e.itemId));
  } else {
    a = await loadSide(store, aName, pricing);
    b = await loadSide(store, bName, pricing, a.entries.map((e) => e.itemId));
  }
  // The aggregate covers the stories both sides tried, so a rate never compares different sets.
  const bIds = new Set(b.entries.map((e) => e.itemId));
  const shared = new Set(a.entries.filter((e) => bIds.has(e.itemId)).map((e) => e.itemId));
  const aShared = a.entries.filter((e) => shared.has(e.itemId));
  const bShared = b.entries.filter((e) => shared.has(e.itemId));
  const aggA = aggregate(aShared);
  const aggB = aggregate(bShared);
  const ids = [...new Set([...a.entries, ...b.entries].map((e) => e.itemId))].sort((x, y) => x - y);
  const stories: StoryComparison[] = [];
  for (const id of ids) {
    const sa = storySide(a.entries.find((e) => e.itemId === id));
    const sb = storySide(b.entries.find((e) => e.itemId === id));
    stories.push({ id, title: (await store.stories.get(id))?.title ?? null, differs: judgement(sa) !== judgement(sb), a: sa, b: sb });
  }
  const head = (s: Side, agg: Aggregate) => ({ name: s.name, prompt: s.prompt, model: s.model, aggregate: agg });
  return { a: head(a, aggA), b: head(b, aggB), delta: delta(aggA, aggB), stories };
}
