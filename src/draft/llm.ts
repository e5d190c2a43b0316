/**
 * The LLM drafter: one structured chat call per article through the official `openai` client,
 * with our own bounded retries (the client's own obey Retry-After without limit), one repair
 * attempt for bad output, and every way a call can go wrong mapped to a FailureKind.
 */
import { parseRetryAfter } from '../core/http-date.ts';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { countTokens } from 'gpt-tokenizer';
import { fail, ok, type Failure, type Outcome } from '../core/failure.ts';
import type { Draft, DraftInput } from '../core/types.ts';
import { checkGrounding } from './grounding.ts';
import { renderPrompt, type Prompt, type RenderedPrompt } from './prompt.ts';
import { describeIssues, draftSchemaFor, type ModelDraft } from './schema.ts';

/** How to reach the model and how long to wait for it. */
export interface LlmSettings {
  /** OpenAI-compatible base URL (e.g. http://127.0.0.1:11434/v1); unset means api.openai.com. */
  baseURL?: string;
  /** Optional with a baseURL: local servers need none. */
  apiKey?: string;
  /** Model name; when empty the prompt file's `model` is used. */
  model: string;
  /** Per HTTP request, headers and body included (e.g. 120_000). */
  timeoutMs: number;
  /** Retries for 5xx, 408, connection resets and short 429s (e.g. 2). */
  maxRetries: number;
  /** A 429 asking to wait longer than this defers the item instead (e.g. 60_000). */
  retryAfterCapMs: number;
  /** Token budget for the article text (e.g. 6000). */
  maxInputTokens: number;
  /** Base of the jittered exponential backoff; default 500 ms. */
  retryBaseMs?: number;
}

/** Cumulative counters across all drafts of one drafter; every HTTP request is a call. */
export interface LlmUsage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

/** A drafter bound to one model, prompt and category list. */
export interface LlmDrafter {
  draft(input: DraftInput, signal?: AbortSignal): Promise<Outcome<Draft>>;
  /** Live: read it after (or during) a run. */
  usage: LlmUsage;
}

/** The server reported far fewer prompt tokens than we sent: it cut the input silently (L-09). */
const SERVER_TRUNCATION_RATIO = 0.5;
/** Below this estimate tokenizer differences dominate, so the L-09 check is skipped. */
const SERVER_TRUNCATION_MIN_TOKENS = 512;
const MAX_BACKOFF_MS = 8_000;
const RAW_KEEP_CHARS = 20_000;

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

/** Retry-After as ms: `retry-after-ms`, then `retry-after` in seconds or as an HTTP date. */
/** Wait asked for by a 429/503: OpenAI's retry-after-ms first, else the standard Retry-After. */
function retryAfterFromHeaders(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  return parseRetryAfter(headers?.get('retry-after') ?? null, now) ?? undefined;
}

type Attempt = { failure: Failure; retry: false } | { failure: Failure; retry: true; waitMs?: number };

const isContextLengthError = (err: APIError) =>
  err.code === 'context_length_exceeded' ||
  /context[ _-]?length|maximum context|context window|too many tokens/i.test(err.message);

