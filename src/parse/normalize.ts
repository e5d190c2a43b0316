/**
 * Maps a parsed document (feedsmith's shapes, or rss-parser's in the fallback) to ParsedFeed:
 * links resolved and restricted to http(s), dates to ISO, text fields to plain text, caps applied,
 * keys made unique, items ordered newest first. Every item is returned: how many a run takes is
 * the run's decision.
 */
import type { AtomFeed, JsonFeed, RdfFeed, RssFeed } from 'feedsmith';
import type { FeedFormat, FeedItem, ParsedFeed } from '../core/types.ts';
import { parseFeedDate } from './dates.ts';
import { itemKey } from './key.ts';
import { CONTENT_MAX_CHARS, SUMMARY_MAX_CHARS, TITLE_MAX_CHARS, htmlToText, textToHtml, truncate } from './text.ts';
import { resolveHttpUrl } from './url.ts';

/** One item as the document says it, before normalization. Links are raw; `base` resolves them. */
export interface RawItem {
  guid: string | null;
  link: string | null;
  title: string | null;
  /** HTML or plain text; becomes the plain-text summary. */
  summary: string | null;
  /** HTML. */
  content: string | null;
  date: string | null;
  author: string | null;
  categories: string[];
  image: string | null;
  /** Base for relative links: xml:base, else the feed URL. */
  base: string | null;
}

/** One document as the parser saw it, before normalization. */
export interface RawFeed {
  format: FeedFormat;
  title: string | null;
  link: string | null;
  base: string | null;
  ttlMinutes: number | null;
  items: RawItem[];
}

type RssItem = RssFeed.Item<string>;
type AtomEntry = AtomFeed.Entry<string>;

/** Non-empty trimmed string, or null; feeds put numbers and objects where strings belong. */
export function str(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return null;
  const t = value.trim();
  return t ? t : null;
}

const first = <T>(values: readonly (T | null | undefined)[]): T | null => {
  for (const v of values) if (v !== null && v !== undefined && v !== '') return v;
  return null;
};

const uniqueStrings = (values: unknown[]): string[] => [...new Set(values.map(str).filter((v): v is string => v !== null))];

/** Resolves xml:base against the enclosing base, as Atom allows at feed and entry level. */
const withBase = (xmlBase: string | undefined, base: string | null): string | null =>
  (xmlBase ? resolveHttpUrl(xmlBase, base) : null) ?? base;

type MediaLike = { thumbnails?: { url?: string }[]; contents?: { url?: string; medium?: string; type?: string }[] };

function mediaImage(media: MediaLike | undefined): string | null {
  if (!media) return null;
  const image = media.contents?.find((c) => c.medium === 'image' || c.type?.startsWith('image/'));
  return first([str(media.thumbnails?.[0]?.url), str(image?.url)]);
}

function rssItem(item: RssItem, base: string | null): RawItem {
  const guid = str(item.guid?.value);
  // A permalink GUID is the item's link when <link> is missing (RSS 2.0 spec).
  const guidLink = guid && item.guid?.isPermaLink !== false && /^https?:\/\//i.test(guid) ? guid : null;
  const atomLink = item.atom?.links?.find((l) => !l.rel || l.rel === 'alternate')?.href;
  const enclosureImage = item.enclosures?.find((e) => e.type?.startsWith('image/'))?.url;
  return {
    guid,
    link: first([str(item.link), str(atomLink), guidLink]),
    title: first([str(item.title), str(item.dc?.titles?.[0])]),
    summary: first([str(item.description), str(item.content?.encoded)]),
    content: first([str(item.content?.encoded), str(item.description)]),
    date: first([str(item.pubDate), str(item.dc?.dates?.[0]), str(item.atom?.published), str(item.atom?.updated)]),
    author: first([str(item.authors?.[0]?.name), str(item.dc?.creators?.[0]), str(item.authors?.[0]?.email), str(item.itunes?.author)]),
    categories: uniqueStrings([...(item.categories ?? []).map((c) => c.name), ...(item.dc?.subjects ?? [])]),
    image: first([str(enclosureImage), mediaImage(item.media as MediaLike | undefined), str(item.itunes?.image)]),
    base,
  };
}

