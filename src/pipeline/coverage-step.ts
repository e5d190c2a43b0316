import type { Article } from '../core/types.ts';
import { bandKeys, judgeCoverage, signStory, type StorySignature } from '../coverage/index.ts';
import type { WorkItem } from '../store/index.ts';
import { nowOf, type RunContext } from './context.ts';

/**
 * Before an item is drafted: is it another outlet's copy of a story seen within
 * `dedupe.windowDays`? Then it is attached to that story (no draft, no LLM call) and the step
 * says so; otherwise its signature is stored so later copies find it. One store transaction
 * judges and records, so two copies taken at once in one run cannot both be drafted.
 * Returns whether the item still needs its draft.
 */
export async function attachIfCopy(ctx: RunContext, item: WorkItem, article: Article): Promise<'draft' | 'attached' | 'claim_lost'> {
  if (!ctx.config.dedupe.enabled || ctx.path.mode !== 'run') return 'draft';
  const signature = signStory(article.title ?? item.title, article.text);
  const now = nowOf(ctx);
  const result = await ctx.store.coverage.signOrAttach<StorySignature>(
    {
      itemId: item.id,
      runId: ctx.runId,
      signature,
      bands: bandKeys(signature),
      since: new Date(now.getTime() - ctx.config.dedupe.windowDays * 86_400_000),
      now,
    },
    (seen) => {
      const m = judgeCoverage(signature, seen);
      return m ? { storyId: m.storyId, reason: m.reason, similarity: m.similarity } : null;
    },
  );
  if ('claimLost' in result) {
    await ctx.lease.confirm();
    return 'claim_lost';
  }
  if ('signed' in result) return 'draft';
  ctx.tally({ type: 'item.duplicate' });
  ctx.emit({ type: 'item', runId: ctx.runId, feedId: item.feedId, itemId: item.id, url: item.url, stage: 'duplicate', duplicateOf: result.attached.storyId });
  return 'attached';
}
