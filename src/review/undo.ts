import type { Decision } from '../store/index.ts';

/** How long the notice after an approval or rejection offers "Undo". */
export const UNDO_SECONDS = 60;

/**
 * Whether editor `by` may still reverse decision `decisionId` of a story with "Undo", given the
 * story's decisions (oldest first) and the time: only the story's latest decision, only an
 * approval or a rejection, only the editor's own, and only within UNDO_SECONDS of it. Null when
 * they may; otherwise why not, in words the editor can act on (Reopen on the story page does the
 * same at any time).
 */
export function undoRefusal(decisions: readonly Decision[], decisionId: number, now: Date, by: string): string | null {
  const mine = decisions.find((d) => d.id === decisionId);
  if (!mine) return `decision ${decisionId} is not one of this story's; open the story to see its history`;
  const last = decisions[decisions.length - 1]!;
  if (last.id !== mine.id) {
    return `the story was decided again since (${last.action} by ${last.by} at ${last.at.toISOString()}); nothing was undone. Open the story to see its history, and use Reopen there if needed`;
  }
  if (mine.action !== 'approve' && mine.action !== 'reject') return `only an approval or a rejection can be undone, not a ${mine.action}`;
  const what = mine.action === 'approve' ? 'approval' : 'rejection';
  if (mine.by !== by) return `the ${what} was made by ${mine.by}: only they can undo it. Open the story and use Reopen to make it a candidate again`;
  if (undoSecondsLeft(mine, now) <= 0) {
    return `too late to undo: the ${what} was made at ${mine.at.toISOString()}, more than ${UNDO_SECONDS} seconds ago. Open the story and use Reopen to make it a candidate again`;
  }
  return null;
}

/** Whole seconds left to undo a decision (0 when none). */
export function undoSecondsLeft(d: Pick<Decision, 'at'>, now: Date): number {
  return Math.max(0, Math.floor((d.at.getTime() + UNDO_SECONDS * 1000 - now.getTime()) / 1000));
}
