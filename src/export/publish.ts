/**
 * Publishing targets, off unless `aiwins publish` is run: each creates a DRAFT on the platform
 * (never a send), from an issue already rendered. Keys come from the environment; the base URLs
 * from the config, so tests point them at stand-in servers on 127.0.0.1.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { fail, ok, type Outcome } from '../core/failure.ts';
import { stripControlChars } from '../core/terminal.ts';

export const PUBLISH_TARGETS = ['buttondown', 'ghost'] as const;
export type PublishTarget = (typeof PUBLISH_TARGETS)[number];

/** What was created: the platform's id for the draft, and where an editor opens it, when known. */
export interface Published {
  target: PublishTarget;
  id: string;
  url: string | null;
}

/** The rendered issue a target takes. */
export interface PublishInput {
  subject: string;
  /** The email HTML (inline styles), as `export --format html` writes it. */
  html: string;
}

/** How long the one retry may wait: `defaultWaitMs` when the answer has no Retry-After, never over `maxWaitMs`. */
export interface RetryOptions {
  defaultWaitMs: number;
  maxWaitMs: number;
}

export interface PublishSettings {
  buttondownURL: string;
  /** Ghost's Admin API URL (Settings → Integrations → the integration's "API URL"). */
  ghostAdminURL?: string | undefined;
  /** The older name of ghostAdminURL, still read. */
  ghostURL?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** The clock for the Ghost token (tests pin it). */
  now?: () => Date;
  timeoutMs?: number;
  retry?: RetryOptions;
}

const DEFAULT_TIMEOUT_MS = 30_000;
// A person is waiting at a terminal: half a minute is worth waiting for a draft, an hour is not.
const DEFAULT_RETRY: RetryOptions = { defaultWaitMs: 2_000, maxWaitMs: 30_000 };

export async function publishIssue(target: PublishTarget, input: PublishInput, settings: PublishSettings): Promise<Outcome<Published>> {
  return target === 'buttondown' ? publishToButtondown(input, settings) : publishToGhost(input, settings);
}

/** The inside of the email's <body>: platforms wrap posts in their own page. */
function bodyOf(html: string): string {
  const m = /<body\b[^>]*>([\s\S]*)<\/body>/i.exec(html);
  return (m ? m[1]! : html).trim();
}

const joinUrl = (base: string, path: string) => `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;

/**
 * Buttondown: POST /v1/emails with `status: "draft"`. Before API version 2026-04-01 an email
 * posted without a status is sent at once (from that version on it is a draft), and which version
 * answers depends on the key's pinned version, so the status is always set here, never left to a
 * default. The idempotency key is one per publish, sent on the retry too: a retry after an
 * answer that never arrived gets the first draft back instead of making a second.
 */
async function publishToButtondown(input: PublishInput, s: PublishSettings): Promise<Outcome<Published>> {
  const key = s.env.BUTTONDOWN_API_KEY?.trim();
  if (!key) return fail('publish.not_configured', 'BUTTONDOWN_API_KEY is not set: put your Buttondown API key (Settings → API) in the environment');
  const res = await postJson(
    joinUrl(s.buttondownURL, 'emails'),
    { Authorization: `Token ${key}`, 'X-Idempotency-Key': randomUUID() },
    { subject: input.subject, body: bodyOf(input.html), status: 'draft' },
    BUTTONDOWN,
    s,
  );
  if (!res.ok) return res;
  const id = (res.value as { id?: unknown }).id;
  if (typeof id !== 'string' && typeof id !== 'number') return fail('publish.http_error', 'Buttondown answered without an email id; check the draft in its dashboard');
  return ok({ target: 'buttondown', id: String(id), url: null });
}

/** A Ghost Admin API token: HS256 over the key's hex secret, kid = key id, audience /admin/, 5 minutes. */
export function ghostAdminToken(adminKey: string, now: Date): string | null {
  const m = /^([0-9a-f]+):([0-9a-f]+)$/i.exec(adminKey.trim());
  if (!m || m[2]!.length % 2 !== 0) return null;
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const iat = Math.floor(now.getTime() / 1000);
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT', kid: m[1] })}.${b64({ iat, exp: iat + 300, aud: '/admin/' })}`;
  const signature = createHmac('sha256', Buffer.from(m[2]!, 'hex')).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

/** The Admin API URL as given, less a `/ghost/api/admin/` (or `/ghost/`) that was pasted with it. */
export const ghostApiRoot = (url: string) => url.replace(/\/+$/, '').replace(/\/ghost(\/api(\/admin)?)?$/i, '');

/**
 * Ghost: a draft post through the Admin API whose content is ONE HTML card holding the issue's
 * HTML. Sent as Lexical rather than `?source=html`, which converts the HTML into Ghost's own
 * cards and drops what it cannot map (table layouts, inline styles); an HTML card keeps every byte.
 */
