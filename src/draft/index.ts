/** The draft stage: prompt files, the LLM drafter, the offline extractive drafter, the grounding check. */
export { loadPrompt, renderPrompt, truncateToTokens, hash16, type Prompt, type RenderedPrompt, type ChatMessage } from './prompt.ts';
export { createLlmDrafter, type CallGate, type LlmSettings, type LlmUsage, type LlmDrafter } from './llm.ts';
export { draftExtractive, explainExtractive, offlineFraming, pickCategory, EXTRACTIVE_ENGINE_VERSION } from './extractive.ts';
export { checkGrounding, groundQuote, locateQuote, indexSource, findClaims, claimsMissingFromQuote, claimsMissingFromSource, normalizeForGrounding, tokenize, MIN_QUOTE_WORDS, type Source } from './grounding.ts';
export { checkStory, checkAgainstSource, readingMinutesOf, repairRequest } from './story.ts';
export { DraftSchema, draftSchemaFor, responseFormatFor, wireJsonSchema, rubricProblems, LIMITS, FRAMING_VERDICTS, RECOMMENDATIONS, SCORE_BANDS, ALLOWED_RECOMMENDATIONS, type ModelDraft } from './schema.ts';