/** Maps one failed request to a failure, and says whether (and after how long) to try again. */
function classifyError(err: unknown, signal: AbortSignal | undefined, timeout: AbortSignal, settings: LlmSettings, where: string): Attempt {
  if (signal?.aborted) return { retry: false, failure: { kind: 'run.aborted', message: 'drafting was cancelled' } };
  // Checked before the error class: an abort while reading the body surfaces as a plain AbortError.
  if (err instanceof APIConnectionTimeoutError || timeout.aborted) {
    return {
      retry: false,
      failure: { kind: 'llm.timeout', message: `no complete answer from ${where} within ${settings.timeoutMs} ms; the server may be overloaded or hung` },
    };
  }
  if (err instanceof APIConnectionError) {
    return { retry: true, failure: { kind: 'llm.http_error', message: `cannot reach ${where}: ${err.message}; check the base URL and that the server is running` } };
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    const detail = `${where} answered ${status}: ${err.message}`.slice(0, 500);
    if (status === 429) {
      if (err.code === 'insufficient_quota') {
        return { retry: false, failure: { kind: 'llm.http_error', status, message: `${detail}; the account's quota is used up, check billing` } };
      }
      const retryAfterMs = retryAfterFromHeaders(err.headers);
      const failure: Failure = { kind: 'llm.rate_limited', status, message: `${detail}; the item is deferred to a later run`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
      if (retryAfterMs !== undefined && retryAfterMs > settings.retryAfterCapMs) return { retry: false, failure };
      return { retry: true, failure, ...(retryAfterMs !== undefined ? { waitMs: retryAfterMs } : {}) };
    }
    if (status === 400 && isContextLengthError(err)) {
      return { retry: false, failure: { kind: 'llm.context_length', status, message: `${detail}; lower maxInputTokens for this model` } };
    }
    const hint =
      status === 401 || status === 403 ? '; check the API key setting'
      : status === 404 ? '; check the model name and the base URL'
      : '';
    // A refused key fails every request alike: its own kind, so the run stops drafting at the first one.
    const kind = status === 401 || status === 403 ? 'llm.auth' : 'llm.http_error';
    return { retry: status === 408 || status >= 500, failure: { kind, status, message: detail + hint } };
  }
  if (err instanceof SyntaxError) {
    return { retry: false, failure: { kind: 'llm.not_json', message: `${where} sent a body that is not valid JSON: ${err.message}` } };
  }
  return { retry: false, failure: { kind: 'internal', message: `LLM call failed: ${err instanceof Error ? err.message : String(err)}` } };
}

const keepRaw = (s: string) => (s.length > RAW_KEEP_CHARS ? s.slice(0, RAW_KEEP_CHARS) : s);

/** Accepts bare JSON, or JSON wrapped whole in one ``` fence; prose around it is invalid output. */
function parseJsonContent(content: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/i.exec(content);
  try {
    return { ok: true, value: JSON.parse(fenced ? fenced[1]! : content) };
  } catch (err) {
    return { ok: false, error: `not valid JSON (${(err as Error).message})` };
  }
}

/** Looks like a chat completion at all? A proxy's HTML login page comes back from the client as a string. */
function isChatCompletion(body: unknown): body is ChatCompletion {
  return typeof body === 'object' && body !== null && Array.isArray((body as ChatCompletion).choices) && (body as ChatCompletion).choices.length > 0;
}

/** Judges one completion's content: cut off, refused, invalid, or a valid draft. */
function judgeCompletion(completion: ChatCompletion, schema: ReturnType<typeof draftSchemaFor>): Outcome<ModelDraft> {
  const choice = completion.choices[0]!;
  const content = choice.message?.content ?? null;
  const refusal = choice.message?.refusal;
  if (choice.finish_reason === 'length') {
    return fail('llm.truncated', 'the answer was cut off at max_tokens; raise max_output_tokens in the prompt file', { raw: keepRaw(content ?? '') });
  }
  if (refusal) return fail('llm.refused', `the model refused: ${refusal.slice(0, 500)}`, { raw: keepRaw(refusal) });
  if (choice.finish_reason === 'content_filter') {
    return fail('llm.refused', 'the answer was withheld by the content filter', { raw: keepRaw(content ?? '') });
  }
  if (content === null || content.trim() === '') return fail('llm.refused', 'the model returned no content', { raw: '' });
  const parsed = parseJsonContent(content);
  if (!parsed.ok) return fail('llm.invalid_output', `the answer is ${parsed.error}`, { raw: keepRaw(content) });
  const checked = schema.safeParse(parsed.value);
  if (!checked.success) {
    return fail('llm.invalid_output', `the answer does not match the draft schema:\n${describeIssues(checked.error)}`, { raw: keepRaw(content) });
  }
  return ok(checked.data);
}

const estimateTokens = (messages: ChatCompletionMessageParam[]) =>
  messages.reduce((n, m) => n + 4 + countTokens(typeof m.content === 'string' ? m.content : JSON.stringify(m.content)), 0);

/** Creates a drafter; configuration problems surface as `llm.not_configured` from `draft()`, not as a throw. */
export function createLlmDrafter(settings: LlmSettings, prompt: Prompt, categories: string[]): LlmDrafter {
  const usage: LlmUsage = { calls: 0, inputTokens: 0, outputTokens: 0 };
  const allowed = categories.length > 0 ? [...new Set(categories)] : ['Other'];
  const schema = draftSchemaFor(allowed);
  const responseFormat = zodResponseFormat(schema, prompt.schemaName);
  const model = settings.model || prompt.model || '';
  const where = settings.baseURL ? `the LLM server at ${settings.baseURL.replace(/\/\/[^/@]*@/, '//')}` : 'the OpenAI API';
  // api.openai.com rejects max_tokens for newer models; most local servers only know max_tokens.
  const tokenParam = settings.baseURL ? 'max_tokens' : 'max_completion_tokens';

  let client: OpenAI | null = null;
  let notConfigured: string | null = model ? null : 'no model configured: set the LLM model setting, or `model` in the prompt file';
  if (!notConfigured) {
    try {
      client = new OpenAI({
        baseURL: settings.baseURL,
        apiKey: settings.apiKey || (settings.baseURL ? 'not-needed' : undefined),
        maxRetries: 0, // ours below: capped Retry-After, no 10-minute sleeps
        timeout: settings.timeoutMs,
      });
    } catch (err) {
      notConfigured = `cannot create the LLM client: ${(err as Error).message.split('\n')[0]}`;
    }
  }

  /** One logical request: the HTTP call plus bounded retries for transient failures. */
  async function send(messages: ChatCompletionMessageParam[], maxTokens: number, signal?: AbortSignal): Promise<Outcome<ChatCompletion>> {
    const params = {
      model,
      messages,
      response_format: responseFormat,
      [tokenParam]: maxTokens,
      ...(prompt.temperature !== null ? { temperature: prompt.temperature } : {}),
    } as ChatCompletionCreateParamsNonStreaming;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) return fail('run.aborted', 'drafting was cancelled');
      // The client's own timeout stops at the headers; this one also covers a body that never ends.
      const timeout = AbortSignal.timeout(settings.timeoutMs);
      usage.calls++;
      try {
        const body: unknown = await client!.chat.completions.create(params, {
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          timeout: settings.timeoutMs,
          maxRetries: 0,
        });
        if (!isChatCompletion(body)) {
          const raw = typeof body === 'string' ? body : JSON.stringify(body) ?? '';
          return fail('llm.not_json', `${where} answered 200 but not with a chat completion (a proxy or login page?): ${raw.slice(0, 120)}`, { raw: keepRaw(raw) });
        }
        usage.inputTokens += body.usage?.prompt_tokens ?? 0;
        usage.outputTokens += body.usage?.completion_tokens ?? 0;
        return ok(body);
      } catch (err) {
        const verdict = classifyError(err, signal, timeout, settings, where);
        if (!verdict.retry || attempt >= settings.maxRetries) return { ok: false, failure: verdict.failure };
        const base = settings.retryBaseMs ?? 500;
        await sleep(verdict.waitMs ?? Math.random() * Math.min(MAX_BACKOFF_MS, base * 2 ** attempt), signal);
      }
    }
  }

  async function draft(input: DraftInput, signal?: AbortSignal): Promise<Outcome<Draft>> {
    if (notConfigured) return fail('llm.not_configured', notConfigured);
    const started = performance.now();
    let rendered: RenderedPrompt = renderPrompt(prompt, input, allowed, settings.maxInputTokens);
    let messages: ChatCompletionMessageParam[] = rendered.messages;
    let maxTokens = prompt.maxOutputTokens;
    let halved = false;
    let repaired = false;
    let inputTokens = 0;
    let outputTokens = 0;
    for (;;) {
      const sent = await send(messages, maxTokens, signal);
      if (!sent.ok) {
        if (sent.failure.kind === 'llm.context_length' && !halved) {
          halved = true; // once: a second overflow is reported, never looped on
          rendered = renderPrompt(prompt, input, allowed, Math.floor(settings.maxInputTokens / 2));
          messages = rendered.messages;
          continue;
        }
        return sent;
      }
      const completion = sent.value;
      inputTokens += completion.usage?.prompt_tokens ?? 0;
      outputTokens += completion.usage?.completion_tokens ?? 0;
      const reported = completion.usage?.prompt_tokens ?? 0;
      const estimate = estimateTokens(messages);
      if (reported > 0 && estimate >= SERVER_TRUNCATION_MIN_TOKENS && reported < estimate * SERVER_TRUNCATION_RATIO) {
        return fail(
          'llm.input_truncated_by_server',
          `the server read ${reported} prompt tokens of about ${estimate} sent: it cut the article silently; raise its context size (e.g. Ollama num_ctx) or lower maxInputTokens`,
          { raw: keepRaw(completion.choices[0]?.message?.content ?? '') },
        );
      }
      const judged = judgeCompletion(completion, schema);
      if (judged.ok) {
        const content = judged.value;
        return ok({
          headline: content.headline,
          tldr: content.tldr,
          takeaways: content.takeaways.map((t) => ({ ...t, grounded: checkGrounding(t.quote, rendered.articleText) })),
          whyItMatters: content.whyItMatters,
          category: content.category,
          framing: content.framing,
          engine: 'llm',
          model: completion.model || model,
          promptId: prompt.id,
          promptHash: prompt.hash,
          inputTokens,
          outputTokens,
          latencyMs: Math.round(performance.now() - started),
          inputTruncated: rendered.inputTruncated,
          readingMinutes: input.readingMinutes,
        });
      }
      if (repaired) return judged;
      repaired = true; // exactly one repair attempt, whatever went wrong
      const { kind, message, raw } = judged.failure;
      if (kind === 'llm.truncated') {
        maxTokens = Math.min(32_000, maxTokens * 2);
      } else if (kind === 'llm.invalid_output') {
        messages = [
          ...rendered.messages,
          { role: 'assistant', content: raw ?? '' },
          { role: 'user', content: `That answer was rejected because ${message}\nReply with the corrected JSON object only, following the schema and the rules above.` },
        ];
      }
      // llm.refused: asked once more as is; a second refusal is final.
    }
  }

  return { draft, usage };
}
