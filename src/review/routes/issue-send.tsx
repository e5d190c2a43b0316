import { Hono } from 'hono';
import type { DeskEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { parseForm, sendIssueForm } from '../forms.ts';
import { SendIssuePage } from '../views/issue.tsx';
import { issueChangeRedirect, issueParam } from './issue-shared.ts';

/**
 * "Mark as sent", in two steps: a page saying what sending freezes, then its POST, which does
 * what `aiwins issue send N` does (each story keeps the version that was approved).
 */
export const issueSend = new Hono<DeskEnv>();

issueSend.get('/issues/:n/send', async (c) => {
  const o = c.get('options');
  const full = (await o.store.issues.withStories((await issueParam(c)).number))!;
  return c.html(<SendIssuePage nonce={c.get('nonce')} session={c.get('session')!} issue={full} />);
});

issueSend.post('/issues/:n/send', async (c) => {
  const issue = await issueParam(c);
  const form = parseForm(sendIssueForm, await c.req.parseBody());
  if (form.confirm !== issue.number) throw new HttpError(400, `confirm: this form confirms issue ${form.confirm}, not issue ${issue.number}`);
  const o = c.get('options');
  return issueChangeRedirect(c, await o.store.issues.send(issue.number, o.now()), 'issueSent');
});
