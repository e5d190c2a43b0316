/**
 * The pure core of extraction: page bytes in, an Article (or a typed failure) out, on the calling
 * thread. createExtractor runs this inside worker threads; tests and the worker call it directly.
 */
import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import { fail, ok, type Outcome } from '../core/failure.ts';
import type { Article, ExtractionMethod } from '../core/types.ts';
import { readPageMetadata, type PageMetadata } from './metadata.ts';
import { sanitizeArticleHtml } from './sanitize.ts';
import { blockText, collapseWhitespace, countWords } from './text.ts';

/** What to extract: the page as fetched, plus the feed's own copy of the story as a fallback. */
export interface ExtractRequest {
  /** The page's raw bytes, undecoded, so the charset is sniffed the way a browser would. */
  html: Uint8Array;
  url: string;
  /** The HTTP Content-Type header, whose charset parameter wins over <meta charset>. */
  contentType?: string | null;
  /** The feed's own HTML content for this item, used when the page yields less. */
  feedContent?: string | null;
  feedTitle?: string | null;
}

/** Limits for one page; createExtractor passes its options through. */
export interface ExtractLimits {
  /** Pages over this many bytes are refused before parsing (default 5 MB). */
  maxHtmlBytes?: number;
  /** Readability gives up above this many elements (default 20,000). */
  maxElements?: number;
  /** Deeper element nesting than this is refused (default 400): Readability's time grows faster than n^2 with depth. */
  maxDepth?: number;
}

export const DEFAULT_MAX_HTML_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_ELEMENTS = 20_000;
export const DEFAULT_MAX_DEPTH = 400;
/** Less readable text than this is a teaser, a consent wall or a JS-only shell, not an article. */
export const MIN_TEXT_CHARS = 200;
/** At this many words the text is taken to be the whole story (full confidence for its method). */
const FULL_STORY_WORDS = 250;
/** Where <meta charset> is looked for when the Content-Type names none (the spec's prescan stops at 1 KB). */
const CHARSET_SCAN_BYTES = 64 * 1024;

interface Candidate {
  method: ExtractionMethod;
  text: string;
  html: string | null;
}

/** Extracts the article from a fetched page, falling back to the feed's content (see ExtractRequest). */
export function extractArticleSync(req: ExtractRequest, limits: ExtractLimits = {}): Outcome<Article> {
  const maxBytes = limits.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES;
  if (req.html.byteLength > maxBytes) {
    return fail('extract.too_large', `page is ${req.html.byteLength} bytes, over the ${maxBytes}-byte limit; not parsed`);
  }
  const feed = feedCandidate(req.feedContent, req.url);
  const parsed = readPageSafely(req, limits);
  const page = 'failure' in parsed ? null : parsed;
  const pageFailure = 'failure' in parsed ? parsed.failure : null;

  const pageBest = page ? bestPageCandidate(page) : null;
  // The page wins ties; the feed's copy only when the page yields less of the story (or nothing).
  const best = pageBest?.text && (!feed || pageBest.text.length >= feed.text.length) ? pageBest : feed?.text ? feed : null;

  if (!best || best.text.length < MIN_TEXT_CHARS) {
    if (pageFailure) return pageFailure; // why the page failed says more than "empty"
    return fail(
      'extract.empty',
      `no readable article text: the page gave ${pageBest?.text.length ?? 0} chars, the feed content ` +
        `${feed?.text.length ?? 0} chars (minimum ${MIN_TEXT_CHARS}); likely a teaser, paywall, consent wall or JS-only page`,
    );
  }
  const meta = page?.meta;
  return ok(
    buildArticle(best, {
      title: page?.title ?? meta?.ogTitle ?? meta?.titleTag ?? clean(req.feedTitle),
      byline: page?.byline ?? meta?.byline ?? null,
      siteName: page?.siteName ?? meta?.siteName ?? null,
      publishedTime: page?.publishedTime ?? meta?.publishedTime ?? null,
      lang: page?.lang ?? meta?.lang ?? null,
      leadImage: meta?.leadImage ?? null,
    }),
  );
}

/**
 * Parses the page and runs Readability, turning every way a hostile page can fail into a typed
 * failure. The window is closed whatever happens.
 */
