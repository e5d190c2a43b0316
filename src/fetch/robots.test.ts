import type http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from './index.ts';
import { createRobotsCache, productToken, type RobotsCacheOptions } from './robots.ts';
import { startSiteServer, type SiteServer } from '../../test/helpers/site-server.ts';

// What /robots.txt answers in the current test; every test sets it.
let robots: { status: number; body: string; delayMs?: number } = { status: 404, body: '' };
let robotsHits = 0;
let site: SiteServer;
let client: HttpClient;

const handler: http.RequestListener = (req, res) => {
  if (req.url !== '/robots.txt') {
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end('<p>page</p>');
  }
  robotsHits += 1;
  const { status, body, delayMs = 0 } = robots;
  setTimeout(() => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  }, delayMs);
};

beforeAll(async () => {
  site = await startSiteServer(handler);
  client = createHttpClient({ allow: [`127.0.0.1:${site.port}`] });
});

afterAll(async () => {
  await client.close();
  await site.close();
});

beforeEach(() => {
  robotsHits = 0;
});

function cache(extra: Partial<RobotsCacheOptions> = {}) {
  return createRobotsCache({
    fetchRobots: (url) => client.fetch({ url, kind: 'other', maxBytes: 500 * 1024, timeoutMs: 10_000 }),
    userAgent: 'aiwins/0.1 (+https://github.com/aiwins/aiwins)',
    ...extra,
  });
}

const page = (path: string) => `${site.origin}${path}`;

describe('robots.txt cache', () => {
  it('obeys a disallow rule with a message naming the rule, and allows the rest', async () => {
    robots = { status: 200, body: 'User-agent: *\nDisallow: /private/\n' };
    const c = cache();
    const denied = await c.check(page('/private/story'));
    expect(denied?.kind).toBe('fetch.robots_disallowed');
    expect(denied?.message).toMatch(/robots\.txt disallows aiwins from .*\/private\/story \(line 2\)/);
    expect(await c.check(page('/public/story'))).toBeNull();
  });

  it('lets a longer Allow rule override a Disallow', async () => {
    robots = { status: 200, body: 'User-agent: *\nDisallow: /news/\nAllow: /news/ai/\n' };
    const c = cache();
    expect(await c.check(page('/news/ai/good-story'))).toBeNull();
    expect((await c.check(page('/news/other')))?.kind).toBe('fetch.robots_disallowed');
  });

  it('uses the group for our product token instead of *', async () => {
    robots = { status: 200, body: 'User-agent: *\nDisallow: /\n\nUser-agent: AIwins\nDisallow: /drafts/\n' };
    const c = cache();
    expect(await c.check(page('/story'))).toBeNull();
    expect((await c.check(page('/drafts/x')))?.kind).toBe('fetch.robots_disallowed');
    // Another crawler's token falls back to the '*' group.
    const other = cache({ userAgent: 'otherbot' });
    expect((await other.check(page('/story')))?.kind).toBe('fetch.robots_disallowed');
  });

  it('allows everything when robots.txt is 404', async () => {
    robots = { status: 404, body: 'not found' };
    expect(await cache().check(page('/anything'))).toBeNull();
  });

  it('disallows everything, with a retryable kind, while robots.txt answers 500', async () => {
    robots = { status: 500, body: 'oops' };
    let clock = 1_000_000;
    const c = cache({ now: () => clock });
    const denied = await c.check(page('/story'));
    expect(denied?.kind).toBe('fetch.http_error');
    expect(denied?.status).toBe(500);
    expect(denied?.message).toMatch(/robots\.txt unreachable/);
    // Cached for the short TTL only: after an hour the server is asked again, and now it is fine.
    robots = { status: 200, body: '' };
    expect((await c.check(page('/story')))?.kind).toBe('fetch.http_error');
    clock += 60 * 60 * 1000 + 1;
    expect(await c.check(page('/story'))).toBeNull();
    expect(robotsHits).toBe(2);
  });

  it('fetches robots.txt once per origin per TTL, sharing an in-flight fetch', async () => {
    robots = { status: 200, body: 'User-agent: *\nDisallow: /x\n', delayMs: 50 };
    let clock = 0;
    const c = cache({ now: () => clock });
    const results = await Promise.all([c.check(page('/a')), c.check(page('/b')), c.check(page('/x'))]);
    expect(results.map((r) => r?.kind ?? null)).toEqual([null, null, 'fetch.robots_disallowed']);
    expect(await c.check(page('/c'))).toBeNull();
    expect(robotsHits).toBe(1);
    clock += 24 * 60 * 60 * 1000 + 1;
    expect(await c.check(page('/c'))).toBeNull();
    expect(robotsHits).toBe(2);
  });

  it('forgets the least recently used origin past maxEntries', async () => {
    robots = { status: 200, body: '' };
    const c = cache({ maxEntries: 1 });
    await c.check(page('/a'));
    await c.check(`http://localhost:${site.port}/a`); // another origin; its fetch is blocked, still an entry
    await c.check(page('/a'));
    expect(robotsHits).toBe(2);
  });

  it('refuses a non-http URL without fetching', async () => {
    expect((await cache().check('ftp://example.com/x'))?.kind).toBe('fetch.invalid_url');
    expect(robotsHits).toBe(0);
  });

  it('takes the product token from a full User-Agent', () => {
    expect(productToken('aiwins/0.1 (+https://x)')).toBe('aiwins');
    expect(productToken('Googlebot/2.1')).toBe('googlebot');
  });
});
