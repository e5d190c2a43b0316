import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { DeskContext, DeskEnv } from './context.ts';
import { HttpError } from './errors.ts';

/** Paths open without a session: the login form, the stylesheet it uses, and the public feed of approved stories. */
const PUBLIC_PATHS = (path: string) => path === '/login' || path.startsWith('/static/') || path === '/feed.xml';

export const randomToken = () => randomBytes(32).toString('base64url');
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** The origin the desk is reached at: configured, from a trusted proxy, or the request's own. */
export function deskOrigin(c: DeskContext): string {
  const o = c.get('options');
  if (o.publicOrigin) return new URL(o.publicOrigin).origin;
  const url = new URL(c.req.url);
  if (o.trustProxy) {
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
    const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim();
    return `${proto || url.protocol.slice(0, -1)}://${host || url.host}`;
  }
  return url.origin;
}

/** The names a browser on the desk's own machine reaches it by. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** An address as it appears in a Host header: IPv6 in brackets, IPv4-mapped IPv6 as plain IPv4. */
function hostForm(address: string): string {
  const a = address.toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  return a.includes(':') && !a.startsWith('[') ? `[${a}]` : a;
}

/**
 * Whether a Host header names this desk: one of `names` (the listen address, the address the
 * connection arrived at) or a loopback name, with the listening port when it is known. A page on
 * any other name, e.g. one whose DNS was rebound to 127.0.0.1, is not the desk's.
 */
export function hostAllowed(host: string, listen: { names: readonly string[]; port: number | null }): boolean {
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return false;
  }
  if (url.host.toLowerCase() !== host.toLowerCase().replace(/:80$/, '') || url.pathname !== '/') return false;
  const port = Number(url.port || 80);
  if (listen.port !== null && port !== listen.port) return false;
  return [...LOOPBACK_NAMES, ...listen.names.map(hostForm)].includes(url.hostname);
}

/**
 * DNS rebinding: without a public origin, a request whose Host is not the desk's listen address or
 * a loopback name is answered 421, whatever it carries (a rebound page would otherwise be
 * same-origin with the desk). With `--public-origin` the Origin check already pins POSTs to it.
 */
export const checkHost: MiddlewareHandler<DeskEnv> = async (c, next) => {
  const o = c.get('options');
  if (!o.publicOrigin) {
    // Served by @hono/node-server, the socket tells the port and the address the request arrived
    // at; app.request() in tests has neither, and no port to check.
    const socket = (c.env as { incoming?: { socket?: { localAddress?: string; localPort?: number } } } | undefined)?.incoming?.socket;
    const names = [o.listenHost, socket?.localAddress].filter((n): n is string => !!n);
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!hostAllowed(host, { names, port: socket?.localPort ?? null })) {
      return c.text(
        `421 Misdirected Request: this desk answers at the address it listens on or localhost, not at "${host.slice(0, 200)}"; ` +
          'to reach it under another name, start it with --public-origin https://that.name\n',
        421,
      );
    }
  }
  await next();
};

/** The longest a login waits for its account's failures (a few seconds: an editor still gets in). */
export const MAX_LOGIN_DELAY_MS = 4000;

/**
 * How long a login for an account waits before its password is checked, given the account's
 * failed logins from every address since its last success: nothing below `perAccount`, then
 * 250 ms doubling with each further failure, capped at MAX_LOGIN_DELAY_MS. The account is slowed
 * down, never refused: refusing it would let anyone lock an editor out from everywhere.
 */
export function loginDelayMs(accountFailures: number, perAccount: number): number {
  if (accountFailures < perAccount) return 0;
  return Math.min(MAX_LOGIN_DELAY_MS, 250 * 2 ** Math.min(accountFailures - perAccount, 16));
}

/** Cookie names: the __Host- prefix (no Domain, Path=/, Secure) when the desk is served over https. */
function cookieName(c: DeskContext): { name: string; secure: boolean } {
  const secure = deskOrigin(c).startsWith('https:');
  return { name: secure ? '__Host-aiwins_session' : 'aiwins_session', secure };
}

