import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createDeskApp, type DeskOptions } from './app.tsx';

export interface RunningDesk {
  /** http://HOST:PORT, with the port actually bound (port 0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

/** Serves the desk on host:port and resolves once it accepts connections. */
export function startDesk(options: DeskOptions & { host: string; port: number }): Promise<RunningDesk> {
  const { host, port, ...deskOptions } = options;
  const app = createDeskApp({ listenHost: host, ...deskOptions });
  return new Promise((ready, fail) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
      const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      ready({
        url: `http://${shownHost}:${info.port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            // Browsers keep idle connections open; without this close() waits for them to time out.
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', fail);
  });
}
