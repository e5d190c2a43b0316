import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { DeskEnv, DeskOptions } from './context.ts';
import { ConfigSchema, DEFAULT_CATEGORIES } from '../config/schema.ts';
import { HttpError } from './errors.ts';
import { StoreError } from '../store/index.ts';
import { keptFor } from './facets.ts';

/** How long the queue's filter options are kept before they are read again (see facets.ts). */
const FACETS_KEPT_MS = 30_000;
import { checkCsrf, checkHost, requireSession, securityHeaders } from './security.ts';
import { ErrorPage } from './views/pages.tsx';
import { approve } from './routes/approve.ts';
import { coverage } from './routes/coverage.ts';
import { edit } from './routes/edit.tsx';
import { feed } from './routes/feed.ts';
import { issue } from './routes/issue.tsx';
import { issueOpen } from './routes/issue-open.ts';
import { issueOrder } from './routes/issue-order.ts';
import { issuePreview } from './routes/issue-preview.ts';
import { issueSend } from './routes/issue-send.tsx';
import { login } from './routes/login.tsx';
import { logout } from './routes/logout.ts';
import { queue } from './routes/queue.tsx';
import { redraft } from './routes/redraft.ts';
import { reject } from './routes/reject.ts';
import { reopen } from './routes/reopen.ts';
import { snooze } from './routes/snooze.ts';
import { staticFiles } from './routes/static.ts';
import { story } from './routes/story.tsx';
import { undo } from './routes/undo.ts';

export type { DeskOptions } from './context.ts';

/**
 * The editors' desk as a hono app: server-rendered pages, one route file per editor action.
 * Every request passes, in order: security headers, the Host check, a body cap, the session (or /login), and
 * for POSTs the Origin and CSRF checks. One error handler renders every refusal.
 */
export function createDeskApp(options: DeskOptions): Hono<DeskEnv> {
  const resolved = {
    now: () => new Date(),
    sessionIdleMinutes: 120,
    sessionMaxHours: 12,
    loginLimits: { perAccount: 5, perAddress: 20, windowMinutes: 15 },
    categories: DEFAULT_CATEGORIES,
    // The config's defaults: the story preview, the issue preview and /feed.xml use them without a config.
    newsletter: ConfigSchema.shape.newsletter.parse({}),
    pricing: {},
    ...options,
  };
  const app = new Hono<DeskEnv>();
  const facets = keptFor(FACETS_KEPT_MS, () => resolved.store.editorial.queueFacets());
  app.use(async (c, next) => {
    c.set('options', resolved);
    c.set('facets', facets);
    c.set('session', null);
    c.set('emailPreview', false);
    await next();
  });
  app.use(securityHeaders);
  app.use(checkHost);
  app.use(
    bodyLimit({
      maxSize: 256 * 1024,
      onError: () => {
        throw new HttpError(413, 'the form is larger than 256 KB');
      },
    }),
  );
  app.use(requireSession);
  app.use(checkCsrf);
  for (const routes of [staticFiles, login, logout, queue, story, approve, reject, snooze, reopen, undo, edit, redraft, coverage]) app.route('/', routes);
  for (const routes of [feed, issue, issueOpen, issueOrder, issuePreview, issueSend]) app.route('/', routes);

  app.notFound((c) => c.html(<ErrorPage nonce={c.get('nonce')} session={c.get('session')} status={404} message={`nothing at ${c.req.path}`} />, 404));
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  app.onError((err, c) => {
    const where = `desk: ${c.req.method} ${c.req.path}`;
    // A fault of the database (locked, unreachable, full) is expected, not a bug: the editor is
    // told what it is and to try again, and the log has one line for it, without a stack.
    if (err instanceof StoreError) {
      log(`${where}: ${err.failure.kind}: ${err.message}`);
      c.header('Retry-After', '5');
      const message = `the database could not do this now: ${err.message}. Nothing was changed; try again in a moment.`;
      return c.html(<ErrorPage nonce={c.get('nonce') ?? ''} session={c.get('session') ?? null} status={503} message={message} />, 503);
    }
    const status = err instanceof HttpError ? err.status : 500;
    if (status === 500) log(`${where}: ${err.stack ?? err}`);
    const message = err instanceof HttpError ? err.message : 'an unexpected error; it was logged on the server';
    return c.html(<ErrorPage nonce={c.get('nonce') ?? ''} session={c.get('session') ?? null} status={status} message={message} />, status);
  });
  return app;
}
