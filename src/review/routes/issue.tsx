import { Hono } from 'hono';
import { proposeIssueOrder } from '../../export/index.ts';
import type { DeskEnv } from '../context.ts';
import { IssuePage, OpenIssuePage } from '../views/issue.tsx';
import { issueParam } from './issue-shared.ts';
import { noticeFrom } from './shared.ts';

/**
 * The Issue page: `/issue` is the current draft issue (the newest draft, as for `aiwins issue`),
 * or, when there is none, the form to open one with the stories it would propose.
 */
export const issue = new Hono<DeskEnv>();

issue.get('/issue', async (c) => {
  const o = c.get('options');
  const current = await o.store.issues.currentDraft();
  if (current) return c.redirect(`/issues/${current.number}`, 303);
  const [unsent, issues] = await Promise.all([o.store.issues.unsentApproved(), o.store.issues.list()]);
  const byId = new Map(unsent.map((s) => [s.id, s]));
  const proposed = proposeIssueOrder(unsent).map((id) => byId.get(id)!);
  return c.html(<OpenIssuePage nonce={c.get('nonce')} session={c.get('session')!} proposed={proposed} issues={issues} notice={noticeFrom(c)} />);
});

issue.get('/issues/:n', async (c) => {
  const o = c.get('options');
  const number = (await issueParam(c)).number;
  const [full, unsent] = await Promise.all([o.store.issues.withStories(number), o.store.issues.unsentApproved()]);
  const addable = unsent.filter((s) => !full!.storyIds.includes(s.id));
  return c.html(<IssuePage nonce={c.get('nonce')} session={c.get('session')!} issue={full!} addable={addable} notice={noticeFrom(c)} />);
});
