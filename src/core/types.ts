/**
 * The values that flow between stages: config -> fetch -> parse -> extract -> draft -> store.
 * Stages depend on these types, never on each other.
 */

/** One item of a feed, normalized across RSS, RDF, Atom and JSON Feed. */
export interface FeedItem {
  /** Stable identity within the feed: GUID, else canonical URL, else a hash of title+content. */
  key: string;
  guid: string | null;
  /** Absolute http(s) URL, resolved against the feed URL; null when missing or unsafe. */
  link: string | null;
  title: string | null;
  /** ISO 8601, or null when missing or unparseable. Future dates are clamped to now. */
  published: string | null;
  author: string | null;
  /** Plain-text summary (HTML stripped). */
  summary: string | null;
  /** The feed's own full content, as HTML (untrusted). */
  content: string | null;
  categories: string[];
  image: string | null;
}

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json';

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  /** The site's home page, if the feed names one. */
  link: string | null;
  items: FeedItem[];
  /** RSS <ttl> in minutes, when present. */
  ttlMinutes: number | null;
  /** Things a lenient parse forgave (bad dates, dropped links...), for the operator. */
  warnings: string[];
}

export type ExtractionMethod = 'readability' | 'jsonld' | 'feed';

/** The article text and metadata extracted from a page (or from the feed's own content). */
export interface Article {
  title: string | null;
  byline: string | null;
  siteName: string | null;
  publishedTime: string | null;
  lang: string | null;
  leadImage: string | null;
  /** Main text, paragraphs separated by blank lines. */
  text: string;
  /** Sanitized HTML of the main content, safe to show in a browser; null when not kept. */
  html: string | null;
  wordCount: number;
  readingMinutes: number;
  method: ExtractionMethod;
  /** 0..1, how sure the extractor is that this is the whole story. */
  confidence: number;
}

export type Engine = 'llm' | 'extractive';
export type FramingVerdict = 'positive' | 'mixed' | 'negative' | 'not_ai' | 'uncertain';
export type Recommendation = 'include' | 'include_with_note' | 'skip';

export interface Takeaway {
  text: string;
  /** A short verbatim passage of the article supporting the takeaway. */
  quote: string;
  /** Whether the quote occurs in the article as whole words, every number identical, within one paragraph. */
  grounded: boolean;
  /** Whether the quote grounds and the takeaway adds no number, name or quantity the quote lacks. */
  supported: boolean;
  /**
   * The numbers, quantities and names the takeaway says that its quote lacks, as the takeaway
   * writes them ("90%"); absent on drafts checked before it was kept (the store reads them as []).
   */
  missingFromQuote?: string[];
}

/** The framing rubric: is AI involved, is there an honest constructive angle, what must a reader know. */
export interface Framing {
  verdict: FramingVerdict;
  /** 0..1, tied to the verdict by the bands in prompts/README.md. */
  score: number;
  rationale: string;
  /** Notes for editors: harms, costs, speculation, single-source claims, lawsuits, injected instructions. */
  concerns: string[];
  /** The honest constructive angle the facts support; null when there is none. */
  angle: string | null;
  /** 0..1, how sure the judge is of the verdict. */
  confidence: number;
  recommendation: Recommendation;
}

/** A number or proper name in the story's prose that does not occur in the article. */
export interface UnsupportedClaim {
  /** Where it is: headline, tldr, deck, body[1], whyItMatters, implications[0]. */
  field: string;
  claim: string;
}

/** What an engine writes about an article: the whole story in the newsletter's shape. */
export interface DraftContent {
  headline: string;
  tldr: string;
  takeaways: Takeaway[];
  /** One line that frames the story. */
  deck: string;
  /** Two or three short paragraphs (the offline engine: the article's own lead paragraphs, or none). */
  body: string[];
  whyItMatters: string;
  /** Two to four consequences (none from the offline engine). */
  implications: string[];
  /** One honest paragraph naming the source's caveats; null when there is nothing to caveat. */
  readerNote: string | null;
  category: string;
  framing: Framing;
  unsupportedClaims: UnsupportedClaim[];
}

/** A draft with its provenance, as stored. */
export interface Draft extends DraftContent {
  engine: Engine;
  model: string | null;
  promptId: string;
  /** sha256 (hex, first 16 chars) of the prompt file's content. */
  promptHash: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  /** True when the article text was cut to the token budget before the call. */
  inputTruncated: boolean;
  /** Minutes to read the story as published (headline to reader note), not the source article. */
  readingMinutes: number;
  /** A quote, takeaway or claim still failed its check after the repair turn: an editor must look. */
  needsReview?: boolean;
  /** How the LLM was asked for JSON (absent for the extractive engine and older drafts). */
  responseFormat?: ResponseFormatKind;
}

/**
 * `json_schema`: structured output, the schema enforced by the server; `json_object`: JSON mode
 * with the schema in the prompt, for servers that refuse json_schema (zod checks both alike).
 */
export type ResponseFormatKind = 'json_schema' | 'json_object';

/** What a drafting engine is given. Article text is untrusted data. */
export interface DraftInput {
  title: string;
  url: string;
  text: string;
  siteName: string | null;
  feedName: string | null;
  readingMinutes: number;
}
