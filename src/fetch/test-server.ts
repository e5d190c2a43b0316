/** Fixture HTTP servers for the fetch tests: real sockets on 127.0.0.x, port 0, counted hits. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running fixture server; `close()` also drops open (hanging) connections. */
export interface FixtureServer {
  port: number;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** How many requests reached it. */
  hits: number;
  close(): Promise<void>;
}

/** Starts a server on host:0 that answers with `handler`. */
export async function startServer(handler: http.RequestListener, host = '127.0.0.1'): Promise<FixtureServer> {
  const server = http.createServer({ maxHeaderSize: 128 * 1024 });
  const fixture: FixtureServer = {
    port: 0,
    origin: '',
    hits: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('request', (req, res) => {
    fixture.hits += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  fixture.port = (server.address() as AddressInfo).port;
  fixture.origin = `http://${host}:${fixture.port}`;
  return fixture;
}
