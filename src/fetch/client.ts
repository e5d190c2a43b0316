/**
 * The one HTTP client every feed and article fetch goes through: bounded time and bytes,
 * manual redirects re-checked hop by hop, and no connection to a private address.
 */
import dns from 'node:dns';
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import { fail, ok, type Failure, type FailureKind, type Outcome } from '../core/failure.ts';
import { TooLargeError, abandon, UnsupportedEncodingError, parseContentEncoding, readBody } from './body.ts';
import { AddressGuard, BlockedAddressError, DEFAULT_USER_AGENT, type FetchPolicy, type LookupFn } from './policy.ts';
import { redactUrl } from './redact.ts';
import { parseRetryAfter } from '../core/http-date.ts';

/** One GET. */
export interface FetchRequest {
  url: string;
  /** Cap on DECOMPRESSED bytes (feeds 10 MB, pages 5 MB). */
  maxBytes: number;
  /** Whole-request deadline, all redirects and the body included. */
  timeoutMs: number;
  /** Sent back verbatim as If-None-Match. */
  etag?: string | null;
  /** Sent back verbatim as If-Modified-Since. */
  lastModified?: string | null;
  /**
   * Sets the Accept header and which content types are refused before the body is read:
   * 'page' accepts only text/html and application/xhtml+xml (a missing Content-Type is refused too,
   * as miniflux's scraper does); 'feed' refuses only media (image/audio/video/font, PDF, zip),
   * since real feeds come as text/html, octet-stream or nothing at all; 'other' refuses nothing.
   */
  kind: 'feed' | 'page' | 'other';
  /** The caller's cancel (e.g. run shutdown); reported as `run.aborted`. */
  signal?: AbortSignal;
  /**
   * Allow entries for this request only, beside the policy's (a feed's own `allow`, for the feed
   * and the pages of its items). Requests with other entries never share a connection with it.
   */
  allow?: readonly string[];
}

/** A successful fetch: 2xx with its body, or 304 with none. */
export interface FetchedResponse {
  /** Final URL after redirects. */
  url: string;
  status: number;
  notModified: boolean;
  /** Decompressed bytes, not decoded: parse/extract sniff the charset. */
  body: Buffer;
  contentType: string | null;
  etag: string | null;
  lastModified: string | null;
  cacheControl: string | null;
  expires: string | null;
  /** The final URL when EVERY hop was 301/308 (the feed moved for good), else null. */
  permanentRedirect: string | null;
  redirects: number;
}

/** The client: `close()` ends its connection pool. */
export interface HttpClient {
  fetch(req: FetchRequest): Promise<Outcome<FetchedResponse>>;
  close(): Promise<void>;
}

const ACCEPT: Record<FetchRequest['kind'], string> = {
  feed: 'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5',
  page: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1',
  other: '*/*',
};
const PAGE_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const MEDIA_TYPE = /^(image|audio|video|font)\/|^application\/(pdf|zip|x-zip-compressed|gzip)$/;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Headers larger than this are refused (UND_ERR_HEADERS_OVERFLOW) rather than buffered.
const MAX_HEADER_BYTES = 32 * 1024;
// How much of an unwanted body (redirect, error page) is read so the socket can be reused.
const DISCARD_LIMIT = 64 * 1024;

