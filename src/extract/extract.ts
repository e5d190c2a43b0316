/**
 * The pure core of extraction: page bytes in, an Article (or a typed failure) out, on the calling
 * thread. createExtractor runs this inside worker threads; tests and the worker call it directly.
 */
import { escapeText } from 'entities';
import { Readability } from '@mozilla/readability';
import { fail, ok, type Failure, type Outcome } from '../core/failure.ts';
import type { Article, ExtractionMethod } from '../core/types.ts';
import { cleanContentDom, cleanParagraphs, removePageCaptions, type CleanRule } from './clean.ts';
import { gateText, MarkupSignals, MIN_TEXT_CHARS, pageSignals, type GateVerdict, type PageSignals } from './gate.ts';
import { decodeHtml, PageTooLargeError, parsePage, type ParsedPage } from './dom.ts';
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
  /** Pages with more elements than this are refused as too large (default 20,000). */
  maxElements?: number;
  /** Deeper element nesting than this is refused (default 400): Readability's time grows faster than n^2 with depth. */
  maxDepth?: number;
  /** Cleaning rules to leave out (see clean.ts); for measuring what each rule buys, not for production. */
  skipRules?: readonly CleanRule[];
}

export const DEFAULT_MAX_HTML_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_ELEMENTS = 20_000;
export const DEFAULT_MAX_DEPTH = 400;
/** Extracted text is stored up to this many UTF-8 bytes (cut at a paragraph boundary). */
export const MAX_TEXT_BYTES = 200 * 1024;
/** At this many words the text is taken to be the whole story (full confidence for its method). */
const FULL_STORY_WORDS = 250;

/**
 * What extraction gives: an article, or a typed failure. When the failure is the quality gate's, the
 * refused text comes with it (`refused`), so a caller that shows text (`aiwins extract`) still has it;
 * the pipeline reads only the failure, so a refused page is never drafted. It is an Outcome<Article>.
 */
export type Extraction =
  | { ok: true; value: Article }
  | { ok: false; failure: Failure; refused?: RefusedArticle };

/** The text the gate refused, as an Article, with the gate's verdict. */
export interface RefusedArticle {
  gate: GateVerdict;
  article: Article;
}

interface Candidate {
  method: ExtractionMethod;
  text: string;
  html: string | null;
}

/** Extracts the article from a fetched page, falling back to the feed's content (see ExtractRequest). */
export function extractArticleSync(req: ExtractRequest, limits: ExtractLimits = {}): Extraction {
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

  const source =
    `the page gave ${pageBest?.text.length ?? 0} chars` + (feed ? `, the feed content ${feed.text.length} chars` : ', no feed content');
  const refusal = gateText(best?.text ?? null, best !== null && best !== feed, page?.signals ?? null, source);
  if (!best?.text || (refusal && pageFailure && best.text.length < MIN_TEXT_CHARS)) {
    // Why the page failed says more than "too short"; with no text at all there is nothing to hand back.
    if (pageFailure) return pageFailure;
    return refusal ? { ok: false, failure: refusal.failure } : fail('extract.empty', `no readable article text: ${source}`);
  }
  const meta = page?.meta;
  const article = buildArticle(best, page?.signals.paywallMarkup ?? false, {
    title: page?.title ?? meta?.ogTitle ?? meta?.titleTag ?? clean(req.feedTitle),
    byline: page?.byline ?? meta?.byline ?? null,
    siteName: page?.siteName ?? meta?.siteName ?? null,
    publishedTime: page?.publishedTime ?? meta?.publishedTime ?? null,
    lang: page?.lang ?? meta?.lang ?? null,
    leadImage: meta?.leadImage ?? null,
  });
  return refusal ? { ok: false, failure: refusal.failure, refused: { gate: refusal.verdict, article } } : ok(article);
}

/**
 * Parses the page and runs Readability, turning every way a hostile page can fail into a typed
 * failure.
 */
function readPageSafely(req: ExtractRequest, limits: ExtractLimits): PageResult | { failure: Outcome<Article> } {
  const maxElements = limits.maxElements ?? DEFAULT_MAX_ELEMENTS;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  // Counting start tags in the bytes refuses a page of 200,000 elements before any parser sees it. The
  // margin allows for markup inside scripts and comments, which is not parsed into elements.
  const startTags = countStartTags(req.html);
  if (startTags > maxElements * 2) {
    return { failure: fail('extract.too_large', `page has about ${startTags} tags, over the ${maxElements}-element limit; not parsed`) };
  }
  try {
    const html = decodeHtml(req.html, req.contentType);
    const markup = new MarkupSignals();
    const page = parsePage(html, req.url, { maxElements, maxDepth }, markup.visit);
    return readPage(page, html, markup, req.url, maxElements, new Set(limits.skipRules ?? []));
  } catch (err) {
    return { failure: pageFailureFrom(err) };
  }
}

/** Readability's element cap and a blown stack (absurd nesting) mean the page is too big; the rest is a failure. */
function pageFailureFrom(err: unknown): Outcome<Article> {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof PageTooLargeError) return fail('extract.too_large', message);
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
    buildArticle(feed, false, {
      title: clean(title), byline: null, siteName: null, publishedTime: null, lang: null, leadImage: null,
    }),
  );
}