function readPageSafely(req: ExtractRequest, limits: ExtractLimits): PageResult | { failure: Outcome<Article> } {
  const maxElements = limits.maxElements ?? DEFAULT_MAX_ELEMENTS;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  // jsdom needs hundreds of MB and seconds for 200,000 elements before Readability's own count could
  // refuse them; counting start tags in the bytes refuses such pages at once. The margin allows for
  // markup inside scripts and comments, which is not parsed into elements.
  const startTags = countStartTags(req.html);
  if (startTags > maxElements * 2) {
    return { failure: fail('extract.too_large', `page has about ${startTags} tags, over the ${maxElements}-element limit; not parsed`) };
  }
  let dom: JSDOM | null = null;
  try {
    dom = new JSDOM(req.html, {
      url: req.url,
      contentType: htmlContentType(req.contentType, req.html),
      virtualConsole: new VirtualConsole(), // quiet: page CSS and markup errors are not ours to log
    });
    const depth = nestingDepth(dom.window.document.documentElement);
    if (depth > maxDepth) {
      return { failure: fail('extract.too_large', `page nests elements ${depth} deep, over the limit of ${maxDepth}; not extracted`) };
    }
    return readPage(dom.window.document, req.url, maxElements);
  } catch (err) {
    return { failure: pageFailureFrom(err) };
  } finally {
    dom?.window.close(); // jsdom keeps every window alive otherwise (~4 MB a page)
  }
}

/** Readability's element cap and a blown stack (absurd nesting) mean the page is too big; the rest is a failure. */
function pageFailureFrom(err: unknown): Outcome<Article> {
  const message = err instanceof Error ? err.message : String(err);
  if (/Aborting parsing document/.test(message)) {
    return fail('extract.too_large', `page has too many elements to extract (${message})`);
  }
  if (err instanceof RangeError && /call stack/i.test(message)) {
    return fail('extract.too_large', 'page is nested too deeply to extract (stack overflow)');
  }
  return fail('extract.failed', `extraction threw on this page: ${message}`);
}

/** Builds an Article from a feed item's own HTML content, for items whose page is not fetched. */
export function articleFromFeedContent(html: string, url: string, title?: string | null): Outcome<Article> {
  const feed = feedCandidate(html, url);
  if (!feed || feed.text.length < MIN_TEXT_CHARS) {
    return fail(
      'extract.empty',
      `the feed content has ${feed?.text.length ?? 0} chars of text (minimum ${MIN_TEXT_CHARS}); fetch the page instead`,
    );
  }
  return ok(
    buildArticle(feed, {
      title: clean(title), byline: null, siteName: null, publishedTime: null, lang: null, leadImage: null,
    }),
  );
}

type ArticleMeta = Pick<Article, 'title' | 'byline' | 'siteName' | 'publishedTime' | 'lang' | 'leadImage'>;

function buildArticle(best: Candidate, meta: ArticleMeta): Article {
  const wordCount = countWords(best.text);
  return {
    ...meta,
    text: best.text,
    html: best.html,
    wordCount,
    readingMinutes: Math.max(1, Math.round(wordCount / 230)),
    method: best.method,
    confidence: confidenceFor(best.method, wordCount),
  };
}

/** A simple prior: Readability and JSON-LD on a long text are usually the whole story; feed content often is not. */
function confidenceFor(method: ExtractionMethod, words: number): number {
  const length = Math.min(1, words / FULL_STORY_WORDS);
  const [floor, ceiling] = method === 'jsonld' ? [0.5, 0.95] : method === 'readability' ? [0.4, 0.9] : [0.3, 0.6];
  return Math.round((floor + (ceiling - floor) * length) * 100) / 100;
}

interface PageResult {
  meta: PageMetadata;
  title: string | null;
  byline: string | null;
  siteName: string | null;
  publishedTime: string | null;
  lang: string | null;
  readability: Candidate | null;
  jsonLd: Candidate | null;
}

function readPage(doc: Document, url: string, maxElements: number): PageResult {
  const meta = readPageMetadata(doc, url);
  const jsonLd = meta.jsonLdBody ? textCandidate('jsonld', meta.jsonLdBody, url) : null;
  const parsed = new Readability(doc, { maxElemsToParse: maxElements, serializer: (node: Node) => node }).parse();
  const content = parsed?.content as Element | null | undefined;
  return {
    meta,
    title: clean(parsed?.title),
    byline: clean(parsed?.byline)?.replace(/^by\s+/i, '').slice(0, 200) ?? null,
    siteName: clean(parsed?.siteName),
    publishedTime: parsed?.publishedTime ? (isoOrNull(parsed.publishedTime) ?? meta.publishedTime) : null,
    lang: normalizeLang(parsed?.lang) ?? normalizeLang(meta.lang),
    readability: content
      ? { method: 'readability', text: blockText(content), html: sanitizeArticleHtml(content.innerHTML) }
      : null,
    jsonLd,
  };
}

