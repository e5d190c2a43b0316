import { Hono } from 'hono';
import { etag } from 'hono/etag';
import { renderExport } from '../../export/index.ts';
import type { DeskEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { deskOrigin } from '../security.ts';

/**
 * `/feed.xml`: the approved stories as RSS, the same bytes as `aiwins export --format rss --status
 * approved --feed-url ORIGIN/feed.xml`. Open without a session, for feed readers and the
 * newsletter's site: it holds only approved and sent stories, each at the version editors
 * approved, and never an editor's note.
 */
export const feed = new Hono<DeskEnv>();

feed.get('/feed.xml', etag(), async (c) => {
  const o = c.get('options');
  const stories = await o.store.issues.feedStories({ since: null });
  // The feed's self link: where readers reach it (--public-origin, else the address asked for).
  const feedUrl = `${deskOrigin(c)}/feed.xml`;
  const out = renderExport('rss', null, { number: null, title: null, date: null, stories }, o.newsletter, { feedUrl });
  // Only a missing newsletter.siteUrl stops a feed: a setting to add, not a fault of the desk.
  if (!out.ok) throw new HttpError(503, `the feed is not set up: ${out.failure.message}, then restart aiwins serve`);
  // Readers poll; five minutes of caching is plenty for a newsletter, and the ETag makes a re-check cheap.
  c.header('Cache-Control', 'public, max-age=300');
  return c.body(out.value, 200, { 'Content-Type': 'application/rss+xml; charset=utf-8' });
});
