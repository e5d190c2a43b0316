import { Hono } from 'hono';
import type { DeskContext, DeskEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { EditorialError } from '../../store/index.ts';
import { editorialStatus, storyIdParam } from './shared.ts';

/**
 * The same story from several outlets: "Split off" a copy that is not the story (it becomes
 * pending, drafted by the next run, and is never attached to this story again), or "Make primary"
 * another outlet (the story then links to it and names it as its source).
 */
export const coverage = new Hono<DeskEnv>();

/** The :item of a coverage route; 404 for anything but a positive integer. */
function itemParam(c: DeskContext): number {
  const raw = c.req.param('item') ?? '';
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(404, `no item "${raw}"`);
  return id;
}

/** Runs a coverage change; a refusal (a sent story: 409) becomes its HTTP answer. */
async function refusedAsHttp(change: () => Promise<boolean>): Promise<boolean> {
  try {
    return await change();
  } catch (err) {
    if (err instanceof EditorialError) throw new HttpError(editorialStatus(err), err.message);
    throw err;
  }
}

coverage.post('/stories/:id/coverage/:item/split', async (c) => {
  const id = storyIdParam(c);
  const item = itemParam(c);
  const o = c.get('options');
  if (!(await refusedAsHttp(() => o.store.coverage.split(id, item, c.get('session')!.user.name, o.now())))) {
    throw new HttpError(404, `item ${item} is not a copy of story ${id}`);
  }
  return c.redirect(`/stories/${id}?done=split`, 303);
});

coverage.post('/stories/:id/coverage/:item/primary', async (c) => {
  const id = storyIdParam(c);
  const item = itemParam(c);
  const o = c.get('options');
  if (!(await refusedAsHttp(() => o.store.coverage.chooseSource(id, item, c.get('session')!.user.name, o.now())))) {
    throw new HttpError(404, `item ${item} is not one of story ${id}'s outlets`);
  }
  return c.redirect(`/stories/${id}?done=primary`, 303);
});
