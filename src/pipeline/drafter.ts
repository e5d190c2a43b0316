import type { Config } from '../config/index.ts';
import type { Outcome } from '../core/failure.ts';
import type { Draft, DraftInput, Engine } from '../core/types.ts';
import { PipelineSetupError } from './errors.ts';

/** What the run drafts with: one engine, and the LLM usage so far (zeros for the offline engine). */
export interface Drafter {
  engine: Engine;
  draft(input: DraftInput, signal?: AbortSignal): Promise<Outcome<Draft>>;
  usage: { calls: number; inputTokens: number; outputTokens: number };
}

/**
 * The drafter for an engine, with its prompt file loaded (and checked) now, before any work
 * starts. Each engine's module is loaded only when used: the LLM client and tokenizer, or the
 * NLP model, each cost a second and tens of MB at start-up. Throws PipelineSetupError when the
 * LLM is asked for but not configured, or the prompt is broken.
 */
export async function drafterFor(config: Config, engine: Engine): Promise<Drafter> {
  const categories = [...config.categories];
  if (engine === 'extractive') {
    const { draftExtractive } = await import('../draft/extractive.ts');
    return {
      engine,
      draft: async (input) => ({ ok: true, value: draftExtractive(input, categories) }),
      usage: { calls: 0, inputTokens: 0, outputTokens: 0 },
    };
  }
  if (!config.llmConfigured) {
    throw new PipelineSetupError('no LLM is configured: set llm.baseURL in the config or OPENAI_API_KEY');
  }
  const { loadPrompt } = await import('../draft/prompt.ts');
  const prompt = loadPrompt(config.promptPath);
  if (!prompt.ok) throw new PipelineSetupError(prompt.failure.message);
  const { createLlmDrafter } = await import('../draft/llm.ts');
  const llm = createLlmDrafter(
    {
      baseURL: config.llm.baseURL,
      apiKey: config.apiKey,
      model: config.llm.model,
      timeoutMs: config.llm.timeoutSeconds * 1000,
      maxRetries: config.llm.maxRetries,
      retryAfterCapMs: config.llm.retryAfterCapSeconds * 1000,
      maxInputTokens: config.llm.maxInputTokens,
    },
    prompt.value,
    categories,
  );
  return { engine, draft: (input, signal) => llm.draft(input, signal), usage: llm.usage };
}
