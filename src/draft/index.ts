/** The draft stage: prompt files, the LLM drafter, the offline extractive drafter, the grounding check. */
export { loadPrompt, renderPrompt, truncateToTokens, hash16, type Prompt, type RenderedPrompt, type ChatMessage } from './prompt.ts';
export { createLlmDrafter, type CallGate, type LlmSettings, type LlmUsage, type LlmDrafter } from './llm.ts';
export { draftExtractive, estimateFraming, pickCategory, EXTRACTIVE_ENGINE_VERSION } from './extractive.ts';
export { checkGrounding, normalizeForGrounding } from './grounding.ts';
export { DraftSchema, draftSchemaFor, LIMITS, FRAMING_VERDICTS, type ModelDraft } from './schema.ts';
