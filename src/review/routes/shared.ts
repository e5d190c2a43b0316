import { EditorialError, type DecisionAction, type ReasonCode } from '../../store/index.ts';
import type { DeskContext } from '../context.ts';
import { HttpError } from '../errors.ts';

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
} as const;

export function noticeFrom(c: DeskContext): string | undefined {
  const done = c.req.query('done');
  return done && done in NOTICES ? NOTICES[done as keyof typeof NOTICES] : undefined;
}

/** The HTTP status of a refused editorial action: 404 unknown story, 409 a sent story (final), else 400. */
export function editorialStatus(err: EditorialError): 404 | 409 | 400 {
  return err.code === 'unknown_story' ? 404 : err.code === 'sent' ? 409 : 400;
}

/** Records a decision by the logged-in editor, then goes back to the queue or the story. */
export async function decideAndRedirect(
  c: DeskContext,
  decision: { action: DecisionAction; versionId?: number; reason?: ReasonCode; note?: string; until?: Date },
  back: 'queue' | 'story',
  done: keyof typeof NOTICES,
): Promise<Response> {
  const id = storyIdParam(c);
  const o = c.get('options');
  try {
    await o.store.editorial.decide(id, { ...decision, by: c.get('session')!.user.name, now: o.now() });
  } catch (err) {
    if (err instanceof EditorialError) throw new HttpError(editorialStatus(err), err.message);
    throw err;
  }
  return c.redirect(back === 'queue' ? `/?done=${done}` : `/stories/${id}?done=${done}`, 303);
}
