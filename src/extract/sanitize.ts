/**
 * The extracted HTML is shown to editors in a browser, so it is treated as hostile: an allow-list of
 * prose tags, no scripts, frames, forms or styles, no event handlers, and only http(s)/mailto links.
 */
import sanitizeHtml from 'sanitize-html';

const PROSE_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'ul', 'ol', 'li',
  'dl', 'dt', 'dd', 'a', 'b', 'strong', 'i', 'em', 'u', 's', 'sub', 'sup', 'small', 'mark', 'abbr',
  'cite', 'q', 'time', 'span', 'div', 'section', 'article', 'figure', 'figcaption', 'img',
  'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: PROSE_TAGS,
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
    time: ['datetime'],
    abbr: ['title'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  // A protocol-relative URL inherits whatever scheme the viewer runs under; Readability has already
  // made links absolute, so anything still relative is dropped.
  allowProtocolRelative: false,
  // Disallowed tags keep their text, except these, whose content is code or controls, never prose.
  nonTextTags: [
    'script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'form',
    'button', 'select', 'template', 'svg', 'math', 'title', 'head',
  ],
  disallowedTagsMode: 'discard',
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }),
  },
  // An image whose src was refused (data:, javascript:, relative) is an empty box: drop it.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

// simpleTransform adds rel, but rel is then filtered by allowedAttributes unless allowed; allow only
// the exact value we set.
(OPTIONS.allowedAttributes as Record<string, sanitizeHtml.AllowedAttribute[]>).a!.push({
  name: 'rel',
  multiple: true,
  values: ['noopener', 'noreferrer', 'nofollow'],
});

/** Returns `html` reduced to safe prose markup (see the module comment for the rules). */
export function sanitizeArticleHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}
