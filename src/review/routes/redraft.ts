import { Hono } from 'hono';
import type { DeskEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { sentRefusal } from '../../store/index.ts';
import { REDRAFT_NEEDS_MODEL } from '../views/story.tsx';
import { storyIdParam } from './shared.ts';

/**
 * "Re-draft": drafts the stored article again as a new version. An approval stays on the version
 * it pinned (the store never changes a version), and the story shows "re-drafted since approval".
 * A story sent in an issue is not re-drafted (409). Only with a model: a desk without one
 * (DeskOptions.redraft absent) says so and adds nothing.
 */
export const redraft = new Hono<DeskEnv>();

redraft.post('/stories/:id/redraft', async (c) => {
  const id = storyIdParam(c);
  const o = c.get('options');
  const story = await o.store.stories.get(id);
  if (!story) throw new HttpError(404, `no story ${id}`);
  // A sent story is final; the run would not claim it either, but this says why.
  if (story.sent) throw new HttpError(409, sentRefusal(story.sent));
  // No model: nothing is drafted (the offline engine would add a copy of the draft there is).
  if (!o.redraft) throw new HttpError(503, `${REDRAFT_NEEDS_MODEL} Nothing was added.`);
  const r = await o.redraft(id);
  if (!r.ok) throw new HttpError(502, `re-draft failed: ${r.message}`);
  return c.redirect(`/stories/${id}?done=redrafted`, 303);
});