/** Starts a server-side session for a user and sets its cookie (HttpOnly, SameSite=Lax). */
export async function startSession(c: DeskContext, userId: number): Promise<void> {
  const o = c.get('options');
  const token = randomToken();
  const now = o.now();
  await o.store.users.createSession({
    tokenHash: tokenHash(token),
    userId,
    csrfToken: randomToken(),
    now,
    expiresAt: new Date(now.getTime() + o.sessionMaxHours * 3600_000),
  });
  const { name, secure } = cookieName(c);
  setCookie(c, name, token, { httpOnly: true, sameSite: 'Lax', secure, path: '/', maxAge: o.sessionMaxHours * 3600 });
}

/** Ends the request's session on the server and clears its cookie. */
export async function endSession(c: DeskContext): Promise<void> {
  const session = c.get('session');
  if (session) await c.get('options').store.users.endSession(session.tokenHash);
  const { name, secure } = cookieName(c);
  deleteCookie(c, name, { path: '/', secure });
}

/** A desk page's policy: the only inline script is the one carrying this response's nonce. */
const deskPolicy = (nonce: string) =>
  [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'self'",
    // Images from articles would tell their sites (or any address) that an editor looked.
    "img-src 'self'",
    // The Issue page frames its own email preview, and nothing else.
    "frame-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

/**
 * The email preview's policy. The newsletter's HTML has every style inline, as mail clients need,
 * so inline styles are allowed here and nowhere else; no script at all, nothing loaded from
 * anywhere, sandboxed even when opened on its own, and only desk pages may frame it.
 */
const EMAIL_PREVIEW_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
  'sandbox',
].join('; ');

/** Marks the response as the newsletter's email HTML, served under the email preview's policy. */
export function asEmailPreview(c: DeskContext): void {
  c.set('emailPreview', true);
}

/**
 * Security headers on every response: a strict CSP, and no caching unless the route said how
 * (the stylesheet, the public feed).
 */
export const securityHeaders: MiddlewareHandler<DeskEnv> = async (c, next) => {
  const nonce = randomBytes(18).toString('base64');
  c.set('nonce', nonce);
  await next();
  const preview = c.get('emailPreview');
  c.res.headers.set('Content-Security-Policy', preview ? EMAIL_PREVIEW_POLICY : deskPolicy(nonce));
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
  // Not no-referrer: under it browsers send `Origin: null` on the desk's own form posts.
  c.res.headers.set('Referrer-Policy', 'same-origin');
  c.res.headers.set('X-Frame-Options', preview ? 'SAMEORIGIN' : 'DENY');
  c.res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
};

/** Loads the session from its cookie (expired ones are deleted), and sends visitors without one to /login. */
export const requireSession: MiddlewareHandler<DeskEnv> = async (c, next) => {
  const o = c.get('options');
  const token = getCookie(c, cookieName(c).name);
  const session = token ? await o.store.users.useSession(tokenHash(token), o.now(), o.sessionIdleMinutes * 60_000) : null;
  c.set('session', session);
  if (!session && !PUBLIC_PATHS(c.req.path)) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect('/login', 303);
    throw new HttpError(403, 'not logged in (or the session expired): log in again');
  }
  await next();
};

/**
 * Every POST must come from the desk's own pages: its Origin must be the desk's (a page on another
 * origin, another port on this host included, is refused), and, once logged in, its `_csrf` field
 * must be the session's token. GETs never change anything, so they need neither.
 */
export const checkCsrf: MiddlewareHandler<DeskEnv> = async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    if (c.req.method !== 'POST') throw new HttpError(403, `${c.req.method} is not used by the desk`);
    const origin = c.req.header('origin');
    if (!origin || origin !== deskOrigin(c)) {
      throw new HttpError(403, 'this form was not sent from the desk (Origin mismatch); reload the page and try again');
    }
    const session = c.get('session');
    // The login form acts on no session's authority; the Origin check above covers it.
    if (session && c.req.path !== '/login') {
      const body = await c.req.parseBody();
      const sent = typeof body._csrf === 'string' ? Buffer.from(body._csrf) : Buffer.alloc(0);
      const expected = Buffer.from(session.csrfToken);
      if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
        throw new HttpError(403, 'the form has expired or was not sent from the desk (CSRF token); reload the page and try again');
      }
    }
  }
  await next();
};
