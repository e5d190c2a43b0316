/**
 * Where a trial's articles, editors' labels and results live: the database (the store), or a frozen
 * golden set on disk (golden-set.ts). Trials, comparisons and evaluations read and write through
 * this one interface, so they run the same on either.
 */
import type { Store, StoredDraft, TrialSource, TrialStore } from '../store/index.ts';
import type { CheckedDraft, SideEntry } from './metrics.ts';
import { costOf, type Pricing } from '../core/pricing.ts';

/** The part of an article the drafter reads. */
export interface BenchArticle {
  text: string;
  siteName: string | null;
  readingMinutes: number;
}

/**
 * An editor's last word on a story, as a label to score prompts against: approved (with the
 * version approved, an editor's edit included), or rejected with a reason code.
 */
export interface EditorVerdict {
  storyId: number;
  decision: 'approve' | 'reject';
  reason: string | null;
  approved: CheckedDraft | null;
}

export interface TrialBench {
  /** The stories a trial drafts when none are chosen: at most this many newest (undefined: all). */
  readonly defaultSample: number | undefined;
  /** Stories with an article, newest first: the given ids, or those published since a date, at most `limit`. */
  sources(opts: { ids?: number[]; since?: Date; limit?: number }): Promise<TrialSource[]>;
  article(storyId: number): Promise<BenchArticle | null>;
  trials: Pick<TrialStore, 'open' | 'get' | 'list' | 'cached' | 'record' | 'results' | 'recordEvaluation' | 'lastEvaluation'>;
  /** Every story editors approved or rejected (and did not reopen since). */
  labels(): Promise<EditorVerdict[]>;
  title(storyId: number): Promise<string | null>;
  /** The live drafts (what the desk shows) of these stories, or of every drafted story; null where there are none (a golden set). */
  live(pricing: Pricing, ids?: number[]): Promise<SideEntry[] | null>;
}

const asChecked = (d: StoredDraft | null) => d as unknown as CheckedDraft | null;

/** The database as a bench: stored articles, the desk's decisions, trials in the trials tables. */
export function storeBench(store: Store): TrialBench {
  return {
    defaultSample: 20,
    sources: (opts) => store.trials.sources(opts),
    article: (id) => store.articles.get(id),
    trials: store.trials,
    labels: async () =>
      (await store.editorial.labels()).map((l) => ({ storyId: l.storyId, decision: l.decision, reason: l.reason, approved: asChecked(l.approved) })),
    title: async (id) => (await store.stories.get(id))?.title ?? null,
    live: async (pricing, ids) => {
      const storyIds = ids ?? (await store.stories.list()).map((s) => s.id);
      const entries: SideEntry[] = [];
      for (const id of storyIds) {
        // The current version: what the desk shows, an editor's edit included.
        const d = (await store.stories.get(id))?.draft;
        if (!d) continue;
        entries.push({
          itemId: id,
          draft: asChecked(d),
          failure: null,
          inputTokens: d.inputTokens,
          outputTokens: d.outputTokens,
          latencyMs: d.latencyMs,
          cost: costOf(pricing, [d.model], d.inputTokens, d.outputTokens),
        });
      }
      return entries;
    },
  };
}
