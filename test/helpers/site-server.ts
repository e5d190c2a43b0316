import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the fixture site answers for one path. */
export interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** When set, sent as ETag, and a request with a matching If-None-Match gets a 304. */
  etag?: string;
  delayMs?: number;
  /** Accept the request and never answer. */
  hang?: boolean;
}

export type RouteHandler = Route | ((req: IncomingMessage, n: number) => Route);

export interface SiteServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** 127.0.0.1:PORT, for network.allow */
  hostPort: string;
  port: number;
  /** Requests per path. */
  hits: Map<string, number>;
  /** Every request's path and headers, in order (its length: how many requests reached it). */
  requests: { path: string; headers: IncomingMessage['headers'] }[];
  /** Most requests in flight at once. */
  peakConcurrency: number;
  setRoute(path: string, route: RouteHandler): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on host (127.0.0.1 by default; the fetch tests use 127.0.0.2 too), port 0,
 * the one fixture server of the tests. It serves a table of routes (fixture feeds and pages, with
 * ETag/304, delays and hangs), or, given a request listener, lets it answer every request itself
 * (the fetch client's tests, which need to misbehave at the socket). Either way it counts and
 * records every request. It accepts request headers up to 128 KB, and close() also ends hanging
 * requests.
 */
export async function startSiteServer(routes: Record<string, RouteHandler> | RequestListener = {}, host = '127.0.0.1'): Promise<SiteServer> {
  const listener = typeof routes === 'function' ? routes : null;
  const table = new Map(typeof routes === 'function' ? [] : Object.entries(routes));
  const sockets = new Set<Socket>();
  let inFlight = 0;
  const site: SiteServer = {
    origin: '',
    hostPort: '',
    port: 0,
    hits: new Map(),
    requests: [],
    peakConcurrency: 0,
    setRoute: (path, route) => void table.set(path, route),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer({ maxHeaderSize: 128 * 1024 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const n = (site.hits.get(path) ?? 0) + 1;
    site.hits.set(path, n);
    site.requests.push({ path: req.url ?? '/', headers: req.headers });
    inFlight++;
    site.peakConcurrency = Math.max(site.peakConcurrency, inFlight);
    res.on('close', () => inFlight--);
    if (listener) return void listener(req, res);
    const handler = table.get(path);
    const route: Route = !handler
      ? { status: 404, body: 'not found', headers: { 'content-type': 'text/plain' } }
      : typeof handler === 'function'
        ? handler(req, n)
        : handler;
    if (route.hang) return;
    const send = () => {
      const headers: Record<string, string> = { ...(route.headers ?? {}) };
      if (route.etag) {
        headers.etag = route.etag;
        if (req.headers['if-none-match'] === route.etag) {
          res.writeHead(304, headers).end();
          return;
        }
      }
      res.writeHead(route.status ?? 200, headers).end(route.body ?? '');
    };
    if (route.delayMs) setTimeout(send, route.delayMs);
    else send();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  site.port = port;
  site.origin = `http://${host}:${port}`;
  site.hostPort = `${host}:${port}`;
  return site;
}
