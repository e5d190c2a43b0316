import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { DeskEnv } from '../context.ts';

const CSS = readFileSync(new URL('../static/desk.css', import.meta.url), 'utf8');

/** The stylesheet (no inline styles: the CSP allows only the desk's own). Open without a session. */
export const staticFiles = new Hono<DeskEnv>();

staticFiles.get('/static/desk.css', (c) => {
  c.header('Cache-Control', 'public, max-age=3600');
  return c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' });
});
