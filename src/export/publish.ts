/**
 * Publishing targets, off unless `aiwins publish` is run: each creates a DRAFT on the platform
 * (never a send), from an issue already rendered. Keys come from the environment; the base URLs
 * from the config, so tests point them at stand-in servers on 127.0.0.1.
 */
import { createHmac } from 'node:crypto';
import { fail, ok, type Outcome } from '../core/failure.ts';

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

export interface PublishSettings {
  buttondownURL: string;
  ghostURL?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** The clock for the Ghost token (tests pin it). */
  now?: () => Date;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

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
 * Buttondown: POST /v1/emails with `status: "draft"`. Their API sends an email at once unless
 * the status says draft, so the status is always set here, never left to a default.
 */
async function publishToButtondown(input: PublishInput, s: PublishSettings): Promise<Outcome<Published>> {
  const key = s.env.BUTTONDOWN_API_KEY?.trim();
  if (!key) return fail('publish.not_configured', 'BUTTONDOWN_API_KEY is not set: put your Buttondown API key (Settings → API) in the environment');
  const res = await postJson(joinUrl(s.buttondownURL, 'emails'), { Authorization: `Token ${key}` }, {
    subject: input.subject,
    body: bodyOf(input.html),
    status: 'draft',
  }, 'Buttondown', s);
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

/**
 * Ghost: a draft post through the Admin API whose content is ONE HTML card holding the issue's
 * HTML. Sent as Lexical rather than `?source=html`, which converts the HTML into Ghost's own
 * cards and drops what it cannot map (table layouts, inline styles); an HTML card keeps every byte.
 */
async function publishToGhost(input: PublishInput, s: PublishSettings): Promise<Outcome<Published>> {
  if (!s.ghostURL) return fail('publish.not_configured', 'publish.ghostURL is not set: put your Ghost site URL in the config');
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
    joinUrl(s.ghostURL, 'ghost/api/admin/posts/'),
    { Authorization: `Ghost ${token}`, 'Accept-Version': 'v5.0' },
    { posts: [{ title: input.subject, status: 'draft', lexical: JSON.stringify(lexical) }] },
    'Ghost',
    s,
  );
  if (!res.ok) return res;
  const post = (res.value as { posts?: { id?: unknown; url?: unknown }[] }).posts?.[0];
  if (!post || typeof post.id !== 'string') return fail('publish.http_error', 'Ghost answered without a post id; check the drafts in Ghost Admin');
  return ok({ target: 'ghost', id: post.id, url: typeof post.url === 'string' ? post.url : null });
}

/** POSTs JSON and reads a JSON answer; every way it can fail is a typed failure naming the platform. */
async function postJson(url: string, headers: Record<string, string>, body: unknown, platform: string, s: PublishSettings): Promise<Outcome<unknown>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(s.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError') return fail('publish.timeout', `${platform} did not answer within ${(s.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s; nothing is known to be created: check before retrying`);
    const cause = e.cause instanceof Error ? e.cause.message : e.message;
    return fail('publish.network', `cannot reach ${platform} at ${new URL(url).origin}: ${cause}`);
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) {
    return fail('publish.auth', `${platform} refused the key (HTTP ${res.status}): check it, and that it may create drafts`, { status: res.status });
  }
  if (!res.ok) {
    return fail('publish.http_error', `${platform} answered HTTP ${res.status}: ${text.slice(0, 300).replace(/\s+/g, ' ')}`, { status: res.status });
  }
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return fail('publish.http_error', `${platform} answered HTTP ${res.status} with something other than JSON; check the URL in the config`);
  }
}
