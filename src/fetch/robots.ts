/**
 * robots.txt for article pages (RFC 9309): one fetch per origin per TTL,
 * rules for our product token and '*', 4xx = allow all, unreachable = disallow all for a while.
 */
import robotsParserModule from 'robots-parser';
import type { Failure, Outcome } from '../core/failure.ts';
import type { FetchedResponse } from './client.ts';
import { redactUrl } from './redact.ts';

/** How the cache gets a robots.txt and how long it keeps the answer. */
export interface RobotsCacheOptions {
  /** GETs the robots.txt URL (kind 'other', maxBytes 500 KiB, a short timeout); the caller owns the client. */
  fetchRobots: (robotsUrl: string, allow?: readonly string[]) => Promise<Outcome<FetchedResponse>>;
  /** Our User-Agent or just its product token; rules are looked up for the token (e.g. 'aiwins') and '*'. */
  userAgent: string;
  /** How long a fetched robots.txt (or a 4xx) is trusted. Default 24 h, the RFC's ceiling. */
  ttlMs?: number;
  /** How long an unreachable robots.txt (5xx, 429, network, timeout) blocks its origin. Default 1 h. */
  unreachableTtlMs?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
  /** Origins remembered at once; the least recently used is dropped. Default 1000. */
  maxEntries?: number;
}

/** The per-process robots.txt cache. */
export interface RobotsCache {
  /**
   * Null when `pageUrl` may be fetched. Otherwise a Failure: `fetch.robots_disallowed` (permanent)
   * when the rules say no, or the robots fetch's own retryable kind (http_error, network, timeout,
   * rate_limited) when robots.txt is unreachable: the RFC says assume a complete disallow, but that
   * is a "not now", so the item must stay retryable rather than fail for good.
   */
  check(pageUrl: string, allow?: readonly string[]): Promise<Failure | null>;
}

// CommonJS with an ESM-style d.ts: at runtime the default import is the function itself.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

type Verdict =
  | { kind: 'rules'; robots: ReturnType<typeof robotsParser> }
  | { kind: 'allow_all' }
  | { kind: 'disallow_all'; failure: Failure };

interface Entry {
  verdict: Promise<Verdict>;
  /** Null while the fetch is in flight (concurrent checks share it). */
  expiresAt: number | null;
}

