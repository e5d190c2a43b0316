/** extract/: page HTML -> article text and metadata, in worker threads with time and memory limits. */
export { createExtractor, type Extractor, type ExtractorOptions } from './pool.ts';
export {
  articleFromFeedContent,
  extractArticleSync,
  MIN_TEXT_CHARS,
  type ExtractLimits,
  type ExtractRequest,
} from './extract.ts';
export { sanitizeArticleHtml } from './sanitize.ts';
