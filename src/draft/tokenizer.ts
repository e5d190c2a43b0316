/**
 * gpt-tokenizer, loaded the first time a token is counted. Loading it builds the encoding's
 * 200,000-entry rank tables (about half a second of CPU), which a run with nothing new to draft,
 * and every command that drafts nothing, never needs. It is required (its CommonJS build), not
 * imported, so that first count can stay a plain synchronous call.
 */
import { createRequire } from 'node:module';

type GptTokenizer = typeof import('gpt-tokenizer');

let loaded: GptTokenizer | null = null;

/** The tokenizer (o200k_base, gpt-tokenizer's default), loaded on first use. */
export function tokenizer(): GptTokenizer {
  if (!loaded) {
    loaded = createRequire(import.meta.url)('gpt-tokenizer') as GptTokenizer;
    // It memoizes each word's tokens, 100,000 words by default (~15 MB held for the whole run);
    // the words of news text repeat enough that a tenth keeps most of the speed.
    loaded.setMergeCacheSize(10_000);
  }
  return loaded;
}
