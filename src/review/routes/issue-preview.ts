import { Hono } from 'hono';
import { issueDocument, renderIssueHtml } from '../../export/index.ts';
import type { DeskEnv } from '../context.ts';
import { asEmailPreview } from '../security.ts';
import { issueParam } from './issue-shared.ts';

/**
 * The issue as its email: the same HTML as `aiwins export N --format html`. Its styles are
 * inline, so it is served on its own under the email preview's policy (no script, nothing
 * loaded, sandboxed) for the Issue page to frame.
 */
export const issuePreview = new Hono<DeskEnv>();

issuePreview.get('/issues/:n/preview', async (c) => {
  const o = c.get('options');
  const full = (await o.store.issues.withStories((await issueParam(c)).number))!;
  const html = renderIssueHtml(issueDocument(full, full.stories), o.newsletter);
  asEmailPreview(c);
  return c.html(html);
});
