/** extract/: page HTML -> article text and metadata, in worker threads with time and memory limits. */
export { createExtractor, type Extractor, type ExtractorOptions } from './pool.ts';
export {
  articleFromFeedContent,
  extractArticleSync,
  MAX_TEXT_BYTES,
  type Extraction,
  type ExtractLimits,
  type ExtractRequest,
  type RefusedArticle,
} from './extract.ts';
export { extractAnswer, extractFile, runExtractBatch, type BatchLine, type BatchSummary, type ExtractAnswer } from './batch.ts';
export { sanitizeArticleHtml } from './sanitize.ts';
export { MIN_TEXT_CHARS, SHORT_TEXT_WORDS, type GateVerdict } from './gate.ts';
