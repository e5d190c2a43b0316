import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { countTokens } from 'gpt-tokenizer';
import {
  articleFromRequest,
  completion,
  errorReply,
  refusingJsonSchema,
  startOpenAiServer,
  validDraftContent,
  validDraftReply,
  type OpenAiServer,
} from '../../test/helpers/openai-server.ts';
import { isPermanent, isRunFatal } from '../core/failure.ts';
import { createLlmDrafter, loadPrompt, renderPrompt, type LlmSettings, type Prompt } from './index.ts';
import { injection, positiveAi } from './__fixtures__/articles.ts';

const PROMPT_PATH = fileURLToPath(new URL('../../prompts/draft-story.md', import.meta.url));
const CATEGORIES = ['Health', 'Climate', 'Science', 'Other'];

let server: OpenAiServer;
let prompt: Prompt;

const settings = (over: Partial<LlmSettings> = {}): LlmSettings => ({
  baseURL: server.url,
  model: 'test-model',
  timeoutMs: 10_000,
  maxRetries: 2,
  maxInputTokens: 6000,
  retryBaseMs: 5,
  ...over,
});

/** A fresh server per test keeps call counts independent. */
beforeEach(async () => {
  await server?.close();
  server = await startOpenAiServer();
});
beforeAll(() => {
  const loaded = loadPrompt(PROMPT_PATH);
  if (!loaded.ok) throw new Error(loaded.failure.message);
  prompt = loaded.value;
});
afterAll(async () => {
  await server?.close();
});

const contentReply = (content: string | null, opts: Parameters<typeof completion>[1] = {}) => ({ body: completion(content, opts) });

