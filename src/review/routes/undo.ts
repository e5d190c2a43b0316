import { Hono } from 'hono';
import type { DeskEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { parseForm, undoForm } from '../forms.ts';
import { undoRefusal } from '../undo.ts';
import { decideAndRedirect, storyIdParam } from './shared.ts';

/**
 * "Undo" in the notice after an approval or rejection: within a minute, the editor's own
 * decision becomes a reopen (the decision undone stays on record, as every decision does).
 * Later, another editor's, or after someone decided again: HTTP 409 says why and points to Reopen.
 */
export const undo = new Hono<DeskEnv>();

undo.post('/stories/:id/undo', async (c) => {
  const form = parseForm(undoForm, await c.req.parseBody());
  const id = storyIdParam(c);
  const o = c.get('options');
  const refusal = undoRefusal(await o.store.editorial.decisions(id), form.decision, o.now(), c.get('session')!.user.name);
  if (refusal) throw new HttpError(409, `story ${id}: ${refusal}`);
  // Back on the queue, the story reopened is the row selected.
  return decideAndRedirect(c, { action: 'reopen', note: `undo of decision ${form.decision}` }, form.back, 'undone', id);
});
