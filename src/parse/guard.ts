import type { FeedFormat } from '../core/types.ts';

/** Cheap checks before any parser runs, so hostile input costs linear time and bounded memory. */

/** Largest body parsed (the fetcher's feed cap is the same). */
export const MAX_FEED_BYTES = 10 * 1024 * 1024;
/** Deepest element nesting accepted; real feeds stay under 30. */
export const MAX_XML_DEPTH = 1_000;

/**
 * The deepest element nesting in an XML text, stopping as soon as `limit` is passed. Skips
 * comments, CDATA, declarations and processing instructions; tolerant of broken markup.
 */
export function xmlDepthExceeds(xml: string, limit: number): boolean {
  let depth = 0;
  let i = xml.indexOf('<');
  while (i !== -1 && i < xml.length) {
    const next = xml[i + 1];
    let end: number;
    if (xml.startsWith('<!--', i)) {
      end = xml.indexOf('-->', i + 4);
      end = end === -1 ? -1 : end + 2;
    } else if (xml.startsWith('<![CDATA[', i)) {
      end = xml.indexOf(']]>', i + 9);
      end = end === -1 ? -1 : end + 2;
    } else {
      end = xml.indexOf('>', i + 1);
      if (end !== -1 && next !== '!' && next !== '?') {
        if (next === '/') depth = Math.max(0, depth - 1);
        else if (xml[end - 1] !== '/') {
          depth += 1;
          if (depth > limit) return true;
        }
      }
    }
    if (end === -1) break;
    i = xml.indexOf('<', end + 1);
  }
  return false;
}

/** What a text that is not a feed looks like, for a message a person can act on; null when unknown. */
export function describeNonFeed(text: string): string | null {
  const head = text.slice(0, 2_048).trimStart().toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<!doctype html|<html[\s>]/.test(head) || /<(head|body)[\s>]/.test(head)) {
    return "The URL returned an HTML page, not a feed: find the site's RSS/Atom link (often in a <link rel=\"alternate\"> tag) and use that URL";
  }
  if (head.startsWith('{') || head.startsWith('[')) {
    return 'The URL returned JSON that is not a JSON Feed (no jsonfeed.org version or items list): check that the URL is the feed, not an API or error response';
  }
  return null;
}

/** The format of a document from its root element, for documents no parser fully read. */
export function formatFromRoot(text: string): FeedFormat {
  if (/^\s*[{[]/.test(text)) return 'json';
  if (/<feed[\s>]/i.test(text)) return 'atom';
  if (/<rdf:RDF[\s>]/i.test(text)) return 'rdf';
  return 'rss';
}