/** Builds the client; one per process is enough, it pools connections per origin. */
export function createHttpClient(policy: FetchPolicy): HttpClient {
  const headersTimeout = policy.headersTimeoutMs ?? 15_000;
  const maxRedirects = policy.maxRedirects ?? 5;
  const userAgent = policy.userAgent ?? DEFAULT_USER_AGENT;
  // One guard and one connection pool per set of extra allow entries: a connection opened under a
  // feed's own entries is never reused by a request that does not have them.
  const scopes = new Map<string, { guard: AddressGuard; agent: Agent }>();
  const scopeFor = (extra: readonly string[] = []) => {
    const key = extra.join('\n');
    let scope = scopes.get(key);
    if (!scope) {
      const guard = new AddressGuard({ allow: [...policy.allow, ...extra], allowedPorts: policy.allowedPorts });
      const agent = new Agent({
        connect: guardedConnector(guard, policy.lookup ?? (dns.lookup as LookupFn), policy.connectTimeoutMs ?? 10_000),
        headersTimeout,
        // Longest silence between body chunks; a slow drip is ended by the whole-request deadline.
        bodyTimeout: headersTimeout,
        maxHeaderSize: MAX_HEADER_BYTES,
      });
      scope = { guard, agent };
      scopes.set(key, scope);
    }
    return scope;
  };

  async function fetchOnce(req: FetchRequest): Promise<Outcome<FetchedResponse>> {
    const { guard, agent } = scopeFor(req.allow);
    const deadline = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([deadline, req.signal]) : deadline;
    let url = req.url;
    let redirects = 0;
    let everyHopPermanent = true;
    let auth = credentialsOf(url);
    const afterRedirects = (f: Failure): Failure =>
      redirects === 0 ? f : { ...f, message: `${f.message} (after ${redirects} redirect(s) from ${redactUrl(req.url)})` };
    try {
      for (;;) {
        const refused = guard.checkUrl(url);
        if (refused) return { ok: false, failure: afterRedirects(refused) };
        const target = new URL(url);
        if (auth && auth.origin !== target.origin) auth = null; // never carry credentials to another origin
        target.username = '';
        target.password = '';
        target.hash = '';
        const res = await request(target, {
          dispatcher: agent,
          method: 'GET',
          headers: requestHeaders(req, userAgent, auth?.header ?? null),
          signal,
        });
        const location = header(res.headers, 'location');
        if (REDIRECT_STATUSES.has(res.statusCode) && location) {
          await discard(res.body, signal);
          if (redirects >= maxRedirects) {
            return fail('fetch.too_many_redirects', `more than ${maxRedirects} redirects starting at ${redactUrl(req.url)}`, {
              status: res.statusCode,
            });
          }
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            return { ok: false, failure: afterRedirects({ kind: 'fetch.invalid_url', message: `redirect to an invalid URL: ${redactUrl(location)}` }) };
          }
          if (res.statusCode !== 301 && res.statusCode !== 308) everyHopPermanent = false;
          redirects += 1;
          url = next.href;
          auth = credentialsOf(url) ?? auth;
          continue;
        }
        const outcome = await finish(res, url, req, signal);
        if (!outcome.ok) return { ok: false, failure: afterRedirects(outcome.failure) };
        outcome.value.redirects = redirects;
        outcome.value.permanentRedirect = redirects > 0 && everyHopPermanent ? url : null;
        return outcome;
      }
    } catch (err) {
      return { ok: false, failure: afterRedirects(failureFromFetchError(err, url, req, deadline)) };
    }
  }

  return {
    fetch: fetchOnce,
    close: async () => {
      await Promise.all([...scopes.values()].map((s) => s.agent.close()));
    },
  };
}

/**
 * undici connector that checks the address actually connected to: IP literals here, resolved
 * names in the lookup hook (every answer). A listed IP literal is connected to as it is; a listed
 * name still has its answers checked, with its private answers allowed.
 */
function guardedConnector(guard: AddressGuard, lookup: LookupFn, timeout: number): buildConnector.connector {
  const plain = buildConnector({ timeout, lookup });
  const checked = buildConnector({ timeout, lookup: guard.guardLookup(lookup, false) });
  const privateOk = buildConnector({ timeout, lookup: guard.guardLookup(lookup, true) });
  return (opts, callback) => {
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    const listed = guard.isAllowListed(opts.hostname, port);
    if (!listed && !guard.isPortAllowed(port)) return callback(new BlockedAddressError(`port ${port} is not allowed`), null);
    if (isIP(opts.hostname)) {
      const problem = listed ? null : guard.addressProblem(opts.hostname);
      return problem ? callback(new BlockedAddressError(problem), null) : plain(opts, callback);
    }
    return (listed ? privateOk : checked)(opts, callback);
  };
}

