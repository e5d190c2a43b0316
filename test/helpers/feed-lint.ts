/**
 * The findings of the W3C Feed Validation Service (w3c/feedvalidator) that aiwins' feeds could
 * run into, re-implemented for tests: the validator itself is Python and is not installed here.
 * Each finding carries the validator's own message class name, so a failure says which rule.
 * Not checked: SelfDoesntMatchLocation (it depends on where the feed is fetched from).
 */
import { XMLParser } from 'fast-xml-parser';

// The characters feedvalidator's rfc2396/rfc2396_full accept in a link, an id or a guid (ASCII only).
const URI_CHARS = /^[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+$/;
// Names of HTML elements as the validator lists them (the common ones suffice for an end-tag test).
const HTML_END_TAG = /<\/(a|abbr|b|blockquote|body|br|code|div|em|h[1-6]|html|i|img|li|ol|p|pre|script|span|strong|style|table|td|tr|u|ul|iframe|object)>/i;
const RFC822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d(:\d\d)? (GMT|UT|[+-]\d\d[03]0|Z)$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#text', trimValues: true, parseTagValue: false, parseAttributeValue: false, isArray: (name) => ['item', 'entry', 'link', 'atom:link', 'category', 'author'].includes(name) });

const textOf = (v: unknown): string => {
  if (Array.isArray(v)) return textOf(v[0]);
  return v === undefined || v === null ? '' : typeof v === 'object' ? String((v as Record<string, unknown>)['#text'] ?? '') : String(v);
};

/** What the validator would report on `xml` (an RSS 2.0 or Atom 1.0 document): [] when it passes clean. */
export function feedLint(xml: string): string[] {
  const out: string[] = [];
  for (const ch of xml) {
    const cp = ch.codePointAt(0)!;
    if ((cp >= 0x80 && cp <= 0x9f) || cp === 0xfffd) {
      out.push(`BadCharacters: U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
      break;
    }
  }
  const doc = parser.parse(xml);
  const uri = (where: string, value: string) => {
    if (!URI_CHARS.test(value)) out.push(`InvalidUriChar: ${where} "${value}"`);
  };
  const date = (where: string, value: string, rfc: 'rfc822' | 'rfc3339') => {
    const ok = rfc === 'rfc822' ? RFC822.test(value) : RFC3339.test(value);
    if (!ok) return out.push(`Invalid${rfc === 'rfc822' ? 'RFC2822' : 'RFC3339'}Date: ${where} "${value}"`);
    const when = new Date(value);
    if (when.getUTCFullYear() < 1990) out.push(`ImplausibleDate: ${where} "${value}"`);
    if (rfc === 'rfc822' && DAYS[when.getUTCDay()] !== value.slice(0, 3) && /GMT|UT|Z$/.test(value)) out.push(`IncorrectDOW: ${where} "${value}"`);
  };
  const notBlank = (where: string, value: string) => {
    if (!value.trim()) out.push(`NotBlank: ${where}`);
  };
  if (doc.rss) {
    const ch = doc.rss.channel;
    if (doc.rss['@version'] !== '2.0') out.push('InvalidRSSVersion');
    for (const el of ['title', 'link', 'description']) if (ch[el] === undefined) out.push(`MissingElement: channel ${el}`);
    notBlank('channel title', textOf(ch.title));
    uri('channel link', textOf(ch.link));
    const self = (ch['atom:link'] ?? []).find((l: Record<string, string>) => l['@rel'] === 'self');
    if (!self) out.push('MissingAtomSelfLink');
    else {
      if (doc.rss['@xmlns:atom'] !== 'http://www.w3.org/2005/Atom') out.push('MissingNamespace: atom');
      uri('atom:link href', self['@href']);
    }
    if (ch.lastBuildDate !== undefined) date('lastBuildDate', textOf(ch.lastBuildDate), 'rfc822');
    for (const [i, raw] of xml.split('<item>').slice(1).entries()) {
      const item = ch.item[i];
      const where = `item ${i + 1}`;
      if (item.title === undefined && item.description === undefined) out.push(`ItemMustContainTitleOrDescription: ${where}`);
      if (item.title !== undefined) notBlank(`${where} title`, textOf(item.title));
      if (item.guid === undefined) out.push(`MissingGuid: ${where}`);
      else if (item.guid['@isPermaLink'] !== 'false') uri(`${where} guid`, textOf(item.guid));
      if (item.link !== undefined) uri(`${where} link`, textOf(item.link));
      if (item.pubDate !== undefined) date(`${where} pubDate`, textOf(item.pubDate), 'rfc822');
      for (const c of item.category ?? []) notBlank(`${where} category`, textOf(c));
      const desc = raw.indexOf('<description>');
      const content = raw.indexOf('<content:encoded>');
      if (content >= 0 && (desc < 0 || desc > content)) out.push(`NeedDescriptionBeforeContent: ${where}`);
    }
  } else if (doc.feed) {
    const f = doc.feed;
    if (f['@xmlns'] !== 'http://www.w3.org/2005/Atom') out.push('MissingNamespace: atom');
    for (const el of ['id', 'title', 'updated']) if (f[el] === undefined) out.push(`MissingElement: feed ${el}`);
    const textConstruct = (where: string, v: unknown) => {
      const type = (v as Record<string, string>)?.['@type'] ?? 'text';
      if (type === 'text' && HTML_END_TAG.test(textOf(v))) out.push(`ContainsUndeclaredHTML: ${where}`);
    };
    textConstruct('feed title', f.title);
    if (f.subtitle !== undefined) textConstruct('feed subtitle', f.subtitle);
    uri('feed id', textOf(f.id));
    if (f.updated !== undefined) date('feed updated', textOf(f.updated), 'rfc3339');
    const links: Record<string, string>[] = f.link ?? [];
    if (!links.some((l) => l['@rel'] === 'self')) out.push('MissingSelf');
    for (const l of links) uri(`feed link ${l['@rel']}`, l['@href']);
    const feedAuthor = (f.author ?? []).length > 0;
    // Metadata after the first entry is an error (MisplacedMetadata).
    const firstEntry = xml.indexOf('<entry>');
    if (firstEntry >= 0 && /<(author|link|id|title|updated|subtitle)\b/.test(xml.slice(xml.lastIndexOf('</entry>') + 8))) out.push('MisplacedMetadata');
    for (const [i, e] of (f.entry ?? []).entries()) {
      const where = `entry ${i + 1}`;
      for (const el of ['id', 'title', 'updated']) if (e[el] === undefined) out.push(`MissingElement: ${where} ${el}`);
      if (!feedAuthor && !(e.author ?? []).length) out.push(`MissingElement: ${where} author`);
      uri(`${where} id`, textOf(e.id));
      textConstruct(`${where} title`, e.title);
      if (e.summary !== undefined) textConstruct(`${where} summary`, e.summary);
      date(`${where} updated`, textOf(e.updated), 'rfc3339');
      if (e.published !== undefined) date(`${where} published`, textOf(e.published), 'rfc3339');
      for (const l of e.link ?? []) uri(`${where} link`, l['@href']);
      if (e.content === undefined && e.summary === undefined) out.push(`MissingTextualContent: ${where}`);
    }
  } else {
    out.push('not an RSS or Atom document');
  }
  return out;
}