/**
 * JSON-LD articleBody is the publisher's own clean copy (no ads, captions or share labels). It wins
 * when it is about as long as what Readability found, or when it is the same story minus extras: at
 * least half as long, with its paragraphs found in Readability's text. A much shorter body is a teaser.
 * It is text only, so the HTML for display still comes from Readability when there is one.
 */
function bestPageCandidate(page: PageResult): Candidate | null {
  const { readability, jsonLd } = page;
  if (!jsonLd || jsonLd.text.length < MIN_TEXT_CHARS) return readability;
  const useJsonLd =
    !readability ||
    jsonLd.text.length >= readability.text.length * 0.9 ||
    (jsonLd.text.length >= readability.text.length * 0.5 && sharedParagraphs(jsonLd.text, readability.text) >= 0.8);
  return useJsonLd ? { ...jsonLd, html: readability?.html ?? jsonLd.html } : readability;
}

/** The share of `text`'s paragraphs that appear word for word in `other`. */
function sharedParagraphs(text: string, other: string): number {
  const paragraphs = text.split('\n\n');
  return paragraphs.filter((p) => other.includes(p)).length / paragraphs.length;
}

/** Text (and sanitized HTML) from an HTML fragment, parsed in its own throwaway window. */
function textCandidate(method: ExtractionMethod, fragment: string, url: string): Candidate {
  const dom = new JSDOM('', { url, virtualConsole: new VirtualConsole() });
  try {
    const body = dom.window.document.body;
    const looksLikeHtml = /<[a-z][\s\S]*>/i.test(fragment);
    if (looksLikeHtml) body.innerHTML = fragment;
    else {
      // Plain text: blank lines (or single newlines, as many CMSs emit) are paragraph breaks.
      for (const para of fragment.split(/\n\s*\n|\r?\n/)) {
        const p = dom.window.document.createElement('p');
        p.textContent = para;
        body.appendChild(p);
      }
    }
    return { method, text: blockText(body), html: sanitizeArticleHtml(body.innerHTML) };
  } finally {
    dom.window.close();
  }
}

function feedCandidate(feedContent: string | null | undefined, url: string): Candidate | null {
  return feedContent && feedContent.trim() ? textCandidate('feed', feedContent, url) : null;
}

function clean(value: string | null | undefined): string | null {
  return value ? collapseWhitespace(value) || null : null;
}

function isoOrNull(value: string): string | null {
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** "en_US" (og:locale) and "EN-us" become "en-US". */
function normalizeLang(value: string | null | undefined): string | null {
  const match = value?.trim().match(/^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z0-9]{2,8}))?/);
  if (!match) return null;
  return match[2] ? `${match[1]!.toLowerCase()}-${match[2].length === 2 ? match[2].toUpperCase() : match[2]}` : match[1]!.toLowerCase();
}

/**
 * The Content-Type jsdom should parse with. Only the charset is taken from the header (jsdom refuses
 * non-HTML types). With no charset there, a <meta charset> anywhere in the first 64 KB is honoured:
 * browsers re-decode when they meet one after the 1 KB prescan, and jsdom does not.
 */
function htmlContentType(header: string | null | undefined, bytes: Uint8Array): string {
  const headerCharset = header?.match(/charset\s*=\s*["']?([\w.:-]+)/i)?.[1];
  const charset = headerCharset ?? metaCharset(bytes);
  return charset ? `text/html; charset=${charset}` : 'text/html';
}

function metaCharset(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, CHARSET_SCAN_BYTES))
    .toString('latin1');
  const label =
    head.match(/<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i)?.[1] ?? null;
  if (!label) return null;
  // The HTML spec: a meta that claims UTF-16 is read as UTF-8 (the bytes were ASCII-compatible to get here).
  return /^utf-?16/i.test(label) ? 'utf-8' : label;
}

/** Counts '<' followed by a letter: an upper bound on the elements a parser would build. */
function countStartTags(bytes: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] === 0x3c) {
      const next = bytes[i + 1]! | 0x20; // ASCII lower-case
      if (next >= 0x61 && next <= 0x7a) count++;
    }
  }
  return count;
}

/** The deepest element nesting under `root`, walked without recursion. */
function nestingDepth(root: Element): number {
  let deepest = 0;
  const stack: Array<[Element, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [el, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    for (const child of el.children) stack.push([child, depth + 1]);
  }
  return deepest;
}
