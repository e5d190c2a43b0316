import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createDeskApp, type DeskOptions } from './app.tsx';

export interface RunningDesk {
  /** http://HOST:PORT, with the port actually bound (port 0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

/** Why the desk could not listen, in a sentence that says what to change. */
export class DeskListenError extends Error {
  constructor(
    message: string,
    /** The system's error code (EADDRINUSE, EACCES, ...), for logs. */
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** The sentence for a failed listen: the common causes by name, anything else with its code. */
export function listenProblem(err: NodeJS.ErrnoException, host: string, port: number): DeskListenError {
  const message =
    err.code === 'EADDRINUSE'
      ? `port ${port} is in use: choose another with --port`
      : err.code === 'EACCES'
        ? `port ${port} needs privileges this user lacks: choose one above 1023 with --port`
        : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
          ? `${host} is not an address of this machine: check --host`
          : `cannot listen on ${host}:${port}: ${err.code ?? err.message}`;
  return new DeskListenError(message, err.code);
}

/** Serves the desk on host:port and resolves once it accepts connections; rejects with a DeskListenError. */
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
    server.once('error', (err: NodeJS.ErrnoException) => fail(listenProblem(err, host, port)));
  });
}