function rdfItem(item: RdfFeed.Item<string>, base: string | null): RawItem {
  return {
    guid: null,
    link: first([str(item.link), str(item.rdf?.about)]),
    title: first([str(item.title), str(item.dc?.titles?.[0])]),
    summary: first([str(item.description), str(item.content?.encoded)]),
    content: first([str(item.content?.encoded), str(item.description)]),
    date: first([str(item.dc?.dates?.[0]), str(item.dcterms?.modified)]),
    author: str(item.dc?.creators?.[0]),
    categories: uniqueStrings(item.dc?.subjects ?? []),
    image: mediaImage(item.media as MediaLike | undefined),
    base,
  };
}

/** Atom's alternate link: rel="alternate" (HTML first), else a link with no rel. */
function atomAlternate(links: AtomFeed.Link<string>[] | undefined): string | null {
  const alternates = (links ?? []).filter((l) => !l.rel || l.rel === 'alternate');
  return str((alternates.find((l) => !l.type || l.type.includes('html')) ?? alternates[0])?.href);
}

/** An Atom text construct as HTML: explicit type="text" is escaped, html/xhtml (and untyped, as readers do) kept. */
function atomHtml(text: { value?: string; type?: string } | undefined): string | null {
  const value = str(text?.value);
  if (!value) return null;
  return text?.type === 'text' ? textToHtml(value) : value;
}

function atomItem(entry: AtomEntry, feedBase: string | null): RawItem {
  const base = withBase(entry.xml?.base, feedBase);
  const summary = atomHtml(entry.summary);
  const content = atomHtml(entry.content);
  const enclosureImage = entry.links?.find((l) => l.rel === 'enclosure' && l.type?.startsWith('image/'))?.href;
  return {
    guid: str(entry.id),
    link: atomAlternate(entry.links),
    title: entry.title?.type === 'text' ? atomHtml(entry.title) : str(entry.title?.value),
    summary: summary ?? content,
    content: content ?? summary,
    date: first([str(entry.published), str(entry.updated), str(entry.dc?.dates?.[0])]),
    author: first([str(entry.authors?.[0]?.name), str(entry.dc?.creators?.[0])]),
    categories: uniqueStrings((entry.categories ?? []).map((c) => c.label ?? c.term)),
    image: first([mediaImage(entry.media as MediaLike | undefined), str(enclosureImage)]),
    base,
  };
}

function jsonItem(item: JsonFeed.Item<string>, base: string | null): RawItem {
  const html = str(item.content_html);
  const text = str(item.content_text);
  return {
    guid: str(item.id),
    link: first([str(item.url), str(item.external_url)]),
    title: str(item.title),
    summary: first([str(item.summary), text, html]),
    content: html ?? (text ? textToHtml(text) : null),
    date: first([str(item.date_published), str(item.date_modified)]),
    author: str(item.authors?.[0]?.name),
    categories: uniqueStrings(item.tags ?? []),
    image: first([str(item.image), str(item.banner_image)]),
    base,
  };
}

/** feedsmith's result as a RawFeed. `feedUrl` is the base of last resort for relative links. */
export function rawFromFeedsmith(
  parsed:
    | { format: 'rss'; feed: RssFeed.Feed<string> }
    | { format: 'atom'; feed: AtomFeed.Feed<string> }
    | { format: 'rdf'; feed: RdfFeed.Feed<string> }
    | { format: 'json'; feed: JsonFeed.Feed<string> },
  feedUrl: string | null,
): RawFeed {
  switch (parsed.format) {
    case 'rss': {
      const f = parsed.feed;
      const ttl = typeof f.ttl === 'number' && Number.isFinite(f.ttl) && f.ttl > 0 ? Math.round(f.ttl) : null;
      return {
        format: 'rss', title: str(f.title), link: str(f.link), base: feedUrl, ttlMinutes: ttl,
        items: (f.items ?? []).map((i) => rssItem(i, feedUrl)),
      };
    }
    case 'rdf': {
      const f = parsed.feed;
      return {
        format: 'rdf', title: str(f.title), link: str(f.link), base: feedUrl, ttlMinutes: null,
        items: (f.items ?? []).map((i) => rdfItem(i, feedUrl)),
      };
    }
    case 'atom': {
      const f = parsed.feed;
      const base = withBase(f.xml?.base, feedUrl);
      return {
        format: 'atom', title: str(f.title?.value), link: atomAlternate(f.links), base, ttlMinutes: null,
        items: (f.entries ?? []).map((e) => atomItem(e, base)),
      };
    }
    case 'json': {
      const f = parsed.feed;
      return {
        format: 'json', title: str(f.title), link: str(f.home_page_url), base: feedUrl, ttlMinutes: null,
        items: (f.items ?? []).map((i) => jsonItem(i, feedUrl)),
      };
    }
  }
}

