import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from '../core/failure.ts';
import { createHttpClient, type FetchedResponse, type FetchPolicy, type FetchRequest, type HttpClient, type LookupFn } from './index.ts';
import { startSiteServer, type SiteServer } from '../../test/helpers/site-server.ts';

const CAP = 64 * 1024;
const ETAG = '"abc-123"';
const LAST_MODIFIED = 'Wed, 21 Oct 2015 07:28:00 GMT';
const BOMB = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024));
const PDF_TOTAL = 100 * 1024 * 1024;

let site: SiteServer; // the allowed fixture, 127.0.0.1:PORT
let internal: SiteServer; // the "internal" target on 127.0.0.2 that must never be hit
let client: HttpClient;
let policy: FetchPolicy;
let pdfStream: { written: number; closed: Promise<unknown> } | null = null;
const seen: Record<string, http.IncomingHttpHeaders> = {};

function redirect(res: http.ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location });
  res.end();
}

const routes: Record<string, http.RequestListener> = {
  '/etag': (req, res) => {
    seen.etag = req.headers;
    if (req.headers['if-none-match'] === ETAG && req.headers['if-modified-since'] === LAST_MODIFIED) {
      res.writeHead(304, { etag: ETAG });
      return res.end();
    }
    res.writeHead(200, { etag: ETAG, 'last-modified': LAST_MODIFIED, 'content-type': 'application/rss+xml' });
    res.end('<rss/>');
  },
  '/gzip': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/xml' });
    res.end(zlib.gzipSync('hello gzip'));
  },
  '/br': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'br', 'content-type': 'text/xml' });
    res.end(zlib.brotliCompressSync('hello br'));
  },
  '/deflate': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'deflate' });
    res.end(zlib.deflateSync('hello zlib deflate'));
  },
  '/deflate-raw': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'deflate' });
    res.end(zlib.deflateRawSync('hello raw deflate'));
  },
  '/bomb': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/rss+xml' });
    res.end(BOMB);
  },
  '/big-length': (_req, res) => {
    res.writeHead(200, { 'content-length': String(CAP + 1) });
    res.end(Buffer.alloc(CAP + 1, 'a'));
  },
  '/big-chunked': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    for (let i = 0; i < 8; i++) res.write(Buffer.alloc(CAP / 4, 'a'));
    res.end();
  },
  '/hang': () => {},
  '/drip': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    const timer = setInterval(() => res.write('a'), 50);
    res.on('close', () => clearInterval(timer));
  },
  '/r301': (_req, res) => redirect(res, 301, '/r308'),
  '/r308': (_req, res) => redirect(res, 308, '/ok'),
  '/r301b': (_req, res) => redirect(res, 301, '/r302'),
  '/r302': (_req, res) => redirect(res, 302, '/ok'),
  '/loop': (_req, res) => redirect(res, 302, '/loop'),
  '/ok': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'max-age=60' });
    res.end('<p>ok</p>');
  },
  '/close': (_req, res) => {
    res.writeHead(200, { connection: 'close' });
    res.end('fresh connection each time');
  },
  '/go': (req, res) => redirect(res, 302, new URL(req.url!, 'http://x').searchParams.get('to')!),
  '/429s': (_req, res) => {
    res.writeHead(429, { 'retry-after': '120' });
    res.end('slow down');
  },
  '/429d': (_req, res) => {
    res.writeHead(429, { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() });
    res.end();
  },
  '/503': (_req, res) => {
    res.writeHead(503);
    res.end();
  },
  '/410': (_req, res) => {
    res.writeHead(410);
    res.end('gone');
  },
  '/404': (_req, res) => {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<h1>not found</h1>');
  },
  '/pdf': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/pdf' });
    const state = { written: 0, closed: once(res, 'close') };
    pdfStream = state;
    const chunk = Buffer.alloc(64 * 1024, 'p');
    const pump = () => {
      while (state.written < PDF_TOTAL && !res.destroyed) {
        state.written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  },
  '/no-type': (_req, res) => {
    res.end('<p>no content type</p>');
  },
  '/big-header': (_req, res) => {
    res.writeHead(200, { 'x-big': 'h'.repeat(70 * 1024) });
    res.end('x');
  },
  '/bad-gzip': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip' });
    res.end('this is not gzip at all');
  },
  '/zstd': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'zstd' });
    res.end('not decodable here');
  },
  '/cut': (_req, res) => {
    res.writeHead(200, { 'content-length': '1000' });
    res.write('0123456789', () => res.socket?.destroy());
  },
  '/auth': (req, res) => {
    seen.auth = req.headers;
    res.end('secret stuff');
  },
};

