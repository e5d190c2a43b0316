import { DetectError, ParseError, parseFeed as feedsmithParse, parseJsonFeed } from 'feedsmith';
import { fail, ok, type Outcome } from '../core/failure.ts';
import type { ParsedFeed } from '../core/types.ts';
import { decodeFeedBytes } from './decode.ts';
import { parseWithRssParser } from './fallback.ts';
import { MAX_FEED_BYTES, MAX_XML_DEPTH, describeNonFeed, formatFromRoot, xmlDepthExceeds } from './guard.ts';
import { normalizeFeed, rawFromFeedsmith, type RawFeed } from './normalize.ts';

/** Options for parseFeed. How many items a run takes is the run's decision: the parser returns all. */
export interface ParseOptions {
  /** The clock for clamping future dates (tests pin it). */
  now?: Date;
}

const errorText = (err: unknown): string => {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : null;
  return cause ?? (err instanceof Error ? err.message : String(err));
};

/**
 * Parses a feed body (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1) into normalized items.
 * feedsmith reads it first; documents it finds malformed get a second chance with rss-parser.
 * Never expands entities or fetches DTDs. Fails with parse.empty_body, parse.not_a_feed or
 * parse.invalid_xml; `feedUrl` is the base for relative links.
 */
export async function parseFeed(
  bytes: Uint8Array,
  feedUrl: string | null,
  contentType?: string | null,
  opts: ParseOptions = {},
): Promise<Outcome<ParsedFeed>> {
  const now = opts.now ?? new Date();
  if (bytes.length > MAX_FEED_BYTES) {
    return fail('parse.too_large', `The feed is ${(bytes.length / 1048576).toFixed(1)} MB, over the ${MAX_FEED_BYTES / 1048576} MB limit: ask the publisher for a shorter feed`);
  }
  const text = decodeFeedBytes(bytes, contentType).replace(/^\uFEFF/, '');
  if (!text.trim()) return fail('parse.empty_body', 'The URL returned an empty body: check the feed URL, or try again later');

  if (!/^\s*[{[]/.test(text) && xmlDepthExceeds(text, MAX_XML_DEPTH)) {
    return fail('parse.invalid_xml', `The feed nests elements more than ${MAX_XML_DEPTH} deep, which no real feed does: it was not parsed`);
  }

  const warnings: string[] = [];
  const raw = await readDocument(text, feedUrl, warnings);
  if (!raw.ok) return raw;
  const unread = looksLikeJson(text) ? 0 : countXmlItems(text) - raw.value.items.length;
  if (unread > 0) warnings.push(`${unread} item(s) dropped: no link, id, title, date or content the parser could read`);
  return ok(normalizeFeed(raw.value, now, warnings));
}

const looksLikeJson = (text: string): boolean => /^\s*[{[]/.test(text);

/**
 * The <item> and <entry> elements of an XML feed, counted on the text: the parser silently skips
 * the ones with nothing in them it knows, and the operator should hear about it. A warning's
 * estimate, so a plain scan is enough (an escaped tag inside content is not an element).
 */
function countXmlItems(text: string): number {
  return text.match(/<(item|entry)[\s>/]/g)?.length ?? 0;
}

/**
 * The document as a RawFeed: feedsmith first, then the lenient readers for what it refuses.
 * What was forgiven goes to `warnings`.
 */
async function readDocument(text: string, feedUrl: string | null, warnings: string[]): Promise<Outcome<RawFeed>> {
  const isJson = /^\s*[{[]/.test(text);
  try {
    return ok(rawFromFeedsmith(feedsmithParse(text), feedUrl));
  } catch (err) {
    if (err instanceof DetectError) {
      const lenient = isJson ? readNonstandardJsonFeed(text, feedUrl) : null;
      if (!lenient) {
        return fail('parse.not_a_feed', describeNonFeed(text) ?? "The document is not RSS, Atom or a JSON Feed: check that the URL is the site's feed");
      }
      warnings.push('the JSON Feed has no jsonfeed.org version URL; read it as JSON Feed 1.1');
      return ok(lenient);
    }
    if (err instanceof ParseError) {
      // feedsmith recognised the format but found no channel or items to read: an empty feed.
      warnings.push(`the feed has no readable channel or items (${errorText(err)})`);
      return ok({ format: formatFromRoot(text), title: null, link: null, base: feedUrl, ttlMinutes: null, items: [] });
    }
    const fallback = isJson ? null : await parseWithRssParser(text, feedUrl);
    if (!fallback) {
      const what = isJson ? 'valid JSON' : 'well-formed XML';
      return fail('parse.invalid_xml', `The feed is not ${what} (${errorText(err)}): the publisher must fix it`);
    }
    warnings.push(`the feed is not well-formed XML (${errorText(err)}); read it leniently`);
    return ok(fallback);
  }
}

/**
 * JSON with an `items` array but a version like "1.1" instead of the jsonfeed.org URL: common
 * enough (gofeed's fixtures are all like this) to read as JSON Feed rather than reject.
 */
function readNonstandardJsonFeed(text: string, feedUrl: string | null): RawFeed | null {
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== 'object' || json === null || !Array.isArray((json as { items?: unknown }).items)) return null;
    const feed = parseJsonFeed({ ...json, version: 'https://jsonfeed.org/version/1.1' });
    return rawFromFeedsmith({ format: 'json', feed }, feedUrl);
  } catch {
    return null;
  }
}
