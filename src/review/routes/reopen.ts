import { Hono } from 'hono';
import type { DeskEnv } from '../context.ts';
import { parseForm, reopenForm } from '../forms.ts';
import { decideAndRedirect } from './shared.ts';

/** "Reopen": an approved or rejected story becomes a candidate again; earlier decisions stay on record. */
export const reopen = new Hono<DeskEnv>();

reopen.post('/stories/:id/reopen', async (c) => {
  const form = parseForm(reopenForm, await c.req.parseBody());
  return decideAndRedirect(c, { action: 'reopen' }, form.back, 'reopened');
});
