import { createServer, type IncomingMessage, type Server } from 'node:http';
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
  /** Requests per path. */
  hits: Map<string, number>;
  /** Every request's path and headers, in order. */
  requests: { path: string; headers: IncomingMessage['headers'] }[];
  /** Most requests in flight at once. */
  peakConcurrency: number;
  setRoute(path: string, route: RouteHandler): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) serving fixture feeds and pages, with ETag/304,
 * delays and hangs, counting hits. close() also ends hanging requests.
 */
export async function startSiteServer(routes: Record<string, RouteHandler> = {}, host = '127.0.0.1'): Promise<SiteServer> {
  const table = new Map(Object.entries(routes));
  const sockets = new Set<Socket>();
  let inFlight = 0;
  const site: SiteServer = {
    origin: '',
    hostPort: '',
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
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const n = (site.hits.get(path) ?? 0) + 1;
    site.hits.set(path, n);
    site.requests.push({ path: req.url ?? '/', headers: req.headers });
    inFlight++;
    site.peakConcurrency = Math.max(site.peakConcurrency, inFlight);
    res.on('close', () => inFlight--);
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
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  site.origin = `http://${host}:${port}`;
  site.hostPort = `${host}:${port}`;
  return site;
}
