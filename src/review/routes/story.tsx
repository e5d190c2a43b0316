import { Hono } from 'hono';
import type { DeskEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { versionDiff, versionText } from '../version-text.ts';
import { StoryPage } from '../views/story.tsx';
import { decisionNotice, storyIdParam } from './shared.ts';

/** One story; `?from=V&to=W` shows the diff between two of its versions. */
export const story = new Hono<DeskEnv>();

story.get('/stories/:id', async (c) => {
  const id = storyIdParam(c);
  const o = c.get('options');
  const s = await o.store.stories.get(id);
  if (!s) throw new HttpError(404, `no story ${id}`);
  const [article, versions, decisions, notice] = await Promise.all([
    o.store.articles.get(id),
    o.store.editorial.versions(id),
    o.store.editorial.decisions(id),
    decisionNotice(c, id),
  ]);
  const from = versions.find((v) => String(v.id) === c.req.query('from'));
  const to = versions.find((v) => String(v.id) === c.req.query('to'));
  const diff = from && to ? { from: from.id, to: to.id, changes: versionDiff(versionText(from.draft), versionText(to.draft)) } : null;
  return c.html(
    <StoryPage
      nonce={c.get('nonce')}
      session={c.get('session')!}
      story={s}
      article={article}
      versions={versions}
      decisions={decisions}
      diff={diff}
      categories={o.categories}
      newsletter={o.newsletter}
      prices={{ pricing: o.pricing, model: o.model ?? null }}
      notice={notice}
      canRedraft={Boolean(o.redraft)}
    />,
  );
});
