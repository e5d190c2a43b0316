import { decodeHTML, escapeText } from 'entities';

/** Caps on stored text: summaries are short plain text, content is HTML kept whole up to 500 KB. */
export const SUMMARY_MAX_CHARS = 2_000;
export const CONTENT_MAX_CHARS = 500_000;
export const TITLE_MAX_CHARS = 1_000;

/** Cuts `text` to `max` characters without splitting a surrogate pair, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Tags that separate words; other tags (b, sup, a...) sit inside words and are dropped without a space. */
const BLOCK_TAG = /<\/?(p|div|br|hr|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|section|article|header|footer|figure|figcaption|img|dd|dt|dl)\b[^>]*>/gi;

/**
 * HTML (or text that may hold tags and entities) to one line of plain text: drops comments,
 * script/style bodies and tags, decodes entities, collapses whitespace. Null when nothing is left.
 */
export function htmlToText(html: string | null | undefined, max: number): string | null {
  if (!html) return null;
  const text = decodeHTML(
    html
      .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(BLOCK_TAG, ' ')
      .replace(/<\/?[a-zA-Z][^>]*>/g, ''),
  )
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text ? truncate(text, max) : null;
}

/** Plain text to HTML, for JSON Feed items that only carry `content_text`. */
export function textToHtml(text: string): string {
  return escapeText(text)
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}