beforeAll(async () => {
  site = await startSiteServer((req, res) => {
    const route = routes[new URL(req.url!, 'http://x').pathname];
    if (route) return route(req, res);
    res.writeHead(404);
    res.end();
  });
  // 127.0.0.2 can be given the same port number as the site on 127.0.0.1; then "another loopback
  // port" would be the allow-listed site itself, so draw again until the ports differ.
  internal = await startSiteServer((_req, res) => res.end('internal secrets'), '127.0.0.2');
  while (internal.port === site.port) {
    const taken = internal;
    internal = await startSiteServer((_req, res) => res.end('internal secrets'), '127.0.0.2');
    await taken.close();
  }
  // Ports 80/443 plus the internal server's, so that the ADDRESS guard (not the port rule) is what stops it.
  policy = { allow: [`127.0.0.1:${site.port}`], allowedPorts: [80, 443, internal.port] };
  client = createHttpClient(policy);
});

afterAll(async () => {
  await client.close();
  await site.close();
  await internal.close();
});

function get(path: string, extra: Partial<FetchRequest> = {}, c: HttpClient = client): Promise<Outcome<FetchedResponse>> {
  const url = path.includes('://') ? path : `${site.origin}${path}`;
  return c.fetch({ url, maxBytes: CAP, timeoutMs: 10_000, kind: 'feed', ...extra });
}

function value(o: Outcome<FetchedResponse>): FetchedResponse {
  if (!o.ok) throw new Error(`expected success, got ${o.failure.kind}: ${o.failure.message}`);
  return o.value;
}

function failureKind(o: Outcome<FetchedResponse>): string {
  return o.ok ? 'ok' : o.failure.kind;
}

describe('conditional GET', () => {
  it('sends ETag and Last-Modified verbatim and reports 304 as not modified', async () => {
    const first = value(await get('/etag'));
    expect(first.status).toBe(200);
    expect(first.etag).toBe(ETAG);
    expect(first.lastModified).toBe(LAST_MODIFIED);
    expect(seen.etag!['user-agent']).toMatch(/aiwins/);
    expect(seen.etag!['accept-encoding']).toBe('gzip, deflate, br');

    const second = value(await get('/etag', { etag: first.etag, lastModified: first.lastModified }));
    expect(seen.etag!['if-none-match']).toBe(ETAG);
    expect(seen.etag!['if-modified-since']).toBe(LAST_MODIFIED);
    expect(second).toMatchObject({ status: 304, notModified: true });
    expect(second.body.length).toBe(0);
  });
});

describe('decompression and size caps', () => {
  it.each([
    ['/gzip', 'hello gzip'],
    ['/br', 'hello br'],
    ['/deflate', 'hello zlib deflate'],
    ['/deflate-raw', 'hello raw deflate'],
  ])('decodes %s', async (path, text) => {
    expect(value(await get(path)).body.toString()).toBe(text);
  });

  it('stops a gzip bomb at the decompressed cap', async () => {
    const o = await get('/bomb', { maxBytes: 10 * 1024 * 1024 });
    expect(failureKind(o)).toBe('fetch.too_large');
  });

  it('refuses a body over the cap announced by Content-Length', async () => {
    expect(failureKind(await get('/big-length'))).toBe('fetch.too_large');
  });

  it('stops a chunked body over the cap', async () => {
    expect(failureKind(await get('/big-chunked'))).toBe('fetch.too_large');
  });

  it('maps a body that is not the gzip it claims to fetch.network', async () => {
    expect(failureKind(await get('/bad-gzip'))).toBe('fetch.network');
  });

  it('refuses a Content-Encoding it never asked for', async () => {
    const o = await get('/zstd');
    expect(failureKind(o)).toBe('fetch.network');
    expect(o.ok ? '' : o.failure.message).toMatch(/unsupported Content-Encoding "zstd"/);
  });

  it('maps a connection cut mid-body to fetch.network', async () => {
    expect(failureKind(await get('/cut'))).toBe('fetch.network');
  });

  it('refuses a 70 KB response header', async () => {
    expect(failureKind(await get('/big-header'))).toBe('fetch.network');
  });
});

