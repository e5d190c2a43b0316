/**
 * The LLM drafter: one structured chat call per article through the model's endpoint
 * (llm-endpoint.ts: the client, the run's call gate, error kinds), one repair attempt for bad
 * output, one halving of the article for a context that is too small, and every way an answer
 * can be wrong mapped to a FailureKind.
 */
import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { fail, ok, type Failure, type Outcome } from '../core/failure.ts';
import type { Draft, DraftInput } from '../core/types.ts';
import { createChatEndpoint, estimateTokens, type Answer, type CallGate, type ChatEndpoint, type LlmUsage } from './llm-endpoint.ts';
import { renderPrompt, type Prompt, type RenderedPrompt } from './prompt.ts';
import { describeIssues, draftSchemaFor, responseFormatFor, type ModelDraft } from './schema.ts';
import { firstAttempt, nextAttempt, type AttemptAnswer } from './attempt.ts';
import type { Source } from './grounding.ts';
import { checkStory, readingMinutesOf, type CheckedStory } from './story.ts';

export type { CallGate, LlmUsage } from './llm-endpoint.ts';

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
  /** Retries for 5xx, 408 and connection resets (e.g. 2); 429s are the call gate's. */
  maxRetries: number;
  /** Token budget for the article text (e.g. 6000). */
  maxInputTokens: number;
  /**
   * The model's context window in tokens, when known (a local model's num_ctx): the article's
   * budget then also leaves room for the prompt and the answer in it.
   */
  contextTokens?: number;
  /** Base of the jittered exponential backoff; default 500 ms. */
  retryBaseMs?: number;
}

/** An article with nothing in it: what the prompt costs around no text at all. */
const EMPTY_INPUT: DraftInput = { title: '', url: '', text: '', siteName: null, feedName: null, readingMinutes: 0 };

/** A drafter bound to one model, prompt and category list. */
export interface LlmDrafter {
  draft(input: DraftInput, signal?: AbortSignal): Promise<Outcome<Draft>>;
  /** Live: read it after (or during) a run. */
  usage: LlmUsage;
  /** Set when the settings cannot work at all (no model, a context too small for the prompt): checked before a run starts. */
  setupProblem: string | null;
  /**
   * Tokens of the smallest request a draft can make (the prompt around an empty article, and the
   * answer's cap), by our count. Counted on first call: counting loads the tokenizer, which a run
   * with nothing to draft never needs.
   */
  minRequestTokens(): number;
  /**
   * The first request of a draft, by our count, without sending it: the prompt around the article
   * (`input.text` cut to its budget; with `articleUnknown`, an article filling its budget) and the
   * answer's cap (max_output_tokens).
   */
  estimate(input: DraftInput, opts?: { articleUnknown?: boolean }): { inputTokens: number; outputTokens: number };
}

/** The server reported far fewer prompt tokens than we sent: it cut the input silently. */
const SERVER_TRUNCATION_RATIO = 0.5;
/** Below this estimate tokenizer differences dominate, so the silent-truncation check is skipped. */
const SERVER_TRUNCATION_MIN_TOKENS = 512;
const RAW_KEEP_CHARS = 20_000;
/** Part of llm.contextTokens kept free: other tokenizers count more tokens than ours, and json_object mode adds the schema. */
const CONTEXT_MARGIN = 0.1;
/** An article budget below this cannot make a useful draft: the context is too small. */
const MIN_ARTICLE_TOKENS = 500;

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

/** The server read far fewer prompt tokens than were sent: it cut the article silently (null: it did not). */
function serverCut(completion: ChatCompletion, promptEstimate: number): Failure | null {
  const reported = completion.usage?.prompt_tokens ?? 0;
  if (reported === 0 || promptEstimate < SERVER_TRUNCATION_MIN_TOKENS || reported >= promptEstimate * SERVER_TRUNCATION_RATIO) return null;
  return {
    kind: 'llm.input_truncated_by_server',
    message: `the server read ${reported} prompt tokens of about ${promptEstimate} sent: it cut the article silently; give the model a larger context (for Ollama, OLLAMA_CONTEXT_LENGTH) and set llm.contextTokens to it, or lower llm.maxInputTokens`,
    raw: keepRaw(completion.choices[0]?.message?.content ?? ''),
  };
}

/**
 * Creates a drafter; configuration problems surface as `setupProblem` and as `llm.not_configured`
 * from `draft()`, not as a throw. Each HTTP request goes through `gate` (the run's limiter).
 */
