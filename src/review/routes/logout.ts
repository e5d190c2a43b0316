import { Hono } from 'hono';
import type { DeskEnv } from '../context.ts';
import { endSession } from '../security.ts';

/** "Log out": ends the session on the server, not only in the browser. */
export const logout = new Hono<DeskEnv>();

logout.post('/logout', async (c) => {
  await endSession(c);
  return c.redirect('/login', 303);
});
