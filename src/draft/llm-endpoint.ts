/**
 * The model's HTTP endpoint: one chat completion request through the official `openai` client,
 * admitted by the run's call gate (the limiter, which alone handles 429s), retried here only for
 * 5xx, 408 and lost connections, and every error answer mapped to a FailureKind with a message
 * that says what to check. Errors that no retry and no other item can get past (a wrong key, an
 * unknown model, no quota, a request format the server refuses) are remembered: later requests of
 * the run get the same failure without a call.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ResponseFormatJSONSchema } from 'openai/resources/shared';
import { parseRetryAfter } from '../core/http-date.ts';
import { fail, isRunFatal, ok, type Failure, type Outcome } from '../core/failure.ts';
import type { ResponseFormatKind } from '../core/types.ts';
import { tokenizer } from './tokenizer.ts';

/**
 * Admits each HTTP request to the model: the run's limiter (concurrency, per-minute limits, the
 * pause and pacing after a 429, and running a rate-limited request again) and token budget, or
 * nothing at all.
 */
export interface CallGate {
  run<T>(
    estimatedTokens: number,
    task: () => Promise<T>,
    call: {
      rateLimitedFor: (result: T) => number | null;
      signal?: AbortSignal;
      /** The result of a request the gate refuses to send (a spent token budget): no call is made. */
      refused: (failure: Failure) => T;
      /** Tokens a request's result used, as the server counted them (our estimate when it said nothing). */
      tokensUsed: (result: T) => number;
    },
  ): Promise<T>;
}

/** No limits: each request goes at once, and a 429 is returned as it came. */
export const UNGATED: CallGate = { run: (_tokens, task) => task() };

/** How to reach the endpoint; see LlmSettings for each field. */
export interface EndpointSettings {
  baseURL?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs?: number;
  temperature: number | null;
  /** The structured-output format built from the draft schema, tried first. */
  jsonSchema: ResponseFormatJSONSchema;
}

/** Cumulative counters of one drafter; every HTTP request is a call, every 429 answer counts. */
export interface LlmUsage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Requests the provider answered 429 (each ran again after the limiter's pause, or deferred its item). */
  rateLimited: number;
}

/** One answered request: the completion, the format it was asked in, and our estimate of its prompt. */
export interface Answer {
  completion: ChatCompletion;
  responseFormat: ResponseFormatKind;
  /** Prompt tokens we counted before sending, to compare with what the server says it read. */
  promptEstimate: number;
}

export interface ChatEndpoint {
  /** One logical request: the gated HTTP call, the json_object fallback, retries of transient errors. */
  complete(messages: ChatCompletionMessageParam[], maxTokens: number, signal?: AbortSignal): Promise<Outcome<Answer>>;
}

const MAX_BACKOFF_MS = 8_000;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** Prompt tokens of a request as we count them (4 per message for the chat wrapping). */
export const estimateTokens = (messages: ChatCompletionMessageParam[]) =>
  messages.reduce((n, m) => n + 4 + tokenizer().countTokens(typeof m.content === 'string' ? m.content : JSON.stringify(m.content)), 0);

/** Wait asked for by a 429: OpenAI's retry-after-ms first, else the standard Retry-After (seconds or a date). */
function retryAfterFromHeaders(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  return parseRetryAfter(headers?.get('retry-after') ?? null, now) ?? undefined;
}

/** What one failed request means: the failure, whether to send it again, whether it refused the output format. */
interface Verdict {
  failure: Failure;
  retry: boolean;
  rejectsFormat?: true;
}

/** OpenAI and vLLM say "maximum context length", llama.cpp "exceeds the available context size". */
const CONTEXT_LENGTH_RE = /context[ _-]?(length|size|window)|maximum context|too many tokens/i;
// The status line the client puts in front of the server's message is said once, in `detail`.
const serverMessage = (err: APIError) => err.message.replace(/^\d{3}\s+/, '');
/** Billing and quota answers: OpenAI's insufficient_quota (a 429) and the 402s of gateways. */
const isQuotaError = (err: APIError) =>
  err.status === 402 ||
  ['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active'].includes(String(err.code)) ||
  /exceeded your current quota|check your plan and billing|insufficient (credits|balance|quota)/i.test(err.message);
const isModelNotFound = (err: APIError) =>
  err.status === 404 ||
  err.code === 'model_not_found' ||
  /model\b.{0,80}\b(not found|does not exist|not available)|unknown model|no such model|invalid model/i.test(err.message);
/** A server that cannot do the structured output we ask for: old llama.cpp answers 500, gateways 400 or 422. */
const isFormatRejection = (err: APIError) =>
  (err.status === 400 || err.status === 422 || err.status! >= 500) &&
  (err.param === 'response_format' || /response_format|json_schema|json_object|structured output/i.test(err.message));
const isUnsupportedParameter = (err: APIError) =>
  (err.status === 400 || err.status === 422) &&
  (['unsupported_parameter', 'unsupported_value'].includes(String(err.code)) ||
    /unsupported (parameter|value)|unrecognized request argument|not supported with this model/i.test(err.message));

