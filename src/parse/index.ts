/** parse/: feed bytes to normalized items, item keys and canonical URLs. */
export { parseFeed, type ParseOptions } from './parse-feed.ts';
export { canonicalUrl } from './url.ts';
export { itemKey } from './key.ts';
export { decodeFeedBytes } from './decode.ts';
