import { Hono } from 'hono';
import type { QueueFilters } from '../../store/index.ts';
import type { DeskEnv } from '../context.ts';
import { QueuePage } from '../views/queue.tsx';
import { decisionNotice, selectedFrom } from './shared.ts';

/** The queue at `/`: candidates first, then flagged ones; filters and search are query parameters. */
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
  const [entries, facets, notice] = await Promise.all([o.store.editorial.queue(filters), o.store.editorial.queueFacets(), decisionNotice(c)]);
  return c.html(
    <QueuePage nonce={c.get('nonce')} session={c.get('session')!} entries={entries} filters={filters} facets={facets} notice={notice} selected={selectedFrom(c)} />,
  );
});