/** Creates the endpoint, or says why the client cannot be created. */
export function createChatEndpoint(settings: EndpointSettings, usage: LlmUsage, gate: CallGate = UNGATED): Outcome<ChatEndpoint> {
  const { model } = settings;
  const where = settings.baseURL ? `the LLM server at ${settings.baseURL.replace(/\/\/[^/@]*@/, '//')}` : 'the OpenAI API';
  // api.openai.com rejects max_tokens for newer models; most local servers only know max_tokens.
  const tokenParam = settings.baseURL ? 'max_tokens' : 'max_completion_tokens';
  const keyHint = settings.baseURL
    ? `check OPENAI_API_KEY (the key ${where} expects) and llm.baseURL`
    : 'check OPENAI_API_KEY: it is missing, mistyped or revoked';

  let client: OpenAI;
  try {
    client = new OpenAI({
      baseURL: settings.baseURL,
      apiKey: settings.apiKey || (settings.baseURL ? 'not-needed' : undefined),
      // Never the client's own retries: they sleep for any Retry-After while holding the
      // limiter's slot. 429s are the limiter's; 5xx are retried below, each through the gate.
      maxRetries: 0,
      timeout: settings.timeoutMs,
    });
  } catch (err) {
    return fail('llm.not_configured', `cannot create the LLM client: ${(err as Error).message.split('\n')[0]}`);
  }

  /** Starts as json_schema; the first request the server refuses for it switches the run to json_object. */
  let format: ResponseFormatKind = 'json_schema';
  /** The first answer no request can get past; every later request of the run gets it without a call. */
  let endpointFailure: Failure | null = null;

  const schemaInstruction = [
    'Answer with one JSON object only, no prose and no code fences, matching this JSON Schema:',
    JSON.stringify(settings.jsonSchema.json_schema.schema),
  ].join('\n');

  /** In json_object mode the schema travels in the prompt: after the first system message, else first. */
  function withSchemaInstruction(messages: ChatCompletionMessageParam[]): ChatCompletionMessageParam[] {
    const i = messages.findIndex((m) => m.role === 'system');
    if (i < 0) return [{ role: 'system', content: schemaInstruction }, ...messages];
    const system = messages[i]!;
    return messages.map((m, j) => (j === i ? { role: 'system', content: `${system.content as string}\n\n${schemaInstruction}` } : m));
  }

  function classify(err: unknown, signal: AbortSignal | undefined, timeout: AbortSignal): Verdict {
    if (signal?.aborted) return { retry: false, failure: { kind: 'run.aborted', message: 'drafting was cancelled' } };
    // Checked before the error class: an abort while reading the body surfaces as a plain AbortError.
    if (err instanceof APIConnectionTimeoutError || timeout.aborted) {
      return {
        retry: false,
        failure: { kind: 'llm.timeout', message: `no complete answer from ${where} within ${settings.timeoutMs} ms; the server may be overloaded or hung` },
      };
    }
    if (err instanceof APIConnectionError) {
      return { retry: true, failure: { kind: 'llm.http_error', message: `cannot reach ${where}: ${err.message}; check llm.baseURL and that the server is running` } };
    }
    if (err instanceof APIError && typeof err.status === 'number') {
      const status = err.status;
      const detail = `${where} answered ${status}: ${serverMessage(err)}`.slice(0, 500);
      const failure = (kind: Failure['kind'], hint: string): Failure => ({ kind, status, message: hint ? `${detail}; ${hint}` : detail });
      if (isQuotaError(err)) {
        return { retry: false, failure: failure('llm.quota', "the account has no quota left: check its plan and billing, or the key's project (OPENAI_API_KEY)") };
      }
      if (status === 429) {
        const retryAfterMs = retryAfterFromHeaders(err.headers);
        const f = failure('llm.rate_limited', 'the provider is rate limiting: the item is deferred to a later run');
        return { retry: false, failure: retryAfterMs !== undefined ? { ...f, retryAfterMs } : f };
      }
      if (status === 401 || status === 403) return { retry: false, failure: failure('llm.auth', keyHint) };
      if ((status === 400 || status === 413) && (err.code === 'context_length_exceeded' || err.type === 'exceed_context_size_error' || CONTEXT_LENGTH_RE.test(err.message))) {
        return { retry: false, failure: failure('llm.context_length', "the article does not fit the model's context: lower llm.maxInputTokens, or set llm.contextTokens to the model's window") };
      }
      if (isModelNotFound(err)) {
        return { retry: false, failure: failure('llm.model_not_found', `check llm.model ("${model}"; a local server may need it pulled first) and llm.baseURL (a wrong path answers 404 too)`) };
      }
      if (isFormatRejection(err)) {
        return {
          retry: false,
          rejectsFormat: true,
          failure: failure(
            'llm.unsupported_request',
            'the server refuses structured output (response_format json_schema, and json_object too): use a server or model that supports one of them (a current llama.cpp llama-server, Ollama, vLLM), or a gateway that passes response_format through',
          ),
        };
      }
      if (isUnsupportedParameter(err)) {
        return { retry: false, failure: failure('llm.unsupported_request', `the server refuses a parameter of the request for model "${model}": check llm.model and llm.baseURL`) };
      }
      return { retry: status === 408 || status >= 500, failure: failure('llm.http_error', '') };
    }
    if (err instanceof SyntaxError) {
      return { retry: false, failure: { kind: 'llm.not_json', message: `${where} sent a body that is not valid JSON: ${err.message}` } };
    }
    return { retry: false, failure: { kind: 'internal', message: `LLM call failed: ${err instanceof Error ? err.message : String(err)}` } };
  }

  type Sent = { ok: true; completion: ChatCompletion } | { ok: false; verdict: Verdict };

  /** One HTTP request, never retried here. */
  async function send(messages: ChatCompletionMessageParam[], maxTokens: number, asked: ResponseFormatKind, signal?: AbortSignal): Promise<Sent> {
    if (signal?.aborted) return { ok: false, verdict: { retry: false, failure: { kind: 'run.aborted', message: 'drafting was cancelled' } } };
    const params = {
      model,
      messages: asked === 'json_object' ? withSchemaInstruction(messages) : messages,
      response_format: asked === 'json_object' ? { type: 'json_object' } : settings.jsonSchema,
      [tokenParam]: maxTokens,
      ...(settings.temperature !== null ? { temperature: settings.temperature } : {}),
    } as ChatCompletionCreateParamsNonStreaming;
    // The client's own timeout stops at the headers; this one also covers a body that never ends.
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    usage.calls++;
    try {
      const body: unknown = await client.chat.completions.create(params, {
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        timeout: settings.timeoutMs,
        maxRetries: 0,
      });
      if (!isChatCompletion(body)) {
        const raw = typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
        const message = `${where} answered 200 but not with a chat completion (a proxy or login page?): ${raw.slice(0, 120)}`;
        return { ok: false, verdict: { retry: false, failure: { kind: 'llm.not_json', message, raw: raw.slice(0, 20_000) } } };
      }
      usage.inputTokens += body.usage?.prompt_tokens ?? 0;
      usage.outputTokens += body.usage?.completion_tokens ?? 0;
      return { ok: true, completion: body };
    } catch (err) {
      const verdict = classify(err, signal, timeout);
      if (verdict.failure.kind === 'llm.rate_limited') usage.rateLimited++;
      return { ok: false, verdict };
    }
  }

  const rateLimitedFor = (sent: Sent): number | null =>
    !sent.ok && sent.verdict.failure.kind === 'llm.rate_limited' ? (sent.verdict.failure.retryAfterMs ?? 0) : null;
  const refused = (failure: Failure): Sent => ({ ok: false, verdict: { retry: false, failure } });

  async function complete(messages: ChatCompletionMessageParam[], maxTokens: number, signal?: AbortSignal): Promise<Outcome<Answer>> {
    const promptEstimate = estimateTokens(messages);
    for (let attempt = 0; ; ) {
      if (endpointFailure) return { ok: false, failure: endpointFailure };
      if (signal?.aborted) return fail('run.aborted', 'drafting was cancelled');
      // The format is read when the gate lets the request go, not when it queued: a request that
      // waited behind the limiter while another learned the server refuses json_schema asks for json_object.
      let asked = format;
      const estimate = promptEstimate + maxTokens;
      // An answer without usage is counted at our estimate; a failed request is not billed.
      const tokensUsed = (sent: Sent): number =>
        !sent.ok ? 0 : sent.completion.usage ? (sent.completion.usage.prompt_tokens ?? 0) + (sent.completion.usage.completion_tokens ?? 0) : estimate;
      const sent = await gate.run(
        estimate,
        () => {
          asked = format;
          return send(messages, maxTokens, asked, signal);
        },
        { rateLimitedFor, signal, refused, tokensUsed },
      );
      if (sent.ok) return ok({ completion: sent.completion, responseFormat: asked, promptEstimate });
      const { failure, retry, rejectsFormat } = sent.verdict;
      if (rejectsFormat && asked === 'json_schema') {
        // Once per run: from now on every request asks for json_object with the schema in the
        // prompt (zod still checks each answer). Not a retry of a transient error: no attempt spent.
        format = 'json_object';
        continue;
      }
      if (isRunFatal(failure)) endpointFailure ??= failure;
      if (!retry || attempt >= settings.maxRetries) return { ok: false, failure };
      const base = settings.retryBaseMs ?? 500;
      await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, base * 2 ** attempt), signal);
      attempt++;
    }
  }

  return ok({ complete });
}

/** Looks like a chat completion at all? A proxy's HTML login page comes back from the client as a string. */
function isChatCompletion(body: unknown): body is ChatCompletion {
  return typeof body === 'object' && body !== null && Array.isArray((body as ChatCompletion).choices) && (body as ChatCompletion).choices.length > 0;
}