type ArticleMeta = Pick<Article, 'title' | 'byline' | 'siteName' | 'publishedTime' | 'lang' | 'leadImage'>;

function buildArticle(best: Candidate, paywallMarkup: boolean, meta: ArticleMeta): Article {
  const text = capText(best.text, MAX_TEXT_BYTES);
  const wordCount = countWords(text);
  return {
    ...meta,
    text,
    html: best.html,
    wordCount,
    readingMinutes: Math.max(1, Math.round(wordCount / 230)),
    method: best.method,
    confidence: confidenceFor(best.method, wordCount, paywallMarkup),
  };
}

/**
 * A simple prior: Readability and JSON-LD on a long text are usually the whole story; feed content
 * often is not; a page marked as paywalled may hold only the free part.
 */
function confidenceFor(method: ExtractionMethod, words: number, paywallMarkup: boolean): number {
  const length = Math.min(1, words / FULL_STORY_WORDS);
  const [floor, ceiling] = method === 'jsonld' ? [0.5, 0.95] : method === 'readability' ? [0.4, 0.9] : [0.3, 0.6];
  const confidence = (floor + (ceiling - floor) * length) * (paywallMarkup ? 0.7 : 1);
  return Math.round(confidence * 100) / 100;
}

/** Cuts `text` to at most `maxBytes` of UTF-8, at the last paragraph (else line, else word) break that fits. */
export function capText(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  // Every UTF-16 unit is at most 3 UTF-8 bytes, so this many units always fit; then grow while they do.
  let cut = Buffer.from(text).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
  for (const sep of ['\n\n', '\n', ' ']) {
    const at = cut.lastIndexOf(sep);
    if (at > cut.length * 0.5) {
      cut = cut.slice(0, at);
      break;
    }
  }
  return cut.trimEnd();
}

interface PageResult {
  meta: PageMetadata;
  signals: PageSignals;
  title: string | null;
  byline: string | null;
  siteName: string | null;
  publishedTime: string | null;
  lang: string | null;
  readability: Candidate | null;
  jsonLd: Candidate | null;
}

function readPage(
  page: ParsedPage,
  rawHtml: string,
  markup: MarkupSignals,
  url: string,
  maxElements: number,
  skip: ReadonlySet<string>,
): PageResult {
  const doc = page.document;
  const meta = readPageMetadata(doc, url, page.jsonLd);
  const signals = pageSignals(doc, rawHtml, page.jsonLd, markup);
  const jsonLd = meta.jsonLdBody ? textCandidate('jsonld', meta.jsonLdBody, url) : null;
  const captions = removePageCaptions(doc, skip);
  const parsed = new Readability(doc, {
    maxElemsToParse: maxElements,
    serializer: (node: Node) => node,
    keepClasses: true, // clean.ts reads them; the sanitizer drops them from the HTML
  }).parse();
  const content = parsed?.content as Element | null | undefined;
  if (content) cleanContentDom(content, skip);
  return {
    meta,
    signals,
    title: clean(parsed?.title),
    byline: clean(parsed?.byline)?.replace(/^by\s+/i, '').slice(0, 200) ?? null,
    siteName: clean(parsed?.siteName),
    publishedTime: parsed?.publishedTime ? (isoOrNull(parsed.publishedTime) ?? meta.publishedTime) : null,
    lang: normalizeLang(parsed?.lang) ?? normalizeLang(meta.lang),
    readability: content
      ? { method: 'readability', text: cleanParagraphs(blockText(content), skip, meta.titleTag ?? clean(parsed?.title) ?? meta.ogTitle, captions), html: sanitizeArticleHtml(content.innerHTML) }
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

/** Text (and sanitized HTML) from an HTML fragment (feed content, JSON-LD articleBody). */
function textCandidate(method: ExtractionMethod, fragment: string, url: string): Candidate {
  const looksLikeHtml = /<[a-z][\s\S]*>/i.test(fragment);
  const markup = looksLikeHtml
    ? fragment
    : // Plain text: blank lines (or single newlines, as many CMSs emit) are paragraph breaks.
      fragment.split(/\n\s*\n|\r?\n/).map((para) => `<p>${escapeText(para)}</p>`).join('');
  const { document } = parsePage(`<!DOCTYPE html><html><body>${markup}</body></html>`, url, FRAGMENT_LIMITS);
  return { method, text: blockText(document.body), html: sanitizeArticleHtml(document.body.innerHTML) };
}

const FRAGMENT_LIMITS = { maxElements: 50_000, maxDepth: DEFAULT_MAX_DEPTH };

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

/** Counts '<' followed by a letter: an upper bound on the elements a parser would build. */
function countStartTags(bytes: Uint8Array): number {
  let count = 0;
  // indexOf finds each '<' natively, where a loop in JavaScript would look at every byte.
  for (let i = bytes.indexOf(0x3c); i !== -1 && i < bytes.length - 1; i = bytes.indexOf(0x3c, i + 1)) {
    const next = bytes[i + 1]! | 0x20; // ASCII lower-case
    if (next >= 0x61 && next <= 0x7a) count++;
  }
  return count;
}