async function publishToGhost(input: PublishInput, s: PublishSettings): Promise<Outcome<Published>> {
  const adminURL = s.ghostAdminURL ?? s.ghostURL;
  if (!adminURL) return fail('publish.not_configured', "publish.ghostAdminURL is not set: put your Ghost Admin API URL in the config (Ghost Admin → Settings → Integrations → your custom integration → API URL; for Ghost(Pro) it is https://SITE.ghost.io)");
  const key = s.env.GHOST_ADMIN_API_KEY?.trim();
  if (!key) return fail('publish.not_configured', 'GHOST_ADMIN_API_KEY is not set: put an Admin API key (Settings → Integrations → custom integration) in the environment');
  const token = ghostAdminToken(key, (s.now ?? (() => new Date()))());
  if (!token) return fail('publish.not_configured', 'GHOST_ADMIN_API_KEY: expected the Admin API key as id:secret (hex), as Ghost shows it');
  const lexical = {
    root: {
      children: [{ type: 'html', version: 1, html: bodyOf(input.html) }],
      direction: null,
      format: '',
      indent: 0,
      type: 'root',
      version: 1,
    },
  };
  const res = await postJson(
    joinUrl(ghostApiRoot(adminURL), 'ghost/api/admin/posts/'),
    { Authorization: `Ghost ${token}`, 'Accept-Version': 'v5.0' },
    { posts: [{ title: input.subject, status: 'draft', lexical: JSON.stringify(lexical) }] },
    GHOST,
    s,
  );
  if (!res.ok) return res;
  const post = (res.value as { posts?: { id?: unknown; url?: unknown }[] }).posts?.[0];
  if (!post || typeof post.id !== 'string') return fail('publish.http_error', 'Ghost answered without a post id; check the drafts in Ghost Admin');
  return ok({ target: 'ghost', id: post.id, url: typeof post.url === 'string' ? post.url : null });
}

/** What differs between the platforms around the same POST: names, the config key, how errors read. */
interface Platform {
  name: string;
  urlKey: string;
  /** What urlKey holds, in the platform's words. */
  urlWhat: string;
  /** The URL to put under urlKey, given where a redirect pointed. */
  suggest(location: URL): string;
  /** The platform's own reason from an error body, when it gave one. */
  reason(body: unknown): string | null;
  /** Whether an error answer is about the credentials, beyond 401/403. */
  isAuth(status: number, body: unknown): boolean;
  /** What to add to an auth failure's message. */
  authHint(body: unknown): string;
}

/** Ghost errors: `{errors: [{message, context, type, code}]}` (@tryghost/errors, as its error handler sends them). */
const ghostFirstError = (body: unknown) => {
  const e = (body as { errors?: unknown } | null)?.errors;
  return Array.isArray(e) && e[0] && typeof e[0] === 'object' ? (e[0] as { message?: unknown; context?: unknown; code?: unknown; type?: unknown }) : null;
};
const isInvalidJwt = (body: unknown) => {
  const e = ghostFirstError(body);
  return e?.code === 'INVALID_JWT' || e?.type === 'INVALID_JWT';
};

const GHOST: Platform = {
  name: 'Ghost',
  urlKey: 'publish.ghostAdminURL',
  urlWhat: "the Admin API URL (Settings → Integrations → your integration's API URL)",
  suggest: (location) => `${location.origin}${location.pathname.replace(/\/ghost\/.*$/i, '')}`,
  reason(body) {
    const e = ghostFirstError(body);
    if (!e || typeof e.message !== 'string') return null;
    return typeof e.context === 'string' && e.context ? `${e.message}: ${e.context}` : e.message;
  },
  // Ghost answers a token it cannot read with 400 and one it will not accept with 401, both
  // INVALID_JWT: either way the key or the clock, not the request, is what to look at.
  isAuth: (_status, body) => isInvalidJwt(body),
  authHint: (body) =>
    isInvalidJwt(body)
      ? "Ghost refuses tokens older than 5 minutes, so check this machine's clock (and that the key is the integration's Admin API key)"
      : 'check GHOST_ADMIN_API_KEY, and that its integration may create posts',
};

const BUTTONDOWN: Platform = {
  name: 'Buttondown',
  urlKey: 'publish.buttondownURL',
  urlWhat: 'the API root',
  suggest: (location) => `${location.origin}/v1`,
  /** Buttondown errors: `{code, detail}`; validation failures (422) carry `detail: [{loc, msg}]`. */
  reason(body) {
    const detail = (body as { detail?: unknown } | null)?.detail;
    if (typeof detail === 'string') return detail;
    if (!Array.isArray(detail)) return null;
    const parts = detail
      .filter((d): d is { loc?: unknown; msg?: unknown } => !!d && typeof d === 'object')
      .map((d) => {
        const loc = Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body').join('.') : '';
        return `${loc ? `${loc}: ` : ''}${String(d.msg ?? '')}`;
      });
    return parts.length ? parts.join('; ') : null;
  },
  isAuth: () => false,
  authHint: () => 'check BUTTONDOWN_API_KEY, and that it may create emails',
};

/**
 * Whether to make the one retry, and after how long: 429 and 5xx only, after Retry-After (in
 * seconds or as an HTTP date) or `defaultWaitMs` when there is none. A wait over `maxWaitMs` is
 * not made: `tooLongMs` says how long the platform asked for.
 */
