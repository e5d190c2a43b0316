import { Hono } from 'hono';
import { EditorialError, type QueueFilters } from '../../store/index.ts';
import type { DeskEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { QueuePage } from '../views/queue.tsx';
import { decisionNotice, selectedFrom } from './shared.ts';

/**
 * The queue at `/`: candidates first, then flagged ones, a page at a time; filters and search are
 * query parameters, and `after`/`before` the opaque cursor of the page (from its Older/Newer links).
 */
export const queue = new Hono<DeskEnv>();

queue.get('/', async (c) => {
  const o = c.get('options');
  const param = (k: string) => c.req.query(k)?.trim().slice(0, 200) || undefined;
  const filters: QueueFilters = {
    q: param('q'),
    feed: param('feed'),
    category: param('category'),
    verdict: param('verdict'),
    engine: param('engine'),
    status: param('status'),
    now: o.now(),
  };
  // A cursor longer than any the queue makes is refused by the store like any other bad one.
  const position = { after: c.req.query('after') || undefined, before: c.req.query('before') || undefined };
  const page = o.store.editorial.queue({ ...filters, ...position }).catch((e: unknown) => {
    if (e instanceof EditorialError && e.code === 'invalid') throw new HttpError(400, e.message);
    throw e;
  });
  const [found, facets, notice] = await Promise.all([page, c.get('facets')(), decisionNotice(c)]);
  return c.html(
    <QueuePage
      nonce={c.get('nonce')}
      session={c.get('session')!}
      page={found}
      position={position}
      filters={filters}
      facets={facets}
      notice={notice}
      selected={selectedFrom(c)}
    />,
  );
});
