import { Hono } from 'hono';
import { proposeIssueOrder } from '../../export/index.ts';
import type { DeskEnv } from '../context.ts';
import { openIssueForm, parseForm } from '../forms.ts';
import { issueChangeRedirect } from './issue-shared.ts';

/**
 * "Open an issue": a draft issue proposing the approved stories not yet sent, in the order
 * `aiwins issue new` proposes them (grouped by category, newest first), or an empty one.
 */
export const issueOpen = new Hono<DeskEnv>();

issueOpen.post('/issues', async (c) => {
  const form = parseForm(openIssueForm, await c.req.parseBody());
  const o = c.get('options');
  const storyIds = form.empty ? [] : proposeIssueOrder(await o.store.issues.unsentApproved());
  return issueChangeRedirect(c, await o.store.issues.create({ title: form.title, storyIds, now: o.now() }), 'issueOpened');
});