export function retryWait(status: number, retryAfter: string | null, now: Date, opts: RetryOptions): { retry: true; waitMs: number } | { retry: false; tooLongMs?: number } {
  if (status !== 429 && (status < 500 || status > 599)) return { retry: false };
  const waitMs = retryAfterMs(retryAfter, now) ?? opts.defaultWaitMs;
  return waitMs > opts.maxWaitMs ? { retry: false, tooLongMs: waitMs } : { retry: true, waitMs };
}

/** A Retry-After header (seconds, or an HTTP date) as milliseconds from `now`; null when absent or unreadable. */
function retryAfterMs(header: string | null, now: Date): number | null {
  const h = header?.trim() ?? '';
  if (/^\d+$/.test(h)) return Number(h) * 1000;
  if (h && !Number.isNaN(Date.parse(h))) return Math.max(0, Date.parse(h) - now.getTime());
  return null;
}

/** One answer, read whole; or the failure that kept it from arriving. */
type Answer = { status: number; headers: Headers; text: string };

/**
 * POSTs JSON and reads a JSON answer, retrying once on 429/5xx (and, when the request is
 * idempotent, after a timeout or a dropped connection); every way it can fail is a typed
 * failure naming the platform, with the platform's own reason when it gave one. Redirects are not
 * followed (a POST is not replayed at another address): they say which URL to configure instead.
 */
async function postJson(url: string, headers: Record<string, string>, body: unknown, platform: Platform, s: PublishSettings): Promise<Outcome<unknown>> {
  const retry = s.retry ?? DEFAULT_RETRY;
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // An answer that never arrived may still have made a draft: only a request carrying an
  // idempotency key (Buttondown's) may be sent again, since the platform then answers with the first.
  const idempotent = 'X-Idempotency-Key' in headers;
  let res = await postOnce(url, headers, body, platform, s);
  if (!res.ok) {
    if (!idempotent) return res;
    await pause(retry.defaultWaitMs);
    res = await postOnce(url, headers, body, platform, s);
    if (!res.ok) return res;
  } else {
    const decision = retryWait(res.value.status, res.value.headers.get('retry-after'), new Date(), retry);
    if (decision.retry) {
      await pause(decision.waitMs);
      res = await postOnce(url, headers, body, platform, s);
      if (!res.ok) return res;
    }
  }
  const { status, headers: answered, text } = res.value;
  if (status >= 300 && status < 400) {
    const location = answered.get('location');
    if (!location) return fail('publish.redirect', `${platform.name} answered ${status} without a Location: check ${platform.urlKey} in the config`, { status });
    let target: URL;
    try {
      target = new URL(location, url);
    } catch {
      return fail('publish.redirect', clean(`${platform.name} answered ${status} to an unreadable Location (${location.slice(0, 200)}): check ${platform.urlKey} in the config`), { status });
    }
    return fail(
      'publish.redirect',
      clean(`${platform.name} answered ${status} to ${target.href}: set ${platform.urlKey} in the config to ${platform.urlWhat}, not an address that redirects (likely ${platform.suggest(target)})`),
      { status },
    );
  }
  let json: unknown = undefined;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    // Not JSON: an error page from a proxy, or the wrong URL; the text itself is the reason.
  }
  if (status < 200 || status > 299) {
    const reason = clean(platform.reason(json) ?? text.replace(/\s+/g, ' ').trim()).slice(0, 300);
    if (status === 401 || status === 403 || platform.isAuth(status, json)) {
      return fail('publish.auth', `${platform.name} refused the key (HTTP ${status}${reason ? `: ${reason}` : ''}): ${platform.authHint(json)}`, { status });
    }
    if (status === 429) {
      const waitMs = retryAfterMs(answered.get('retry-after'), new Date()) ?? undefined;
      const when = waitMs === undefined ? 'try again in a minute' : `it asks to wait ${Math.ceil(waitMs / 1000)} s before trying again`;
      return fail('publish.rate_limited', `${platform.name} is rate limiting (HTTP 429${reason ? `: ${reason}` : ''}): ${when}; no draft was made`, {
        status,
        ...(waitMs === undefined ? {} : { retryAfterMs: waitMs }),
      });
    }
    return fail('publish.http_error', `${platform.name} answered HTTP ${status}${reason ? `: ${reason}` : ''}`, { status });
  }
  if (json === undefined) return fail('publish.http_error', `${platform.name} answered HTTP ${status} with something other than JSON; check ${platform.urlKey} in the config`, { status });
  return ok(json);
}

async function postOnce(url: string, headers: Record<string, string>, body: unknown, platform: Platform, s: PublishSettings): Promise<Outcome<Answer>> {
  const timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return ok({ status: res.status, headers: res.headers, text: await res.text() });
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError') return fail('publish.timeout', `${platform.name} did not answer within ${timeoutMs / 1000} s; nothing is known to be created: check before retrying`);
    const cause = e.cause instanceof Error ? e.cause.message : e.message;
    return fail('publish.network', `cannot reach ${platform.name} at ${new URL(url).origin}: ${cause}`);
  }
}

/** Text from the platform goes into a terminal line: no control characters. */
const clean = (text: string) => stripControlChars(text);