describe('time bounds', () => {
  it('gives up when the server never sends headers', async () => {
    const quick = createHttpClient({ ...policy, headersTimeoutMs: 300 });
    try {
      const o = await get('/hang', {}, quick);
      expect(failureKind(o)).toBe('fetch.timeout');
      expect(o.ok ? '' : o.failure.message).toMatch(/no response headers/);
    } finally {
      await quick.close();
    }
  });

  it('ends a dripping body at the whole-request deadline', async () => {
    const o = await get('/drip', { timeoutMs: 1000, maxBytes: 10 * 1024 * 1024 });
    expect(failureKind(o)).toBe('fetch.timeout');
  });

  it("reports the caller's own abort as run.aborted", async () => {
    const controller = new AbortController();
    const pending = get('/hang', { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(failureKind(await pending)).toBe('run.aborted');
  });
});

describe('redirects', () => {
  it('records a permanent move when every hop is 301/308', async () => {
    const r = value(await get('/r301'));
    expect(r.redirects).toBe(2);
    expect(r.url).toBe(`${site.origin}/ok`);
    expect(r.permanentRedirect).toBe(`${site.origin}/ok`);
    expect(r.cacheControl).toBe('max-age=60');
  });

  it('records no move when one hop is temporary', async () => {
    const r = value(await get('/r301b'));
    expect(r.url).toBe(`${site.origin}/ok`);
    expect(r.permanentRedirect).toBeNull();
  });

  it('stops a redirect loop', async () => {
    expect(failureKind(await get('/loop'))).toBe('fetch.too_many_redirects');
  });

  it.each([
    ['another loopback port', () => `http://127.0.0.1:${internal.port}/`],
    ['the internal server', () => `http://127.0.0.2:${internal.port}/`],
    ['localhost', () => `http://localhost:${site.port}/`],
    ['a port that is not allowed', () => `http://127.0.0.1:${site.port + 1}/`],
  ])('re-checks every hop: blocks a redirect to %s', async (_name, target) => {
    const o = await get(`/go?to=${encodeURIComponent(target())}`);
    expect(failureKind(o)).toBe('fetch.blocked_address');
    expect(internal.requests.length).toBe(0);
  });

  it.each(['file:///etc/passwd', 'data:text/html,<script>alert(1)</script>', 'ftp://example.com/x'])(
    'refuses a redirect to %s',
    async (target) => {
      expect(failureKind(await get(`/go?to=${encodeURIComponent(target)}`))).toBe('fetch.invalid_url');
    },
  );
});

describe('address guard', () => {
  // Each spelling is refused before any connection: nothing listens on 127.0.0.1:80 and no other address is ever dialled.
  const spellings = [
    '127.0.0.1', '10.0.0.1', '169.254.169.254', '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0',
    '100.64.0.1', '[fd00::1]', '2130706433', '0x7f.1', '127.1', '0177.0.0.1', '[fe80::1]', '192.168.1.1', '172.16.0.1',
    '[::]', '[64:ff9b::a00:1]', 'localhost', 'LOCALHOST.', 'foo.localhost',
  ];
  it.each(spellings)('fetch refuses http://%s/', async (host) => {
    const o = await get(`http://${host}/`);
    expect(failureKind(o)).toBe('fetch.blocked_address');
  });

  it.each(['127.0.0.2', '2130706434', '0x7f.2', '127.2', '0177.0.0.2', '[::ffff:127.0.0.2]', '[::ffff:7f00:2]'])(
    'the internal server is never reached as %s',
    async (host) => {
      const o = await get(`http://${host}:${internal.port}/`);
      expect(failureKind(o)).toBe('fetch.blocked_address');
      expect(internal.requests.length).toBe(0);
    },
  );

  it.each(['file:///etc/passwd', 'data:text/html,hi', 'javascript:alert(1)', 'gopher://127.0.0.1:70/', 'not a url'])(
    'refuses %s as an invalid URL',
    async (url) => {
      expect(failureKind(await get(url))).toBe('fetch.invalid_url');
    },
  );

  it('refuses ports outside allowedPorts', async () => {
    expect(failureKind(await get('http://example.com:6379/'))).toBe('fetch.blocked_address');
  });

  describe('at connect time, on resolved addresses', () => {
    let resolving: HttpClient;
    const lookups: string[] = [];
    let rebindCount = 0;
    // Listed names (below) may resolve to private addresses, never to link-local or unspecified ones.
    const answers: Record<string, () => string[]> = {
      'public.test': () => ['127.0.0.2'],
      'unlisted.test': () => ['127.0.0.1'],
      'mixed.test': () => ['127.0.0.1', '169.254.169.254'],
      'mixed-reversed.test': () => ['169.254.169.254', '127.0.0.1'],
      'fixture.test': () => ['127.0.0.1'],
      'rebind.test': () => [rebindCount++ === 0 ? '127.0.0.1' : '0.0.0.0'],
    };
    const lookup: LookupFn = (hostname, options, callback) => {
      lookups.push(hostname);
      const list = answers[hostname]?.().map((address) => ({ address, family: 4 }));
      if (!list) return callback(Object.assign(new Error(`no such host ${hostname}`), { code: 'ENOTFOUND' }), []);
      if (options.all) callback(null, list);
      else callback(null, list[0]!.address, 4);
    };

    beforeAll(() => {
      const listed = ['fixture.test', 'mixed.test', 'mixed-reversed.test', 'rebind.test'].map((h) => `${h}:${site.port}`);
      resolving = createHttpClient({ allow: listed, allowedPorts: [internal.port, site.port], lookup });
    });
    afterAll(() => resolving.close());

    it('connects when every answer is admitted', async () => {
      const r = value(await get(`http://fixture.test:${site.port}/ok`, {}, resolving));
      expect(r.body.toString()).toBe('<p>ok</p>');
    });

    it('blocks a name that resolves to the internal address', async () => {
      const o = await get(`http://public.test:${internal.port}/`, {}, resolving);
      expect(failureKind(o)).toBe('fetch.blocked_address');
      expect(internal.requests.length).toBe(0);
    });

    it('blocks a name no entry lists, even when it resolves to a listed address and port', async () => {
      const before = site.requests.length;
      const o = await (async () => {
        const wide = createHttpClient({ allow: [`127.0.0.1:${site.port}`], allowedPorts: [site.port], lookup });
        try {
          return await get(`http://unlisted.test:${site.port}/ok`, {}, wide);
        } finally {
          await wide.close();
        }
      })();
      expect(failureKind(o)).toBe('fetch.blocked_address');
      expect(site.requests.length).toBe(before);
    });

    it.each(['mixed.test', 'mixed-reversed.test'])('blocks %s, whose answers mix admitted and refused', async (host) => {
      const before = site.requests.length;
      const o = await get(`http://${host}:${site.port}/ok`, {}, resolving);
      expect(failureKind(o)).toBe('fetch.blocked_address');
      expect(site.requests.length).toBe(before);
    });

    it('checks each new connection, so a rebinding answer is caught', async () => {
      expect(value(await get(`http://rebind.test:${site.port}/close`, {}, resolving)).status).toBe(200);
      const o = await get(`http://rebind.test:${site.port}/close`, {}, resolving);
      expect(failureKind(o)).toBe('fetch.blocked_address');
      expect(lookups.filter((h) => h === 'rebind.test')).toHaveLength(2);
    });

    it('maps an unknown host to fetch.network', async () => {
      expect(failureKind(await get(`http://nowhere.test:${site.port}/`, {}, resolving))).toBe('fetch.network');
    });
  });
});

describe('status mapping', () => {
  it('maps 429 with Retry-After in seconds', async () => {
    const o = await get('/429s');
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.failure).toMatchObject({ kind: 'fetch.rate_limited', status: 429, retryAfterMs: 120_000 });
  });

  it('maps 429 with Retry-After as an HTTP-date', async () => {
    const o = await get('/429d');
    if (o.ok) throw new Error('expected failure');
    expect(o.failure.kind).toBe('fetch.rate_limited');
    expect(o.failure.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(o.failure.retryAfterMs).toBeLessThanOrEqual(3_600_000);
  });

  it('maps 503 without Retry-After to rate_limited with no delay given', async () => {
    const o = await get('/503');
    if (o.ok) throw new Error('expected failure');
    expect(o.failure).toMatchObject({ kind: 'fetch.rate_limited', status: 503 });
    expect(o.failure.retryAfterMs).toBeUndefined();
  });

  it('maps 410 to fetch.gone', async () => {
    expect(failureKind(await get('/410'))).toBe('fetch.gone');
  });

  it('explains a 404', async () => {
    const o = await get('/404');
    if (o.ok) throw new Error('expected failure');
    expect(o.failure).toMatchObject({ kind: 'fetch.http_error', status: 404 });
    expect(o.failure.message).toMatch(/^HTTP 404 Not Found from .*: the feed URL no longer exists; check the URL in feeds.yaml/);
  });
});

describe('content types', () => {
  it('refuses a PDF at an article URL without reading its body', async () => {
    const o = await get('/pdf', { kind: 'page', maxBytes: 200 * 1024 * 1024 });
    expect(failureKind(o)).toBe('fetch.unsupported_content_type');
    await pdfStream!.closed;
    expect(pdfStream!.written).toBeLessThan(PDF_TOTAL);
  });

  it('refuses a page with no Content-Type, accepts HTML', async () => {
    expect(failureKind(await get('/no-type', { kind: 'page' }))).toBe('fetch.unsupported_content_type');
    expect(value(await get('/ok', { kind: 'page' })).contentType).toBe('text/html; charset=utf-8');
  });

  it('lets a feed come with no Content-Type', async () => {
    expect(value(await get('/no-type', { kind: 'feed' })).body.toString()).toContain('no content type');
  });
});

describe('credentials', () => {
  it('sends userinfo as Basic auth and never shows it in errors', async () => {
    const url = `http://alice:s3cret@127.0.0.1:${site.port}/auth`;
    value(await get(url));
    expect(seen.auth!.authorization).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    const o = await get(`http://alice:s3cret@127.0.0.1:${site.port}/404?token=abc123`);
    if (o.ok) throw new Error('expected failure');
    expect(o.failure.message).not.toMatch(/s3cret|abc123/);
  });
});

describe('TLS', () => {
  it('refuses a self-signed certificate as fetch.network', async () => {
    const dir = new URL('./testdata/', import.meta.url);
    const server = https.createServer(
      { key: readFileSync(new URL('self-signed.key', dir)), cert: readFileSync(new URL('self-signed.crt', dir)) },
      (_req, res) => res.end('hi'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const tls = createHttpClient({ allow: [`127.0.0.1:${port}`] });
    try {
      const o = await tls.fetch({ url: `https://127.0.0.1:${port}/`, maxBytes: CAP, timeoutMs: 10_000, kind: 'feed' });
      if (o.ok) throw new Error('expected failure');
      expect(o.failure.kind).toBe('fetch.network');
      expect(o.failure.message).toMatch(/TLS/);
    } finally {
      await tls.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
