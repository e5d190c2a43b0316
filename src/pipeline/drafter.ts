import type { Config } from '../config/index.ts';
import { createLlmDrafter, loadPrompt, type LlmDrafter } from '../draft/index.ts';

/** The prompt or another part of the setup is unusable: nothing was done. */
export class PipelineSetupError extends Error {}

/**
 * The LLM drafter the config asks for, with its prompt file loaded (and checked) now, before any
 * work starts. Throws PipelineSetupError when no LLM is configured or the prompt is broken.
 */
export function llmDrafterFor(config: Config): LlmDrafter {
  if (!config.llmConfigured) {
    throw new PipelineSetupError('no LLM is configured: set llm.baseURL in the config or OPENAI_API_KEY');
  }
  const prompt = loadPrompt(config.promptPath);
  if (!prompt.ok) throw new PipelineSetupError(prompt.failure.message);
  return createLlmDrafter(
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
    [...config.categories],
  );
}