/** Builds the cache; one per run is enough. */
export function createRobotsCache(opts: RobotsCacheOptions): RobotsCache {
  const ttlMs = opts.ttlMs ?? DAY_MS;
  const unreachableTtlMs = Math.min(opts.unreachableTtlMs ?? HOUR_MS, ttlMs);
  const now = opts.now ?? Date.now;
  const maxEntries = Math.max(1, opts.maxEntries ?? 1000);
  const token = productToken(opts.userAgent);
  const entries = new Map<string, Entry>();

  function remember(origin: string, entry: Entry): void {
    entries.delete(origin); // re-insert: Map order doubles as recency order
    entries.set(origin, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  }

  /** The verdict for an origin, fetched under the page's allow entries (they may be what lets it through). */
  function verdictFor(origin: string, allow: readonly string[] = []): Promise<Verdict> {
    const key = allow.length ? `${allow.join(' ')} ${origin}` : origin;
    const cached = entries.get(key);
    if (cached && (cached.expiresAt === null || cached.expiresAt > now())) {
      remember(key, cached);
      return cached.verdict;
    }
    const robotsUrl = `${origin}/robots.txt`;
    const entry: Entry = { verdict: Promise.resolve({ kind: 'allow_all' }), expiresAt: null };
    entry.verdict = opts.fetchRobots(robotsUrl, allow.length ? allow : undefined).then(
      (outcome) => {
        const { verdict, cacheMs } = interpret(outcome, robotsUrl);
        if (cacheMs === 0) entries.delete(key);
        else entry.expiresAt = now() + (cacheMs === 'long' ? ttlMs : unreachableTtlMs);
        return verdict;
      },
      (err: unknown) => {
        entries.delete(key); // a bug in fetchRobots: do not cache it, let it surface
        throw err;
      },
    );
    remember(key, entry);
    return entry.verdict;
  }

  return {
    async check(pageUrl, allow) {
      let url: URL;
      try {
        url = new URL(pageUrl);
      } catch {
        return { kind: 'fetch.invalid_url', message: `not a valid URL: ${redactUrl(pageUrl)}` };
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return { kind: 'fetch.invalid_url', message: `only http and https URLs can be fetched: ${redactUrl(pageUrl)}` };
      }
      url.username = '';
      url.password = '';
      url.hash = '';
      const verdict = await verdictFor(url.origin, allow);
      if (verdict.kind === 'allow_all') return null;
      if (verdict.kind === 'disallow_all') return verdict.failure;
      if (verdict.robots.isAllowed(url.href, token) !== false) return null;
      const line = verdict.robots.getMatchingLineNumber(url.href, token);
      return {
        kind: 'fetch.robots_disallowed',
        message:
          `${url.origin}/robots.txt disallows ${token} from ${redactUrl(url.href)}` +
          `${line > 0 ? ` (line ${line})` : ''}; the article is skipped (the feed's own text may still be used)`,
      };
    },
  };
}

/** What a robots.txt fetch means, and how long to keep that: 'long' (TTL), 'short' (unreachable) or 0 (not at all). */
function interpret(outcome: Outcome<FetchedResponse>, robotsUrl: string): { verdict: Verdict; cacheMs: 'long' | 'short' | 0 } {
  if (outcome.ok) {
    // The rules are bound to the URL we asked for, even after a redirect (RFC 9309 §2.3.1.2).
    const robots = robotsParser(robotsUrl, outcome.value.body.toString('utf8'));
    return { verdict: { kind: 'rules', robots }, cacheMs: 'long' };
  }
  const f = outcome.failure;
  const shown = redactUrl(robotsUrl);
  switch (f.kind) {
    case 'run.aborted':
      return { verdict: { kind: 'disallow_all', failure: f }, cacheMs: 0 };
    case 'fetch.http_error':
      if (f.status !== undefined && f.status >= 400 && f.status < 500) return { verdict: { kind: 'allow_all' }, cacheMs: 'long' };
      break;
    case 'fetch.gone':
    case 'fetch.too_many_redirects': // RFC 9309 §2.3.1.2: more than five redirects = unavailable
    case 'fetch.invalid_url': // a redirect to a non-URL: also unavailable
      return { verdict: { kind: 'allow_all' }, cacheMs: 'long' };
    case 'fetch.blocked_address':
      // The page is on the same origin, so its own fetch would be blocked too; keep the message.
      return { verdict: { kind: 'disallow_all', failure: f }, cacheMs: 'long' };
    case 'fetch.too_large':
      return {
        verdict: {
          kind: 'disallow_all',
          failure: {
            kind: 'fetch.robots_disallowed',
            message: `${shown} is larger than aiwins reads; its rules cannot be known, so the site's articles are skipped`,
          },
        },
        cacheMs: 'long',
      };
  }
  // 5xx, 429/503, network error, timeout: unreachable, so assume a complete disallow (RFC 9309
  // §2.3.1.4) for a short while, with the fetch's own retryable kind.
  return {
    verdict: {
      kind: 'disallow_all',
      failure: {
        ...f,
        message: `robots.txt unreachable, so the site's articles are not fetched for now: ${f.message}`,
      },
    },
    cacheMs: 'short',
  };
}

/** The product token robots.txt groups are matched on: 'aiwins/0.1 (+https://...)' -> 'aiwins'. */
export function productToken(userAgent: string): string {
  return /^[A-Za-z_-]+/.exec(userAgent.trim())?.[0]?.toLowerCase() ?? 'aiwins';
}
