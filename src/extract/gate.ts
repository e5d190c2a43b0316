/**
 * The quality gate: a page that is not the story (a teaser, a paywall, a consent wall, a JS-only shell)
 * must not reach the LLM as if it were. Judged on the best text found (page or feed) and on signals
 * from the whole page, read before Readability rewrote it.
 */
import type { Failure, FailureKind } from '../core/failure.ts';
import { countWords } from './text.ts';

/** Less readable text than this is never an article. */
export const MIN_TEXT_CHARS = 200;
/** Under this many words a text is suspect: the gate looks for the reasons below. */
export const SHORT_TEXT_WORDS = 150;

/** What the gate knows about the page as a whole. */
export interface PageSignals {
  /** The visible text of the whole page, whitespace collapsed. */
  pageText: string;
  /** schema.org isAccessibleForFree was false, or the markup names a paywall. */
  paywallMarkup: boolean;
  /** The page mounts a script app (an empty #root/#app/#__next, or a <noscript> asking for JavaScript). */
  scriptShell: boolean;
}

const PAYWALL_TEXT =
  /\b(?:subscribers? only|for subscribers|subscribe (?:now |today )?(?:to (?:continue|keep|read|unlock)|from [$£€]\d|for (?:full|unlimited) access)|to (?:continue|keep) reading|already a subscriber|premium (?:content|article)|sign in to (?:read|continue)|this (?:story|article|content) is (?:for|available to) (?:subscribers|members))\b/i;
const CONSENT_TEXT =
  /\b(?:we use cookies|uses cookies|cookie (?:policy|settings|preferences|consent)|accept (?:all )?cookies|your privacy choices|manage (?:your )?(?:cookie|privacy)|consent to (?:the use|our use))\b/i;
const TEASER_TEXT = /\b(?:continue reading|read the (?:full|whole|rest of the) (?:story|article)|read (?:full|whole) (?:story|article)|full story (?:at|on|here))\b/i;

/**
 * Why the gate refused a text: what a caller sees as `"gate"`. `consent` is a cookie wall or notice,
 * `script_shell` a page that renders its text with JavaScript, `too_short` too little text to be a story.
 */
export type GateVerdict = 'paywall' | 'teaser' | 'consent' | 'script_shell' | 'too_short';

/** A refusal: the verdict, and the failure the pipeline records on the item. */
export interface GateRefusal {
  verdict: GateVerdict;
  failure: Failure;
}

/**
 * Passes `text` (the best candidate, null when none; returns null) or says why it is not the story.
 * Page signals count only against text that came from the page (`fromPage`): when the feed's copy is
 * the better text, a paywall on the page does not matter.
 */
export function gateText(text: string | null, fromPage: boolean, signals: PageSignals | null, sourceNote: string): GateRefusal | null {
  const chars = text?.length ?? 0;
  const words = text ? countWords(text) : 0;
  if (chars >= MIN_TEXT_CHARS && words >= SHORT_TEXT_WORDS) return null;
  const page = signals?.pageText ?? '';
  const refuse = (verdict: GateVerdict, kind: FailureKind, what: string): GateRefusal => ({
    verdict,
    failure: { kind, message: `${what}: ${sourceNote}; not sent for drafting (use the feed's content or open the page)` },
  });
  const paywalled = signals !== null && (signals.paywallMarkup || PAYWALL_TEXT.test(page));
  if (chars < MIN_TEXT_CHARS) {
    if (paywalled) return refuse('paywall', 'extract.paywall', 'the page is behind a paywall');
    if (CONSENT_TEXT.test(page)) return refuse('consent', 'extract.empty', 'the page is a cookie consent wall');
    if (TEASER_TEXT.test(page)) return refuse('teaser', 'extract.teaser', 'the page is a teaser with a "continue reading" link');
    if (signals?.scriptShell) {
      return refuse('script_shell', 'extract.empty', 'the page is a JavaScript-only shell with no server-rendered text');
    }
    return refuse('too_short', 'extract.empty', `no readable article text (minimum ${MIN_TEXT_CHARS} chars)`);
  }
  // A short text is fine (news briefs are short) unless something says it is only the start of the story.
  if (fromPage && paywalled) return refuse('paywall', 'extract.paywall', `the page is behind a paywall (${words} words visible)`);
  if (fromPage && CONSENT_TEXT.test(text!)) return refuse('consent', 'extract.empty', 'the extracted text is a cookie consent notice');
  // Only the text itself counts here: "continue reading" links elsewhere on a page are common.
  if (TEASER_TEXT.test(text!)) {
    return refuse('teaser', 'extract.teaser', `the text is a teaser (${words} words, with a "continue reading" link)`);
  }
  return null;
}

/**
 * What the gate reads from the page's attributes, collected by parsePage as it builds the DOM
 * (`visit` is its onElement hook): a class or id naming a paywall, and the first element a script
 * app mounts on. The same as the selectors `[class*="paywall" i], [id*="paywall" i], [class*="piano" i]`
 * and `#root, #app, #__next, #__nuxt, [data-reactroot]` on the finished DOM, which were 2% of an
 * extraction worker's CPU: the copy already visits every element and its attributes.
 */
export class MarkupSignals {
  paywall = false;
  mountPoint: Element | null = null;

  readonly visit = (element: Element, attrs: ReadonlyArray<{ name: string; value: string }>): void => {
    for (const { name, value } of attrs) {
      if (name === 'class') {
        if (!this.paywall && /paywall|piano/i.test(value)) this.paywall = true;
      } else if (name === 'id') {
        if (!this.paywall && /paywall/i.test(value)) this.paywall = true;
        if (this.mountPoint === null && MOUNT_IDS.has(value)) this.mountPoint = element;
      } else if (name === 'data-reactroot' && this.mountPoint === null) {
        this.mountPoint = element;
      }
    }
  };
}

const MOUNT_IDS = new Set(['root', 'app', '__next', '__nuxt']);

/** Signals read from the raw page, its freshly parsed DOM (before Readability changes it) and what the copy collected. */
export function pageSignals(doc: Document, rawHtml: string, jsonLd: string[], markup: MarkupSignals): PageSignals {
  const pageText = (doc.body?.textContent ?? '').replace(/\s+/g, ' ').trim();
  const paywallMarkup = jsonLd.some((block) => /"isAccessibleForFree"\s*:\s*(?:false|"false")/i.test(block)) || markup.paywall;
  const mountPoint = markup.mountPoint;
  const scriptShell =
    (mountPoint !== null && (mountPoint.textContent ?? '').trim().length < MIN_TEXT_CHARS) ||
    /<noscript[^>]*>[^<]*(?:enable|turn on|requires?) javascript/i.test(rawHtml);
  return { pageText, paywallMarkup, scriptShell };
}
