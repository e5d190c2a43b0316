import { EditorialError, type DecisionAction, type ReasonCode } from '../../store/index.ts';
import type { DeskContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { undoRefusal, undoSecondsLeft } from '../undo.ts';
import type { DeskNotice } from '../views/layout.tsx';

/** The :id of a story route; 404 for anything but a positive integer. */
export function storyIdParam(c: DeskContext): number {
  const raw = c.req.param('id') ?? '';
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(404, `no story "${raw}"`);
  return id;
}

/** What a redirect after an action tells the editor: fixed texts, so no text from a URL is echoed. */
export const NOTICES = {
  approved: 'Approved.',
  rejected: 'Rejected.',
  snoozed: 'Snoozed.',
  reopened: 'Reopened: a candidate again.',
  saved: 'Saved as a new version.',
  redrafted: 'Re-drafted: the new draft is the current version.',
  split: 'Split off: drafted on its own by the next run.',
  primary: 'The story now names that outlet as its source.',
  issueOpened: 'Issue opened.',
  issueAdded: 'Added to the issue.',
  issueMoved: 'Moved.',
  issueRemoved: 'Taken out of the issue.',
  issueSent: 'Marked as sent: the issue is frozen.',
  undone: 'Undone: a candidate again.',
} as const;

/**
 * The same notices naming the story they were about (its id and headline, from the store, so
 * still no text from the URL): the queue and the story page show these.
 */
const NAMED: Partial<Record<keyof typeof NOTICES, (story: string) => string>> = {
  approved: (s) => `Approved ${s}.`,
  rejected: (s) => `Rejected ${s}.`,
  snoozed: (s) => `Snoozed ${s}.`,
  reopened: (s) => `Reopened ${s}: a candidate again.`,
  undone: (s) => `Undone: ${s} is a candidate again.`,
};

export function noticeFrom(c: DeskContext): string | undefined {
  const done = c.req.query('done');
  return done && done in NOTICES ? NOTICES[done as keyof typeof NOTICES] : undefined;
}

/** The HTTP status of a refused editorial action: 404 unknown story, 409 a sent story (final), else 400. */
export function editorialStatus(err: EditorialError): 404 | 409 | 400 {
  return err.code === 'unknown_story' ? 404 : err.code === 'sent' ? 409 : 400;
}

/** A positive integer query parameter, or undefined. */
function idQuery(c: DeskContext, name: string): number | undefined {
  const raw = c.req.query(name) ?? '';
  return /^\d{1,15}$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;
}

/**
 * The notice after a decision, naming the story (`storyId`, or the queue's `?story=`), with
 * "Undo" while the decision is the story's latest approval or rejection, the editor's own, and
 * under a minute old.
 */
export async function decisionNotice(c: DeskContext, storyId?: number): Promise<DeskNotice | undefined> {
  const done = c.req.query('done');
  if (!done || !(done in NOTICES)) return undefined;
  const key = done as keyof typeof NOTICES;
  const id = storyId ?? idQuery(c, 'story');
  const named = NAMED[key];
  const o = c.get('options');
  const story = id !== undefined && named ? await o.store.stories.get(id) : null;
  if (!story || !named) return { text: NOTICES[key] };
  const notice: DeskNotice = { text: named(`#${story.id} “${story.draft?.headline ?? story.title ?? '(untitled)'}”`) };
  if (key === 'approved' || key === 'rejected') {
    const decisions = await o.store.editorial.decisions(story.id);
    const last = decisions[decisions.length - 1];
    const now = o.now();
    if (last && undoRefusal(decisions, last.id, now, c.get('session')!.user.name) === null) {
      notice.undo = { storyId: story.id, decisionId: last.id, secondsLeft: undoSecondsLeft(last, now), back: storyId === undefined ? 'queue' : 'story' };
    }
  }
  return notice;
}

/** The queue row to select: the one after a story just decided from the queue (`?next=`). */
export function selectedFrom(c: DeskContext): number | undefined {
  return idQuery(c, 'next');
}

/**
 * Where a decision goes back to: the story, or the queue, naming the story decided (for the
 * notice), the row to select next, and the queue's filters (a query string of known keys).
 */
export function backTo(back: 'queue' | 'story', id: number, done: keyof typeof NOTICES, next?: number, filters?: string): string {
  if (back === 'story') return `/stories/${id}?done=${done}`;
  return `/?done=${done}&story=${id}${next !== undefined ? `&next=${next}` : ''}${filters ? `&${filters}` : ''}`;
}

/** Records a decision by the logged-in editor, then goes back to the queue or the story. */
export async function decideAndRedirect(
  c: DeskContext,
  decision: { action: DecisionAction; versionId?: number; reason?: ReasonCode; note?: string; until?: Date },
  back: 'queue' | 'story',
  done: keyof typeof NOTICES,
  next?: number,
  filters?: string,
): Promise<Response> {
  const id = storyIdParam(c);
  const o = c.get('options');
  try {
    await o.store.editorial.decide(id, { ...decision, by: c.get('session')!.user.name, now: o.now() });
  } catch (err) {
    if (err instanceof EditorialError) throw new HttpError(editorialStatus(err), err.message);
    throw err;
  }
  return c.redirect(backTo(back, id, done, next, filters), 303);
}