function requestHeaders(req: FetchRequest, userAgent: string, authorization: string | null): Record<string, string> {
  const h: Record<string, string> = {
    'user-agent': userAgent,
    accept: ACCEPT[req.kind],
    'accept-encoding': 'gzip, deflate, br',
  };
  if (req.etag) h['if-none-match'] = req.etag;
  if (req.lastModified) h['if-modified-since'] = req.lastModified;
  if (authorization) h.authorization = authorization;
  return h;
}

/** Basic credentials from a URL's userinfo (feeds behind HTTP auth), bound to its origin. */
function credentialsOf(url: string): { origin: string; header: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (!u.username && !u.password) return null;
  const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  return { origin: u.origin, header: `Basic ${Buffer.from(pair).toString('base64')}` };
}

type UndiciResponse = Awaited<ReturnType<typeof request>>;

async function finish(res: UndiciResponse, url: string, req: FetchRequest, signal: AbortSignal): Promise<Outcome<FetchedResponse>> {
  const status = res.statusCode;
  const shown = redactUrl(url);
  const response = (body: Buffer): FetchedResponse => ({
    url,
    status,
    notModified: status === 304,
    body,
    contentType: header(res.headers, 'content-type'),
    etag: header(res.headers, 'etag'),
    lastModified: header(res.headers, 'last-modified'),
    cacheControl: header(res.headers, 'cache-control'),
    expires: header(res.headers, 'expires'),
    permanentRedirect: null,
    redirects: 0,
  });

  if (status === 304) {
    await discard(res.body, signal);
    return ok(response(Buffer.alloc(0)));
  }
  if (status >= 200 && status < 300) {
    const contentType = header(res.headers, 'content-type');
    const refusal = contentTypeRefusal(req.kind, contentType);
    if (refusal) {
      abandon(res.body); // not one more byte of the PDF or video
      return fail('fetch.unsupported_content_type', `${shown} is ${refusal}, not something aiwins can read`, { status });
    }
    const declared = Number(header(res.headers, 'content-length'));
    if (Number.isFinite(declared) && declared > req.maxBytes) {
      abandon(res.body);
      return fail('fetch.too_large', `${shown} is ${declared} bytes, over the ${req.maxBytes}-byte limit`, { status });
    }
    const body = await readBody(res.body, parseContentEncoding(header(res.headers, 'content-encoding')), req.maxBytes);
    return ok(response(body));
  }

  await discard(res.body, signal);
  const statusLine = `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim();
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'), Date.now());
    const when = retryAfterMs === null ? 'later' : `in ${Math.ceil(retryAfterMs / 1000)} s as the server asked`;
    return fail('fetch.rate_limited', `${statusLine} from ${shown}: the server is busy or limiting requests; will try again ${when}`, {
      status,
      ...(retryAfterMs === null ? {} : { retryAfterMs }),
    });
  }
  if (status === 410) {
    return fail('fetch.gone', `${statusLine} from ${shown}: the ${what(req.kind)} was removed for good; ${remedy(req.kind)}`, { status });
  }
  return fail('fetch.http_error', `${statusLine} from ${shown}: ${statusAdvice(status, req.kind)}`, { status });
}

function what(kind: FetchRequest['kind']): string {
  return kind === 'feed' ? 'feed' : kind === 'page' ? 'article' : 'resource';
}

function remedy(kind: FetchRequest['kind']): string {
  return kind === 'feed' ? 'check the URL in feeds.yaml' : 'nothing to do, the item is skipped';
}

/** What a person can do about an HTTP error status. */
function statusAdvice(status: number, kind: FetchRequest['kind']): string {
  switch (status) {
    case 401:
      return `the ${what(kind)} needs a login; put credentials in the URL (user:pass@) or remove it`;
    case 403:
      return `the server refuses aiwins (often a bot block); open the URL in a browser and ${remedy(kind)}`;
    case 404:
      return `the ${what(kind)} URL no longer exists; ${remedy(kind)}`;
    case 451:
      return `unavailable for legal reasons in this region; ${remedy(kind)}`;
    default:
      if (status >= 500) return 'the server failed; it will be tried again later';
      if (status >= 400) return `the server rejected the request; ${remedy(kind)}`;
      return 'unexpected status for a GET; check the URL';
  }
}

/** Why a Content-Type is refused for this kind of fetch, or null when it is fine. */
function contentTypeRefusal(kind: FetchRequest['kind'], contentType: string | null): string | null {
  const mime = contentType?.split(';')[0]!.trim().toLowerCase() || null;
  if (kind === 'page') {
    if (mime === null) return 'served without a Content-Type';
    return PAGE_TYPES.has(mime) ? null : `${mime}`;
  }
  if (kind === 'feed' && mime !== null && MEDIA_TYPE.test(mime)) return mime;
  return null;
}

/** Reads a little of an unwanted body so the socket can be reused; past that, closes it. */
async function discard(body: UndiciResponse['body'], signal: AbortSignal): Promise<void> {
  try {
    await body.dump({ limit: DISCARD_LIMIT, signal });
  } catch {
    abandon(body);
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Maps a thrown error (undici, socket, zlib, TLS, our own guards) to a Failure. */
function failureFromFetchError(err: unknown, url: string, req: FetchRequest, deadline: AbortSignal): Failure {
  const shown = redactUrl(url);
  const f = (kind: FailureKind, message: string): Failure => ({ kind, message });
  if (req.signal?.aborted) return f('run.aborted', `fetch of ${shown} cancelled: the run was aborted`);
  if (deadline.aborted) return f('fetch.timeout', `${shown} did not finish within ${req.timeoutMs} ms`);
  if (err instanceof TooLargeError) return f('fetch.too_large', `${shown} is over the ${req.maxBytes}-byte limit once decompressed; nothing was kept`);
  if (err instanceof BlockedAddressError) {
    return f('fetch.blocked_address', `blocked address: ${shown} (${err.message}); add the host (or host:port) to network.allow, or to the feed's allow, only if you trust it`);
  }
  if (err instanceof UnsupportedEncodingError) return f('fetch.network', `${shown}: ${err.message}`);
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : '';
  const detail = e instanceof Error ? e.message : String(err);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return f('fetch.timeout', `could not connect to ${shown} in time; the host may be down`);
    case 'UND_ERR_HEADERS_TIMEOUT':
      return f('fetch.timeout', `${shown} accepted the connection but sent no response headers in time`);
    case 'UND_ERR_BODY_TIMEOUT':
      return f('fetch.timeout', `${shown} stopped sending the body`);
    case 'UND_ERR_HEADERS_OVERFLOW':
      return f('fetch.network', `${shown} sent response headers over ${MAX_HEADER_BYTES} bytes; refused`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return f('fetch.network', `DNS lookup failed for ${shown}; check the host name`);
    case 'ECONNREFUSED':
      return f('fetch.network', `connection refused by ${shown}; the server is down or the port is wrong`);
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
      return f('fetch.network', `${shown} sent a body that does not decompress as its Content-Encoding says (${detail})`);
  }
  // Brotli decoder errors carry codes like ERR__ERROR_FORMAT_PADDING_1.
  if (code.startsWith('ERR_BROTLI') || code.startsWith('ERR__')) {
    return f('fetch.network', `${shown} sent a body that does not decompress as its Content-Encoding says (${detail})`);
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/i.test(code) || /certificate|ssl|tls/i.test(detail)) {
    return f('fetch.network', `TLS error talking to ${shown}: ${detail} (${code}); the site's certificate is not trusted`);
  }
  return f('fetch.network', `network error fetching ${shown}: ${detail}${code ? ` (${code})` : ''}`);
}
