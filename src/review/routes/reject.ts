import { Hono } from 'hono';
import type { DeskEnv } from '../context.ts';
import { parseForm, rejectForm } from '../forms.ts';
import { decideAndRedirect } from './shared.ts';

/** "Reject": with a reason code (the prompt workbench's label) and an optional note. */
export const reject = new Hono<DeskEnv>();

reject.post('/stories/:id/reject', async (c) => {
  const form = parseForm(rejectForm, await c.req.parseBody());
  return decideAndRedirect(c, { action: 'reject', versionId: form.version, reason: form.reason, note: form.note }, form.back, 'rejected');
});
