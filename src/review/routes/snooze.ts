import { Hono } from 'hono';
import type { DeskEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { parseForm, snoozeForm } from '../forms.ts';
import { decideAndRedirect } from './shared.ts';

/** "Snooze": the story leaves the queue until the date, then comes back as a candidate. */
export const snooze = new Hono<DeskEnv>();

snooze.post('/stories/:id/snooze', async (c) => {
  const form = parseForm(snoozeForm, await c.req.parseBody());
  if (!(form.until.getTime() > c.get('options').now().getTime())) throw new HttpError(400, 'until: expected a date after today');
  return decideAndRedirect(c, { action: 'snooze', until: form.until }, form.back, 'snoozed');
});