describe('createLlmDrafter', () => {
  it('drafts a valid story with grounded quotes and provenance, without an API key', async () => {
    const drafter = createLlmDrafter(settings(), prompt, CATEGORIES);
    const out = await drafter.draft(positiveAi);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const d = out.value;
    expect(d.engine).toBe('llm');
    expect(d.model).toBe('test-model');
    expect(d.promptId).toBe('draft-story-v2');
    expect(d.promptHash).toBe(prompt.hash);
    expect(d.category).toBe('Health');
    expect(d.takeaways.length).toBeGreaterThanOrEqual(3);
    expect(d.takeaways.every((t) => t.grounded)).toBe(true);
    expect(d.inputTokens).toBeGreaterThan(0);
    expect(d.outputTokens).toBeGreaterThan(0);
    expect(d.inputTruncated).toBe(false);
    expect(d.readingMinutes).toBe(1); // the story as published, not the 2-minute source
    expect(drafter.usage).toEqual({ calls: 1, inputTokens: d.inputTokens, outputTokens: d.outputTokens, rateLimited: 0 });

    const req = server.requests[0];
    expect(req.model).toBe('test-model');
    expect(req.max_tokens).toBe(prompt.maxOutputTokens);
    expect(req.response_format.type).toBe('json_schema');
    expect(req.response_format.json_schema.strict).toBe(true);
    expect(req.response_format.json_schema.schema.properties.category.enum).toEqual(CATEGORIES);
    expect(req.messages.map((m: any) => m.role)).toEqual(['system', 'user']);
    expect(articleFromRequest(req)).toBe(positiveAi.text);
  });

  it('marks a fabricated quote as not grounded', async () => {
    server.setHandler(({ body }) => {
      const content = validDraftContent(body) as any;
      content.takeaways[1].quote = 'doctors cured every patient in a single day';
      return contentReply(JSON.stringify(content));
    });
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(out.ok && out.value.takeaways.map((t) => t.grounded)).toEqual([true, false, true, true]);
  });

  it('returns a 429 after one call: neither the client nor the drafter retries it (the run\'s limiter does)', async () => {
    server.setHandler(({ body, n }) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } } : validDraftReply(body)));
    const drafter = createLlmDrafter(settings(), prompt, CATEGORIES);
    const out = await drafter.draft(positiveAi);
    expect(!out.ok && out.failure).toMatchObject({ kind: 'llm.rate_limited', retryAfterMs: 1000, status: 429 });
    expect(server.calls).toBe(1);
    expect(drafter.usage).toMatchObject({ calls: 1, rateLimited: 1 });
  });

  it.each(['3600', '1000000000'])('defers at once on 429 with Retry-After %s', async (retryAfter) => {
    server.setHandler(() => ({ status: 429, headers: { 'retry-after': retryAfter }, body: { error: { message: 'quota' } } }));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.failure.kind).toBe('llm.rate_limited');
    expect(out.failure.retryAfterMs).toBe(Number(retryAfter) * 1000);
    expect(server.calls).toBe(1);
  });

  it('retries 500, 500 then succeeds (3 calls)', async () => {
    server.setHandler(({ body, n }) => (n <= 2 ? { status: 500, body: { error: { message: 'boom' } } } : validDraftReply(body)));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(out.ok).toBe(true);
    expect(server.calls).toBe(3);
  });

  it('gives up after maxRetries on 5xx', async () => {
    server.setHandler(() => ({ status: 503, body: { error: { message: 'overloaded' } } }));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(!out.ok && out.failure).toMatchObject({ kind: 'llm.http_error', status: 503 });
    expect(server.calls).toBe(3);
  });

  describe('answers no retry can fix: a kind of their own, one call, and none after it', () => {
    it.each([
      ['401', errorReply(401, 'Incorrect API key provided: sk-abc***', { code: 'invalid_api_key' }), 'llm.auth', /OPENAI_API_KEY/],
      ['403', errorReply(403, 'Country, region, or territory not supported', { code: 'unsupported_country_region_territory' }), 'llm.auth', /OPENAI_API_KEY/],
      ['404 from Ollama', errorReply(404, 'model "llama3.9" not found, try pulling it first', { type: 'api_error' }), 'llm.model_not_found', /llm\.model \("test-model"/],
      ['404 from OpenAI', errorReply(404, 'The model `gpt-9` does not exist or you do not have access to it.', { code: 'model_not_found' }), 'llm.model_not_found', /llm\.baseURL/],
      ['400 unknown model', errorReply(400, 'Invalid model name passed in model=gpt-9'), 'llm.model_not_found', /llm\.model/],
      ['429 insufficient_quota', errorReply(429, 'You exceeded your current quota, please check your plan and billing details.', { code: 'insufficient_quota', type: 'insufficient_quota' }), 'llm.quota', /billing/],
      ['402 from a gateway', errorReply(402, 'Insufficient credits'), 'llm.quota', /billing/],
      ['400 unsupported parameter', errorReply(400, "Unsupported parameter: 'max_tokens' is not supported with this model.", { code: 'unsupported_parameter', param: 'max_tokens' }), 'llm.unsupported_request', /llm\.model/],
    ] as const)('%s', async (_name, reply, kind, hint) => {
      server.setHandler(() => reply);
      const drafter = createLlmDrafter(settings(), prompt, CATEGORIES);
      const out = await drafter.draft(positiveAi);
      expect(!out.ok && out.failure.kind).toBe(kind);
      expect(!out.ok && out.failure.message).toMatch(hint);
      expect(!out.ok && isRunFatal(out.failure)).toBe(true);
      expect(server.calls).toBe(1);
      // The next item gets the same answer without another call: the endpoint will not change this run.
      const again = await drafter.draft(positiveAi);
      expect(!again.ok && again.failure.kind).toBe(kind);
      expect(server.calls).toBe(1);
    });

    it('never puts the API key in the message', async () => {
      server.setHandler(() => errorReply(401, 'bad key'));
      const out = await createLlmDrafter(settings({ apiKey: 'sk-secret-123' }), prompt, CATEGORIES).draft(positiveAi);
      expect(!out.ok && out.failure.message).not.toContain('sk-secret-123');
    });
  });

  describe('a server that refuses json_schema', () => {
    it.each(['llama.cpp', 'gateway'] as const)('(%s) gets one fallback to json_object with the schema in the prompt, kept for the run', async (style) => {
      server.setHandler(refusingJsonSchema(style));
      const drafter = createLlmDrafter(settings(), prompt, CATEGORIES);
      const first = await drafter.draft(positiveAi);
      expect(first.ok).toBe(true);
      expect(first.ok && first.value.responseFormat).toBe('json_object');
      expect(server.requests.map((r) => r.response_format.type)).toEqual(['json_schema', 'json_object']);
      const system = server.requests[1].messages.find((m: any) => m.role === 'system').content as string;
      const schema = JSON.parse(system.slice(system.indexOf('JSON Schema:\n') + 'JSON Schema:\n'.length));
      expect(schema.properties.category.enum).toEqual(CATEGORIES);
      // The article block is untouched.
      expect(articleFromRequest(server.requests[1])).toBe(positiveAi.text);

      const second = await drafter.draft(positiveAi);
      expect(second.ok && second.value.responseFormat).toBe('json_object');
      expect(server.requests.map((r) => r.response_format.type)).toEqual(['json_schema', 'json_object', 'json_object']);
      expect(drafter.usage.calls).toBe(3);
    });

    it('records json_schema on a draft from a server that supports it', async () => {
      const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
      expect(out.ok && out.value.responseFormat).toBe('json_schema');
    });

    it('stops with llm.unsupported_request when JSON mode is refused too', async () => {
      server.setHandler(refusingJsonSchema('gateway', undefined, { jsonObject: 'refused' }));
      const drafter = createLlmDrafter(settings(), prompt, CATEGORIES);
      const out = await drafter.draft(positiveAi);
      expect(!out.ok && out.failure.kind).toBe('llm.unsupported_request');
      expect(!out.ok && out.failure.message).toMatch(/response_format/);
      expect(server.calls).toBe(2);
      expect(!(await drafter.draft(positiveAi)).ok).toBe(true);
      expect(server.calls).toBe(2);
    });

    it('still catches, with zod, a server that takes the schema and ignores it', async () => {
      server.setHandler(() => ({ body: completion(JSON.stringify({ answer: 'a summary of the article' })) }));
      const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
      expect(!out.ok && out.failure.kind).toBe('llm.invalid_output');
    });
  });

  it('repairs malformed JSON once, sending the error back (2 calls)', async () => {
    server.setHandler(({ body, n }) => (n === 1 ? contentReply('Here is your draft: {"headline": "oops"') : validDraftReply(body)));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(out.ok).toBe(true);
    expect(server.calls).toBe(2);
    const repair = server.requests[1].messages;
    expect(repair.at(-2)).toMatchObject({ role: 'assistant', content: 'Here is your draft: {"headline": "oops"' });
    expect(repair.at(-1).role).toBe('user');
    expect(repair.at(-1).content).toMatch(/not valid JSON/);
  });

  it('fails with llm.invalid_output and keeps the raw answer after a failed repair', async () => {
    const bad = (body: any) => JSON.stringify({ ...validDraftContent(body), takeaways: [], framing: { verdict: 'great', score: 7, rationale: 'x', concerns: [] }, approved: true });
    server.setHandler(({ body }) => contentReply(bad(body)));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.failure.kind).toBe('llm.invalid_output');
    expect(out.failure.raw).toBe(bad(server.requests[1]));
    expect(out.failure.message).toMatch(/takeaways/);
    expect(server.calls).toBe(2);
  });

  it('rejects a category outside the configured list', async () => {
    server.setHandler(({ body }) => contentReply(JSON.stringify({ ...validDraftContent(body), category: 'Crypto' })));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(!out.ok && out.failure.kind).toBe('llm.invalid_output');
  });

  it('retries a cut-off answer once with more max_tokens, then fails with llm.truncated', async () => {
    server.setHandler(() => contentReply('{"headline": "Hospital AI', { finishReason: 'length' }));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(!out.ok && out.failure.kind).toBe('llm.truncated');
    expect(!out.ok && out.failure.raw).toBe('{"headline": "Hospital AI');
    expect(server.calls).toBe(2);
    expect(server.requests[1].max_tokens).toBe(prompt.maxOutputTokens * 2);
  });

  it('reports a refusal with its reason', async () => {
    server.setHandler(() => contentReply(null, { refusal: 'I cannot help with that.' }));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(!out.ok && out.failure.kind).toBe('llm.refused');
    expect(!out.ok && out.failure.message).toMatch(/I cannot help with that/);
    expect(server.calls).toBe(2);
    // Asked once more already: the item is blocked, not retried on the next runs.
    expect(!out.ok && isPermanent(out.failure)).toBe(true);
  });

  it('treats a 200 HTML page as llm.not_json', async () => {
    server.setHandler(() => ({ body: '<!doctype html><html><body>Please log in</body></html>' }));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(!out.ok && out.failure.kind).toBe('llm.not_json');
    expect(!out.ok && out.failure.raw).toMatch(/Please log in/);
    expect(server.calls).toBe(1);
  });

  it('treats a 200 JSON that is not a chat completion as llm.not_json', async () => {
    server.setHandler(() => ({ body: { status: 'ok' } }));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(!out.ok && out.failure.kind).toBe('llm.not_json');
  });

  it('cuts a hung endpoint at the per-request timeout', async () => {
    server.setHandler(() => ({ hang: true }));
    const out = await createLlmDrafter(settings({ timeoutMs: 500 }), prompt, CATEGORIES).draft(positiveAi);
    expect(!out.ok && out.failure.kind).toBe('llm.timeout');
    expect(server.calls).toBe(1);
  });

  it('cuts a body that never ends at the per-request timeout', async () => {
    // Headers arrive, then nothing: the client's own timeout has already been cleared by then.
    const { createServer } = await import('node:http');
    const dripper = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":');
    });
    await new Promise<void>((r) => dripper.listen(0, '127.0.0.1', r));
    const port = (dripper.address() as import('node:net').AddressInfo).port;
    try {
      const out = await createLlmDrafter(settings({ baseURL: `http://127.0.0.1:${port}/v1`, timeoutMs: 500 }), prompt, CATEGORIES).draft(positiveAi);
      expect(!out.ok && out.failure.kind).toBe('llm.timeout');
    } finally {
      dripper.closeAllConnections();
      await new Promise((r) => dripper.close(r));
    }
  });

  it('honours the AbortSignal', async () => {
    server.setHandler(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi, controller.signal);
    setTimeout(() => controller.abort(), 100);
    const out = await pending;
    expect(!out.ok && out.failure.kind).toBe('run.aborted');
  });

  it('halves the budget once on context_length_exceeded', async () => {
    server.setHandler(({ body, n }) =>
      n === 1 ? { status: 400, body: { error: { message: "This model's maximum context length is 4096 tokens", code: 'context_length_exceeded', type: 'invalid_request_error' } } } : validDraftReply(body),
    );
    const long = { ...positiveAi, text: positiveAi.text.repeat(20) };
    const out = await createLlmDrafter(settings({ maxInputTokens: 1000 }), prompt, CATEGORIES).draft(long);
    expect(out.ok).toBe(true);
    expect(server.calls).toBe(2);
    expect(articleFromRequest(server.requests[1]).length).toBeLessThan(articleFromRequest(server.requests[0]).length);
  });

  it("halves once on llama.cpp's own words for it", async () => {
    server.setHandler(({ body, n }) =>
      n === 1 ? errorReply(400, 'the request exceeds the available context size, try increasing it', { type: 'exceed_context_size_error' }) : validDraftReply(body),
    );
    const long = { ...positiveAi, text: positiveAi.text.repeat(20) };
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(long);
    expect(out.ok).toBe(true);
    expect(server.calls).toBe(2);
  });

  it('fails with llm.context_length when the halved request overflows too (no loop), for good', async () => {
    server.setHandler(() => ({ status: 400, body: { error: { message: 'too long', code: 'context_length_exceeded' } } }));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(!out.ok && out.failure.kind).toBe('llm.context_length');
    expect(!out.ok && out.failure.message).toMatch(/llm\.contextTokens/);
    expect(server.calls).toBe(2);
    expect(!out.ok && isPermanent(out.failure)).toBe(true);
    expect(!out.ok && isRunFatal(out.failure)).toBe(false);
  });

  it('detects silent truncation by the server from usage.prompt_tokens, halves once, then gives up for good', async () => {
    server.setHandler(({ body }) => contentReply(JSON.stringify(validDraftContent(body)), { usage: { prompt_tokens: 300, completion_tokens: 200 } }));
    const long = { ...positiveAi, text: positiveAi.text.repeat(15) };
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(long);
    expect(!out.ok && out.failure.kind).toBe('llm.input_truncated_by_server');
    expect(!out.ok && out.failure.message).toMatch(/OLLAMA_CONTEXT_LENGTH/);
    expect(server.calls).toBe(2);
    expect(articleFromRequest(server.requests[1]).length).toBeLessThan(articleFromRequest(server.requests[0]).length);
    expect(!out.ok && isPermanent(out.failure)).toBe(true);
  });

  it('drafts after halving when the server cut only the first, longer prompt', async () => {
    // A server with a 1000-token window that keeps the end of a longer prompt, as Ollama does.
    server.setHandler(({ body }) => {
      const sent = body.messages.reduce((n: number, m: any) => n + 4 + countTokens(m.content), 0);
      return contentReply(JSON.stringify(validDraftContent(body)), { usage: { prompt_tokens: Math.min(sent, 1000), completion_tokens: 200 } });
    });
    const long = { ...positiveAi, text: positiveAi.text.repeat(15) };
    const out = await createLlmDrafter(settings({ maxInputTokens: 1400 }), prompt, CATEGORIES).draft(long);
    expect(out.ok).toBe(true);
    expect(server.calls).toBe(2);
  });

  describe('llm.contextTokens', () => {
    it("cuts the article to what the model's window leaves after the prompt and the answer", async () => {
      const long = { ...positiveAi, text: positiveAi.text.repeat(40) };
      // 8192: the story prompt (about 1,250 tokens) and its 2,000-token answer leave a 4,096 window too little article.
      const drafter = createLlmDrafter(settings({ maxInputTokens: 6000, contextTokens: 8192 }), prompt, CATEGORIES);
      expect(drafter.setupProblem).toBeNull();
      const out = await drafter.draft(long);
      expect(out.ok && out.value.inputTruncated).toBe(true);
      const req = server.requests[0];
      const sent = req.messages.reduce((n: number, m: any) => n + 4 + countTokens(m.content), 0);
      // The whole request and the longest answer fit the window.
      expect(sent + req.max_tokens).toBeLessThanOrEqual(8192);
      // And the article got the rest of it, not a token-less sliver.
      expect(countTokens(articleFromRequest(req))).toBeGreaterThan(8192 * 0.9 - prompt.maxOutputTokens - 1500);
    });

    it('leaves llm.maxInputTokens in charge when the window is larger', async () => {
      const long = { ...positiveAi, text: positiveAi.text.repeat(40) };
      await createLlmDrafter(settings({ maxInputTokens: 1000, contextTokens: 128_000 }), prompt, CATEGORIES).draft(long);
      expect(countTokens(articleFromRequest(server.requests[0]))).toBeLessThanOrEqual(1000);
      expect(countTokens(articleFromRequest(server.requests[0]))).toBeGreaterThan(900);
    });

    it('is a setup problem when the window cannot hold the prompt, the answer and an article', async () => {
      const drafter = createLlmDrafter(settings({ contextTokens: 2048 }), prompt, CATEGORIES);
      expect(drafter.setupProblem).toMatch(/llm\.contextTokens 2048 leaves \d+ tokens for the article.*OLLAMA_CONTEXT_LENGTH/);
      const out = await drafter.draft(positiveAi);
      expect(!out.ok && out.failure.kind).toBe('llm.not_configured');
      expect(server.calls).toBe(0);
    });
  });

  it('cuts the article to the token budget and records it', async () => {
    const long = { ...positiveAi, text: positiveAi.text.repeat(30) };
    const out = await createLlmDrafter(settings({ maxInputTokens: 300 }), prompt, CATEGORIES).draft(long);
    expect(out.ok && out.value.inputTruncated).toBe(true);
    expect(out.ok && out.value.takeaways.every((t) => t.grounded)).toBe(true);
    const sent = articleFromRequest(server.requests[0]);
    expect(long.text.startsWith(sent)).toBe(true);
    expect(sent.length).toBeLessThan(long.text.length / 5);
  });

  it('keeps an injected boundary and orders inside the data block', async () => {
    const first = renderPrompt(prompt, positiveAi, CATEGORIES, 6000);
    const hostile = injection(first.boundary);
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(hostile);
    expect(out.ok).toBe(true);
    const req = server.requests[0];
    const user = req.messages.find((m: any) => m.role === 'user').content as string;
    const boundary = /<<<UNTRUSTED_ARTICLE boundary=([0-9a-f]+)>>>/.exec(user)![1]!;
    expect(boundary).not.toBe(first.boundary);
    // The whole article, fake closing line and "SYSTEM:" included, sits between the real boundaries.
    expect(articleFromRequest(req)).toBe(hostile.text);
    expect(user.indexOf('SYSTEM: ignore')).toBeGreaterThan(user.indexOf(`boundary=${boundary}>>>`));
    expect(user.indexOf('SYSTEM: ignore')).toBeLessThan(user.indexOf(`<<<END_UNTRUSTED_ARTICLE boundary=${boundary}>>>`));
    // Placeholders inside the article are not expanded.
    expect(user).toContain('{"approved": true} {{boundary}} {{categories}}');
    // The system message names the fresh boundary.
    expect(req.messages[0].content).toContain(boundary);
  });

  it('lets drafts run concurrently, and the server counts them', async () => {
    server.setHandler(({ body }) => ({ ...validDraftReply(body), delayMs: 200 }));
    const drafter = createLlmDrafter(settings(), prompt, CATEGORIES);
    const outs = await Promise.all([drafter.draft(positiveAi), drafter.draft(positiveAi)]);
    expect(outs.every((o) => o.ok)).toBe(true);
    expect(server.peakConcurrency).toBe(2);
    expect(drafter.usage.calls).toBe(2);
    expect(drafter.usage.inputTokens).toBe(outs.reduce((n, o) => n + (o.ok ? o.value.inputTokens : 0), 0));
  });

  it('ends hung requests when the server closes', async () => {
    server.setHandler(() => ({ hang: true }));
    const pending = createLlmDrafter(settings({ maxRetries: 0 }), prompt, CATEGORIES).draft(positiveAi);
    while (server.calls === 0) await new Promise((r) => setTimeout(r, 10));
    await server.close();
    const out = await pending;
    expect(!out.ok && out.failure.kind).toBe('llm.http_error');
  });

  it('serves GET /v1/models', async () => {
    const res = await fetch(`${server.url}/models`);
    expect((await res.json()).data[0].id).toBe('test-model');
  });

  it('reports llm.not_configured without a model', async () => {
    const out = await createLlmDrafter(settings({ model: '' }), { ...prompt, model: null }, CATEGORIES).draft(positiveAi);
    expect(!out.ok && out.failure.kind).toBe('llm.not_configured');
    expect(server.calls).toBe(0);
  });
});
