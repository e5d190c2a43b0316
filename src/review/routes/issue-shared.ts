import type { Issue, IssueChange } from '../../store/index.ts';
import type { DeskContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { NOTICES } from './shared.ts';

/** The issue named by `:n`; 404 for anything but the number of an existing issue. */
export async function issueParam(c: DeskContext): Promise<Issue> {
  const raw = c.req.param('n') ?? '';
  const number = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  const issue = Number.isSafeInteger(number) && number > 0 ? await c.get('options').store.issues.get(number) : null;
  if (!issue) throw new HttpError(404, `no issue "${raw}"`);
  return issue;
}

/** Back to the issue after a change, or a 409 page saying why nothing changed (a sent issue, a story not approved). */
export function issueChangeRedirect(c: DeskContext, change: IssueChange, done: keyof typeof NOTICES): Response {
  if (!change.ok) throw new HttpError(409, change.message);
  return c.redirect(`/issues/${change.issue.number}?done=${done}`, 303);
}
