/**
 * A scripted OpenAI-compatible server on 127.0.0.1: each request to
 * POST /v1/chat/completions is answered by a handler that picks status, headers, body, delay or a
 * hang, so tests drive the real `openai` client through every failure mode.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { countTokens } from 'gpt-tokenizer';
import { seededRandom } from './random.ts';

/** What the server does with one request. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is (text/html when it starts with "<", else application/json). */
  body?: string | object;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer; close() ends the request. */
  hang?: true;
}

/** The parsed request body and its 1-based number among chat requests. */
export type Handler = (req: { body: any; n: number }) => Reply | Promise<Reply>;

export interface OpenAiServer {
  /** Base URL ending in /v1, for the client's `baseURL`. */
  url: string;
  /** Chat completion requests received so far. */
  readonly calls: number;
  /** Their parsed bodies, in order. */
  requests: any[];
  /** Most chat requests in flight at once. */
  readonly peakConcurrency: number;
  setHandler(fn: Handler): void;
  /** Stops the server and destroys every open socket, hung requests included. */
  close(): Promise<void>;
}

/**
 * A chat completion around `content` (null for a refusal). Without `usage`, the server fills it
 * in from the request it answers (prompt tokens counted as a real server would).
 */
export function completion(
  content: string | null,
  opts: { finishReason?: string; refusal?: string | null; usage?: { prompt_tokens: number; completion_tokens: number }; model?: string } = {},
): object {
  const usage = opts.usage && { ...opts.usage, total_tokens: opts.usage.prompt_tokens + opts.usage.completion_tokens };
  return {
    id: `chatcmpl-test-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: opts.model ?? 'test-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: opts.refusal ?? null },
        finish_reason: opts.finishReason ?? 'stop',
        logprobs: null,
      },
    ],
    ...(usage ? { usage } : {}),
  };
}

/** Fills `usage` on a chat completion that has none, from the request it answers. */
function withUsage(reply: Reply, request: any): Reply {
  const body = reply.body as any;
  if (typeof body !== 'object' || body === null || body.object !== 'chat.completion' || body.usage) return reply;
  const prompt_tokens = promptTokens(request);
  const completion_tokens = countTokens(body.choices?.[0]?.message?.content ?? '');
  return { ...reply, body: { ...body, usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens } } };
}

/** The article text between the request's boundaries (the real boundary is the first one opened). */
export function articleFromRequest(body: any): string {
  for (const m of body?.messages ?? []) {
    const content = typeof m.content === 'string' ? m.content : '';
    const open = /<<<UNTRUSTED_ARTICLE boundary=([0-9a-f]+)>>>\n/.exec(content);
    if (!open) continue;
    const closing = `\n<<<END_UNTRUSTED_ARTICLE boundary=${open[1]}>>>`;
    const block = content.slice(open.index + open[0].length, content.lastIndexOf(closing));
    const textStart = block.indexOf('\nText:\n');
    return textStart >= 0 ? block.slice(textStart + '\nText:\n'.length) : block;
  }
  return '';
}

/** Prompt tokens as a real server would count them. */
export const promptTokens = (body: any): number =>
  (body?.messages ?? []).reduce((n: number, m: any) => n + 4 + countTokens(typeof m.content === 'string' ? m.content : ''), 0);

/** 3-5 verbatim passages of the article (5 to 12 words each, within one paragraph), so grounding succeeds. */
function quotesFrom(article: string): string[] {
  const paragraphs = article.split(/\n\s*\n/);
  const sentences = paragraphs
    .flatMap((p) => p.split(/(?<=[.!?])\s+/))
    .map((s) => s.trim())
    .filter((s) => s.split(/\s+/).length >= 5);
  const quotes = sentences.slice(0, 4).map((s) => s.split(/\s+/).slice(0, 12).join(' '));
  for (const p of paragraphs) {
    const words = p.split(/\s+/).filter(Boolean);
    for (let i = 0; quotes.length < 3 && i + 6 <= words.length; i += 6) quotes.push(words.slice(i, i + 6).join(' '));
  }
  while (quotes.length < 3) quotes.push('no article text was found here');
  return quotes;
}

/** The JSON schema a request asks for: in response_format, or (JSON mode) in the prompt, as a model reads it. */
function schemaOf(body: any): any {
  if (body?.response_format?.json_schema) return body.response_format.json_schema.schema;
  for (const m of body?.messages ?? []) {
    const content = typeof m.content === 'string' ? m.content : '';
    const at = content.indexOf('JSON Schema:\n');
    if (at < 0) continue;
    try {
      return JSON.parse(content.slice(at + 'JSON Schema:\n'.length).split('\n')[0]!);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The draft object a well-behaved model would return for this request: the assessment first, then
 * the story, with no number or name the article lacks (each takeaway restates its own quote).
 */
export function validDraftContent(body: any): Record<string, unknown> {
  const article = articleFromRequest(body);
  const category = schemaOf(body)?.properties?.category?.enum?.[0] ?? 'Other';
  return {
    framing: {
      angle: 'A hospital used software to find disease sooner.',
      concerns: [],
      verdict: 'positive',
      score: 0.8,
      confidence: 0.8,
      recommendation: 'include',
      rationale: 'The article reports concrete benefits.',
    },
    category,
    headline: 'Hospital AI tool speeds up cancer diagnosis',
    tldr: 'A hospital used an AI tool to read scans faster. Doctors say it helped patients.',
    takeaways: quotesFrom(article).map((quote) => ({ text: `As the article puts it: ${quote}`, quote })),
    deck: 'How a hospital put an AI tool to work on routine scans',
    body: ['The hospital used the tool on scans it already had.', 'Doctors checked every case the tool flagged before calling patients back.'],
    whyItMatters: 'Faster diagnosis means earlier treatment. The article reports measured results.',
    implications: ['Earlier treatment for some patients.', 'Less time spent waiting for results.'],
    readerNote: null,
  };
}

/** Default handler: a valid draft built from the request, with usage filled. */
export function validDraftReply(body: any): Reply {
  return { body: completion(JSON.stringify(validDraftContent(body))) };
}

/**
 * An error answer shaped as OpenAI's (`{"error": {message, type, code, param}}`), with optional
 * headers (Retry-After, retry-after-ms...).
 */
export function errorReply(
  status: number,
  message: string,
  opts: { code?: string | null; type?: string; param?: string | null; headers?: Record<string, string> } = {},
): Reply {
  return {
    status,
    ...(opts.headers ? { headers: opts.headers } : {}),
    body: { error: { message, type: opts.type ?? 'invalid_request_error', param: opts.param ?? null, code: opts.code ?? null } },
  };
}

/** How real servers refuse `response_format: json_schema`. */
export const JSON_SCHEMA_REFUSALS = {
  // llama.cpp's llama-server before structured outputs (2024), and forks of that age: a 500.
  'llama.cpp': errorReply(500, 'response_format type must be one of "text" or "json_object", but got: json_schema', { type: 'server_error' }),
  // A gateway in front of a model without structured outputs: a 400 naming the parameter.
  gateway: errorReply(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", { param: 'response_format' }),
};

/**
 * A server without structured outputs: refuses `json_schema` as `style` does and answers
 * everything else with `then` (by default a valid draft). With `jsonObject: 'refused'` it refuses
 * JSON mode too.
 */
export function refusingJsonSchema(style: keyof typeof JSON_SCHEMA_REFUSALS, then: Handler = ({ body }) => validDraftReply(body), opts: { jsonObject?: 'refused' } = {}): Handler {
  return (req) => {
    const type = req.body?.response_format?.type;
    if (type === 'json_schema') return JSON_SCHEMA_REFUSALS[style];
    if (type === 'json_object' && opts.jsonObject === 'refused') return errorReply(400, "'response_format' is not supported by this server", { param: 'response_format' });
    return then(req);
  };
}

/**
 * A provider that allows `perSecond` requests a second (a token bucket holding one second's
 * worth): over it, a 429 with Retry-After in whole seconds, as real providers send it.
 * `rejected` counts those 429s.
 */
export function rateLimitedHandler(perSecond: number, then: Handler = ({ body }) => validDraftReply(body)): Handler & { readonly rejected: number } {
  let tokens = perSecond;
  let last = Date.now();
  let rejected = 0;
  const handler = (req: { body: any; n: number }) => {
    const now = Date.now();
    tokens = Math.min(perSecond, tokens + ((now - last) / 1000) * perSecond);
    last = now;
    if (tokens < 1) {
      rejected++;
      const waitS = Math.max(1, Math.ceil((1 - tokens) / perSecond));
      return errorReply(429, `Rate limit reached: ${perSecond} requests per second`, { type: 'requests', code: 'rate_limit_exceeded', headers: { 'retry-after': String(waitS) } });
    }
    tokens -= 1;
    return then(req);
  };
  return Object.defineProperty(handler, 'rejected', { get: () => rejected }) as Handler & { readonly rejected: number };
}

/** What a faulty endpoint mixes into its answers; each share is a fraction of requests, 0 by default. */
export interface FaultMix {
  /** Seed of the shuffle, so a run's faults fall on the same request numbers each time. */
  seed?: number;
  /** Share answered 429 at once, with Retry-After `retryAfterSeconds` (default 1). */
  rateLimited?: number;
  retryAfterSeconds?: number;
  /** Share answered 500 (a transient server error). */
  serverErrors?: number;
  /** Share answered 200 with a body cut off mid-JSON (a broken proxy or a crashed worker). */
  malformed?: number;
  /** Every answer but a 429 waits this long, as a model takes time to answer (default 0). */
  latencyMs?: number;
}

/** Counts of what a faulty endpoint answered, by kind. */
export interface FaultCounts {
  ok: number;
  rateLimited: number;
  serverErrors: number;
  malformed: number;
}

/** What one request of a faulty endpoint gets. */
type Fault = '429' | '500' | 'broken' | 'ok';

/** Requests per block in which the fault shares are dealt exactly (5 of 20 for 25%), in a seeded order. */
const FAULT_BLOCK = 20;

/**
 * An endpoint that misbehaves at random, as a busy gateway does: each request, by its number, is
 * a 429 with Retry-After, a 500, a malformed 200, or (the rest) `then`'s answer, dealt in the
 * shares asked for from a seeded shuffle.
 * The 429s come back at once; everything else after `latencyMs`.
 */
export function faultyHandler(mix: FaultMix, then: Handler = ({ body }) => validDraftReply(body)): Handler & { readonly counts: FaultCounts } {
  const counts: FaultCounts = { ok: 0, rateLimited: 0, serverErrors: 0, malformed: 0 };
  const random = seededRandom(mix.seed ?? 1);
  // Each block of requests gets its exact share of each fault, shuffled: "25%" means 5 of every
  // 20 requests, not a draw that may give far fewer in a short run.
  const deal = (): Fault[] => {
    const of = (share: number | undefined) => Math.round((share ?? 0) * FAULT_BLOCK);
    const block: Fault[] = [...Array<Fault>(of(mix.rateLimited)).fill('429'), ...Array<Fault>(of(mix.serverErrors)).fill('500'), ...Array<Fault>(of(mix.malformed)).fill('broken')];
    while (block.length < FAULT_BLOCK) block.push('ok');
    for (let i = block.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [block[i], block[j]] = [block[j]!, block[i]!];
    }
    return block;
  };
  const dealt: Fault[] = [];
  const handler = async (req: { body: any; n: number }): Promise<Reply> => {
    while (dealt.length < req.n) dealt.push(...deal());
    const fault = dealt[req.n - 1];
    if (fault === '429') {
      counts.rateLimited++;
      const headers = { 'retry-after': String(mix.retryAfterSeconds ?? 1) };
      return errorReply(429, 'Rate limit reached, please retry shortly', { type: 'requests', code: 'rate_limit_exceeded', headers });
    }
    const delayMs = mix.latencyMs ?? 0;
    if (fault === '500') {
      counts.serverErrors++;
      return { ...errorReply(500, 'The server had an error while processing your request', { type: 'server_error' }), delayMs };
    }
    if (fault === 'broken') {
      counts.malformed++;
      return { body: '{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{\\"fram', delayMs };
    }
    counts.ok++;
    return { ...(await then(req)), delayMs };
  };
  return Object.defineProperty(handler, 'counts', { get: () => ({ ...counts }) }) as Handler & { readonly counts: FaultCounts };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the server on 127.0.0.1, port 0. */
export async function startOpenAiServer(handler: Handler = ({ body }) => validDraftReply(body)): Promise<OpenAiServer> {
  let current = handler;
  let calls = 0;
  let inFlight = 0;
  let peak = 0;
  const requests: any[] = [];
  const sockets = new Set<Socket>();

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const send = (res: ServerResponse, reply: Reply) => {
    if (res.destroyed || res.writableEnded) return;
    const body = reply.body ?? '';
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' && body.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'application/json';
    res.writeHead(reply.status ?? 200, { 'content-type': type, ...reply.headers });
    res.end(text);
  };

  const server = createServer(async (req, res) => {
    try {
      if (req.method === 'GET' && req.url?.endsWith('/v1/models')) {
        return send(res, { body: { object: 'list', data: [{ id: 'test-model', object: 'model', created: 0, owned_by: 'test' }] } });
      }
      if (req.method !== 'POST' || !req.url?.endsWith('/v1/chat/completions')) {
        return send(res, { status: 404, body: { error: { message: `no route ${req.method} ${req.url}`, type: 'not_found' } } });
      }
      const raw = await readBody(req);
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        return send(res, { status: 400, body: { error: { message: 'request body is not JSON', type: 'invalid_request_error' } } });
      }
      const n = ++calls;
      requests.push(body);
      inFlight++;
      peak = Math.max(peak, inFlight);
      let counted = true;
      const done = () => {
        if (counted) inFlight--;
        counted = false;
      };
      res.on('close', done);
      const reply = await current({ body, n });
      if (reply.hang) return;
      if (reply.delayMs) await sleep(reply.delayMs);
      send(res, withUsage(reply, body));
    } catch (err) {
      send(res, { status: 500, body: { error: { message: `test handler threw: ${(err as Error).message}`, type: 'server_error' } } });
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    get calls() {
      return calls;
    },
    requests,
    get peakConcurrency() {
      return peak;
    },
    setHandler(fn) {
      current = fn;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
