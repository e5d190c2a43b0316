/** extract/: page HTML -> article text and metadata, in worker threads with time and memory limits. */
export { createExtractor, type Extractor, type ExtractorOptions } from './pool.ts';
export {
  articleFromFeedContent,
  extractArticleSync,
  MAX_TEXT_BYTES,
  type ExtractLimits,
  type ExtractRequest,
} from './extract.ts';
export { extractFile, runExtractBatch, type BatchLine, type BatchSummary } from './batch.ts';
export { sanitizeArticleHtml } from './sanitize.ts';
export { MIN_TEXT_CHARS, SHORT_TEXT_WORDS } from './gate.ts';
