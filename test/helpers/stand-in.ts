import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a stand-in server received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface StandIn {
  /** http://127.0.0.1:PORT */
  origin: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A stand-in for a platform's API on 127.0.0.1 (port 0): records every request and answers
 * what `answer` says, so tests check what aiwins sends without sending anything anywhere.
 */
export async function startStandIn(answer: (req: ReceivedRequest) => { status: number; body: unknown }): Promise<StandIn> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(received);
      const a = answer(received);
      res.writeHead(a.status, { 'Content-Type': 'application/json' });
      res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
