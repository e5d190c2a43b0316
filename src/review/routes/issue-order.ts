import { Hono } from 'hono';
import type { DeskEnv } from '../context.ts';
import { addToIssueForm, moveInIssueForm, parseForm } from '../forms.ts';
import { issueChangeRedirect, issueParam } from './issue-shared.ts';
import { storyIdParam } from './shared.ts';

/** The order of a draft issue: add an approved story at the end, move one to a position, take one out. */
export const issueOrder = new Hono<DeskEnv>();

issueOrder.post('/issues/:n/stories', async (c) => {
  const issue = await issueParam(c);
  const form = parseForm(addToIssueForm, await c.req.parseBody());
  return issueChangeRedirect(c, await c.get('options').store.issues.add(issue.number, [form.story]), 'issueAdded');
});

issueOrder.post('/issues/:n/stories/:id/move', async (c) => {
  const issue = await issueParam(c);
  const form = parseForm(moveInIssueForm, await c.req.parseBody());
  return issueChangeRedirect(c, await c.get('options').store.issues.move(issue.number, storyIdParam(c), form.to), 'issueMoved');
});

issueOrder.post('/issues/:n/stories/:id/remove', async (c) => {
  const issue = await issueParam(c);
  return issueChangeRedirect(c, await c.get('options').store.issues.remove(issue.number, storyIdParam(c)), 'issueRemoved');
});