export function createLlmDrafter(settings: LlmSettings, prompt: Prompt, categories: string[], gate?: CallGate): LlmDrafter {
  const usage: LlmUsage = { calls: 0, inputTokens: 0, outputTokens: 0, rateLimited: 0 };
  const allowed = categories.length > 0 ? [...new Set(categories)] : ['Other'];
  const schema = draftSchemaFor(allowed);
  const responseFormat = responseFormatFor(allowed, prompt.schemaName);
  const model = settings.model || prompt.model || '';

  let setupProblem: string | null = model ? null : 'no model configured: set llm.model, or `model` in the prompt file';
  let endpoint: ChatEndpoint | null = null;
  if (!setupProblem) {
    const created = createChatEndpoint({ ...settings, model, temperature: prompt.temperature, jsonSchema: responseFormat }, usage, gate);
    if (created.ok) endpoint = created.value;
    else setupProblem = created.failure.message;
  }

  /** Tokens of the request without the article text, for the budget inside llm.contextTokens. */
  const promptWithoutArticle = (input: DraftInput) => estimateTokens(renderPrompt(prompt, { ...input, text: '' }, allowed, 0).messages);
  /** What llm.contextTokens leaves for the article after the prompt, the answer and the margin. */
  const contextRoom = (contextTokens: number, input: DraftInput) =>
    Math.floor(contextTokens * (1 - CONTEXT_MARGIN)) - promptWithoutArticle(input) - prompt.maxOutputTokens;

  if (!setupProblem && settings.contextTokens !== undefined) {
    const room = contextRoom(settings.contextTokens, EMPTY_INPUT);
    if (room < MIN_ARTICLE_TOKENS) {
      setupProblem =
        `llm.contextTokens ${settings.contextTokens} leaves ${Math.max(0, room)} tokens for the article: the prompt takes about ` +
        `${promptWithoutArticle(EMPTY_INPUT)}, the answer up to ${prompt.maxOutputTokens} (max_output_tokens in ${prompt.path}) and ` +
        `${CONTEXT_MARGIN * 100}% is kept free; give the model a larger context (for Ollama, OLLAMA_CONTEXT_LENGTH) and raise llm.contextTokens with it`;
    }
  }

  /** The article's token budget: llm.maxInputTokens, or less when the model's context is smaller. */
  const articleBudget = (input: DraftInput): number =>
    settings.contextTokens === undefined
      ? settings.maxInputTokens
      : Math.max(1, Math.min(settings.maxInputTokens, contextRoom(settings.contextTokens, input)));

  async function draft(input: DraftInput, signal?: AbortSignal): Promise<Outcome<Draft>> {
    if (setupProblem || !endpoint) return fail('llm.not_configured', setupProblem ?? 'the LLM is not configured');
    const started = performance.now();
    let rendered: RenderedPrompt = renderPrompt(prompt, input, allowed, articleBudget(input));
    let messages: ChatCompletionMessageParam[] = rendered.messages;
    let state = firstAttempt(prompt.maxOutputTokens);
    let inputTokens = 0;
    let outputTokens = 0;
    let last: Answer | null = null;
    for (;;) {
      const answer = await endpoint.complete(messages, state.maxTokens, signal);
      if (answer.ok) {
        last = answer.value;
        inputTokens += last.completion.usage?.prompt_tokens ?? 0;
        outputTokens += last.completion.usage?.completion_tokens ?? 0;
      }
      const next = nextAttempt(state, attemptAnswer(answer, { title: input.title, text: rendered.articleText }));
      if (next.action === 'fail') return { ok: false, failure: next.failure };
      // A story is only kept after an answer (this one): the model and format are the last answer's.
      if (next.action === 'done') return ok(toDraft(next.story, last!, rendered, { inputTokens, outputTokens, latencyMs: Math.round(performance.now() - started) }));
      state = next.state;
      if (next.action === 'halve') {
        rendered = renderPrompt(prompt, input, allowed, Math.floor(rendered.articleTokens / 2));
        messages = rendered.messages;
      } else {
        messages = [...rendered.messages, ...next.turn];
      }
    }
  }

  /** The story kept, with its provenance: the last answer's model and format, and what the whole draft cost. */
  function toDraft(story: CheckedStory, last: Answer, rendered: RenderedPrompt, cost: { inputTokens: number; outputTokens: number; latencyMs: number }): Draft {
    return {
      ...story.content,
      engine: 'llm',
      model: last.completion.model || model,
      promptId: prompt.id,
      promptHash: prompt.hash,
      inputTokens: cost.inputTokens,
      outputTokens: cost.outputTokens,
      latencyMs: cost.latencyMs,
      inputTruncated: rendered.inputTruncated,
      readingMinutes: readingMinutesOf(story.content),
      // What still fails after the one repair turn is marked, and the story flagged for an editor.
      needsReview: story.failures.length > 0,
      responseFormat: last.responseFormat,
    };
  }

  /** One request's result as nextAttempt judges it: failed or cut by the server, rejected, or a story checked against the article sent. */
  function attemptAnswer(answer: Outcome<Answer>, source: Source): AttemptAnswer {
    if (!answer.ok) return { type: 'unanswered', failure: answer.failure };
    const { completion, promptEstimate } = answer.value;
    const cut = serverCut(completion, promptEstimate);
    if (cut) return { type: 'unanswered', failure: cut };
    const judged = judgeCompletion(completion, schema);
    if (!judged.ok) return { type: 'rejected', failure: judged.failure };
    return { type: 'story', story: checkStory(judged.value, source), content: completion.choices[0]?.message?.content ?? '' };
  }

  function estimate(input: DraftInput, opts: { articleUnknown?: boolean } = {}) {
    const inputTokens = opts.articleUnknown
      ? promptWithoutArticle(input) + articleBudget(input)
      : estimateTokens(renderPrompt(prompt, input, allowed, articleBudget(input)).messages);
    return { inputTokens, outputTokens: prompt.maxOutputTokens };
  }

  let minRequest: number | undefined;
  const minRequestTokens = () => (minRequest ??= promptWithoutArticle(EMPTY_INPUT) + prompt.maxOutputTokens);
  return { draft, usage, setupProblem, minRequestTokens, estimate };
}
