import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a stand-in server received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When it arrived (ms since the epoch), so a test can see that a retry waited. */
  at: number;
}

/** What a stand-in answers: a status, a JSON body (or a string as it is), and any headers. */
export interface StandInAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Answer only after this long, to stand for a platform that is slow (or an answer lost on the way). */
  delayMs?: number;
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
export async function startStandIn(answer: (req: ReceivedRequest) => StandInAnswer): Promise<StandIn> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() };
      requests.push(received);
      const a = answer(received);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(a.status, { 'Content-Type': 'application/json', ...a.headers });
        res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        // A delayed answer's connection would otherwise hold close() until it is sent.
        server.closeAllConnections();
      }),
  };
}

/**
 * An error as Ghost's Admin API answers it (the shape of @tryghost/errors serialised by Ghost's
 * error handler): `{errors: [{message, context, type, code, ...}]}`.
 */
export function ghostError(status: number, type: string, message: string, extra: { context?: string | null; code?: string | null } = {}): StandInAnswer {
  return {
    status,
    body: {
      errors: [{ message, context: extra.context ?? null, type, details: null, property: null, help: null, code: extra.code ?? null, id: '8f1c2b30-0000-4000-8000-000000000000', ghostErrorCode: null }],
    },
  };
}

/** Ghost's answer to a token it cannot accept: 401 `INVALID_JWT`, e.g. "Invalid token: jwt expired" when the clock is off. */
export const ghostInvalidJwt = (reason = 'jwt expired', status = 401): StandInAnswer =>
  ghostError(status, status === 400 ? 'BadRequestError' : 'UnauthorizedError', `Invalid token: ${reason}`, { code: 'INVALID_JWT' });

/** An error as Buttondown's API answers it: `{code, detail}`; validation failures (422) carry a `detail` list instead. */
export function buttondownError(status: number, code: string, detail: string): StandInAnswer {
  return { status, body: { code, detail } };
}

/** Buttondown's 422: one entry per invalid field. */
export function buttondownValidationError(field: string, msg: string, type = 'string_too_long'): StandInAnswer {
  return { status: 422, body: { detail: [{ type, loc: ['body', field], msg, input: '…' }] } };
}

/** A redirect as a web server in front of a platform sends it (http→https, site domain → admin domain). */
export const redirectTo = (location: string, status = 301): StandInAnswer => ({
  status,
  body: `<html><body>Moved Permanently. Redirecting to ${location}</body></html>`,
  headers: { Location: location, 'Content-Type': 'text/html' },
});

/** A rate limit: 429 with Retry-After in seconds. */
export const tooManyRequests = (retryAfterSeconds: number | string, body: unknown = { detail: 'Request was throttled.' }): StandInAnswer => ({
  status: 429,
  body,
  headers: { 'Retry-After': String(retryAfterSeconds) },
});
