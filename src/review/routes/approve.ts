import { Hono } from 'hono';
import type { DeskEnv } from '../context.ts';
import { approveForm, parseForm } from '../forms.ts';
import { decideAndRedirect } from './shared.ts';

/** "Approve": pins the version the editor saw (the form's `version`), or the current one. */
export const approve = new Hono<DeskEnv>();

approve.post('/stories/:id/approve', async (c) => {
  const form = parseForm(approveForm, await c.req.parseBody());
  return decideAndRedirect(c, { action: 'approve', versionId: form.version, note: form.note }, form.back, 'approved', form.next, form.filters);
});
