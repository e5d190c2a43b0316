import type { Config } from '../config/index.ts';
import type { Outcome } from '../core/failure.ts';
import type { Draft, DraftInput, Engine } from '../core/types.ts';
import type { CallGate } from '../draft/llm.ts';
import type { TokenBudget } from './budget.ts';
import { PipelineSetupError } from './errors.ts';
import { createLlmLimiter, type LlmLimiter } from './llm-limiter.ts';

/** What the run drafts with: one engine, and the LLM usage so far (zeros for the offline engine). */
export interface Drafter {
  engine: Engine;
  draft(input: DraftInput, signal?: AbortSignal): Promise<Outcome<Draft>>;
  /** `rateLimited`: requests the provider answered 429 (paced and sent again by the limiter). */
  usage: { calls: number; inputTokens: number; outputTokens: number; rateLimited: number };
  /** Tokens of the smallest request a draft makes (0 offline): below this, a token budget is spent. */
  minRequestTokens(): number;
  /**
   * Loads what the first draft needs ahead of it (the LLM's tokenizer: ~0.4 s of CPU), so a run
   * can do that while its first pages are fetched and extracted rather than after.
   */
  prepare(): void;
  /** A draft's first request by our count, sent nowhere (zeros offline); see LlmDrafter.estimate. */
  estimate(input: DraftInput, opts?: { articleUnknown?: boolean }): { inputTokens: number; outputTokens: number };
}

/**
 * The drafter for an engine, with its prompt file loaded (and checked) now, before any work
 * starts. Each engine's module is loaded only when used: the LLM client and tokenizer, or the
 * NLP model, each cost a second and tens of MB at start-up. Throws PipelineSetupError when the
 * LLM is asked for but not configured, or the prompt is broken.
 *
 * Every request of an LLM drafter goes through one limiter made here, so everything that drafts
 * (run, redraft) keeps llm.concurrency and the per-minute limits, and backs off on 429s.
 */
export interface DrafterOptions {
  /**
   * Awaited before each LLM request leaves, once the limiter lets it go. The run confirms there
   * that it still holds its lease: a process stopped past its lease learns it lost the lease and
   * aborts the request's signal, so the request is never sent.
   */
  beforeRequest?: () => Promise<void>;
  /**
   * The run's token budget (llm.maxTokensPerRun, llm.maxTokensPerDay): each request reserves its
   * estimate once the limiter lets it go, or is refused (llm.budget) without being sent.
   */
  budget?: TokenBudget;
}

export async function drafterFor(config: Config, engine: Engine, opts: DrafterOptions = {}): Promise<Drafter> {
  const categories = [...config.categories];
  if (engine === 'extractive') {
    const { draftExtractive } = await import('../draft/extractive.ts');
    return {
      engine,
      draft: async (input) => ({ ok: true, value: draftExtractive(input, categories) }),
      usage: { calls: 0, inputTokens: 0, outputTokens: 0, rateLimited: 0 },
      minRequestTokens: () => 0,
      prepare: () => {},
      estimate: () => ({ inputTokens: 0, outputTokens: 0 }),
    };
  }
  if (!config.llmConfigured) {
    throw new PipelineSetupError('no LLM is configured: set llm.baseURL in the config or OPENAI_API_KEY');
  }
  const { loadPrompt } = await import('../draft/prompt.ts');
  const prompt = loadPrompt(config.promptPath);
  if (!prompt.ok) throw new PipelineSetupError(prompt.failure.message);
  const { createLlmDrafter } = await import('../draft/llm.ts');
  const limiter = createLlmLimiter({
    concurrency: config.llm.concurrency,
    requestsPerMinute: config.llm.requestsPerMinute,
    tokensPerMinute: config.llm.tokensPerMinute,
    retryAfterCapMs: config.llm.retryAfterCapSeconds * 1000,
  });
  const llm = createLlmDrafter(
    {
      baseURL: config.llm.baseURL,
      apiKey: config.apiKey,
      model: config.llm.model,
      timeoutMs: config.llm.timeoutSeconds * 1000,
      maxRetries: config.llm.maxRetries,
      maxInputTokens: prompt.value.maxInputTokens ?? config.llm.maxInputTokens,
      contextTokens: config.llm.contextTokens,
    },
    prompt.value,
    categories,
    checkedFirst(limiter, opts),
  );
  if (llm.setupProblem) throw new PipelineSetupError(llm.setupProblem);
  return {
    engine,
    draft: (input, signal) => llm.draft(input, signal),
    usage: llm.usage,
    minRequestTokens: llm.minRequestTokens,
    // Counting the smallest request loads the tokenizer (and keeps the count for the budget).
    prepare: () => void llm.minRequestTokens(),
    estimate: llm.estimate,
  };
}

/**
 * The limiter, with the run's checks at the start of each call it lets go: the lease, then the
 * token budget, whose reservation the call's real usage replaces when it comes back.
 */
function checkedFirst(limiter: LlmLimiter, opts: DrafterOptions): CallGate {
  return {
    run: (estimatedTokens, task, call) =>
      limiter.run(
        estimatedTokens,
        async () => {
          await opts.beforeRequest?.();
          const budget = opts.budget;
          if (!budget) return task();
          const refusal = budget.reserve(estimatedTokens);
          if (refusal) return call.refused(refusal);
          let used = 0;
          try {
            const result = await task();
            used = call.tokensUsed(result);
            return result;
          } finally {
            budget.settle(estimatedTokens, used);
          }
        },
        call,
      ),
  };
}