const describe = (raw: RawItem, index: number): string =>
  `item ${index + 1}${raw.title ? ` "${truncate(htmlToText(raw.title, 60) ?? '', 60)}"` : ''}`;

/** Resolves a link; a link that was there but is not http(s) is dropped with a warning. */
function safeLink(raw: string | null, base: string | null, what: string, warnings: string[]): string | null {
  if (!raw) return null;
  const url = resolveHttpUrl(raw, base);
  if (!url) warnings.push(`${what}: dropped link "${truncate(raw, 80)}" (not an http(s) URL)`);
  return url;
}

function normalizeItem(raw: RawItem, index: number, now: Date, warnings: string[]): FeedItem {
  const what = describe(raw, index);
  const link = safeLink(raw.link, raw.base, what, warnings);
  const date = parseFeedDate(raw.date, now);
  if (date.problem) warnings.push(`${what}: ${date.problem}`);
  const title = htmlToText(raw.title, TITLE_MAX_CHARS);
  const content = raw.content ? truncate(raw.content, CONTENT_MAX_CHARS) : null;
  const guid = raw.guid ? truncate(raw.guid, 2_000) : null;
  return {
    key: itemKey({ guid, link, title, content }),
    guid,
    link,
    title,
    published: date.iso,
    author: htmlToText(raw.author, 200),
    summary: htmlToText(raw.summary, SUMMARY_MAX_CHARS),
    content,
    categories: raw.categories.map((c) => htmlToText(c, 200)).filter((c): c is string => c !== null),
    image: raw.image ? resolveHttpUrl(raw.image, raw.base) : null,
  };
}

/** Makes keys unique in document order: the second `guid:x` becomes `guid:x#2`, and so on. */
function disambiguateKeys(items: FeedItem[], warnings: string[]): void {
  const seen = new Map<string, number>();
  const taken = new Set(items.map((i) => i.key));
  for (const item of items) {
    const count = (seen.get(item.key) ?? 0) + 1;
    seen.set(item.key, count);
    if (count === 1) continue;
    let n = count;
    while (taken.has(`${item.key}#${n}`)) n += 1;
    warnings.push(`duplicate item key ${truncate(item.key, 100)}: the copy got suffix #${n}`);
    item.key = `${item.key}#${n}`;
    taken.add(item.key);
  }
}

/** Newest first by date (stable, undated items after dated ones in document order). */
function newestFirst(items: FeedItem[]): FeedItem[] {
  const order = items.map((item, index) => ({ item, index, time: item.published ? Date.parse(item.published) : -Infinity }));
  order.sort((a, b) => (b.time === a.time ? a.index - b.index : b.time - a.time));
  return order.map((o) => o.item);
}

/** An item with no link, id, title or text: nothing to fetch or draft (kept: the parse reports every item). */
const isEmptyItem = (item: FeedItem): boolean => !item.link && !item.guid && !item.title && !item.content && !item.summary;

/** Warnings kept per feed; a feed with a bad date on every one of 10,000 items needs a sample, not all. */
const MAX_WARNINGS = 20;

/** At most MAX_WARNINGS, the rest counted. */
function capWarnings(warnings: string[]): string[] {
  if (warnings.length <= MAX_WARNINGS) return warnings;
  return [...warnings.slice(0, MAX_WARNINGS - 1), `... and ${warnings.length - MAX_WARNINGS + 1} more warnings`];
}

/** RawFeed to ParsedFeed; `warnings` may already hold what the parse forgave. */
export function normalizeFeed(raw: RawFeed, now: Date, warnings: string[]): ParsedFeed {
  const items = raw.items.map((item, index) => normalizeItem(item, index, now, warnings));
  const empty = items.filter(isEmptyItem).length;
  if (empty > 0) warnings.push(`${empty} item(s) have no link, id, title or content: nothing to fetch or draft`);
  disambiguateKeys(items, warnings);
  const link = safeLink(raw.link, raw.base, 'feed', warnings);
  return {
    format: raw.format,
    title: htmlToText(raw.title, TITLE_MAX_CHARS),
    link,
    items: newestFirst(items),
    ttlMinutes: raw.ttlMinutes,
    warnings: capWarnings(warnings),
  };
}
