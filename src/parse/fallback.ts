/**
 * The second chance for XML that feedsmith refuses as malformed (mismatched or unclosed tags):
 * rss-parser over xml2js in non-strict mode. sax leaves unknown entities literal and never loads
 * a DTD, so this path is as safe as the first. Non-strict sax upper-cases names, so tags are
 * normalized to lower case and camel-case fields (pubDate) are read by their lower-case names.
 */
import type RssParser from 'rss-parser';
import type { RawFeed, RawItem } from './normalize.ts';
import { str } from './normalize.ts';
import { formatFromRoot } from './guard.ts';

type LooseItem = Record<string, unknown> & {
  enclosure?: { URL?: string; TYPE?: string; url?: string; type?: string };
  categories?: unknown[];
};

type LooseParser = RssParser<Record<string, unknown>, LooseItem>;
let parser: LooseParser | null = null;

/** Made on first use: rss-parser loads xml2js and Node's HTTP stack, start-up time most feeds never need. */
async function looseParser(): Promise<LooseParser> {
  const { default: RssParserClass } = await import('rss-parser');
  parser ??= new RssParserClass<Record<string, unknown>, LooseItem>({
    defaultRSS: 2.0,
    // xml2js passes these to sax; the typings do not list them.
    xml2js: { strict: false, normalizeTags: true } as Record<string, unknown>,
    customFields: { feed: ['ttl'], item: ['pubdate', 'dc:date', 'description', 'updated', 'published'] },
  });
  return parser;
}

/** Category values come as strings or as `{ _: text, $: attributes }`. */
const categoryText = (c: unknown): string | null =>
  typeof c === 'object' && c !== null ? str((c as { _?: unknown })._) : str(c);

function looseItem(item: LooseItem, base: string | null): RawItem {
  const enclosureType = str(item.enclosure?.TYPE ?? item.enclosure?.type);
  const content = first(item['content:encoded'], item.content, item.description);
  return {
    guid: first(item.guid, item.id),
    link: str(item.link),
    title: str(item.title),
    summary: first(item.description, item.summary, item.content, item['content:encoded']),
    content,
    date: first(item.pubdate, item.pubDate, item['dc:date'], item.published, item.updated, item.isoDate),
    author: first(item.creator, item.author, item['dc:creator']),
    categories: (item.categories ?? []).map(categoryText).filter((c): c is string => c !== null),
    image: enclosureType?.startsWith('image/') ? str(item.enclosure?.URL ?? item.enclosure?.url) : null,
    base,
  };
}

function first(...values: unknown[]): string | null {
  for (const v of values) {
    const s = str(v);
    if (s) return s;
  }
  return null;
}

/** Reads `text` leniently; null when even the lenient reader finds no feed in it. */
export async function parseWithRssParser(text: string, feedUrl: string | null): Promise<RawFeed | null> {
  const lenient = await looseParser();
  let feed: Awaited<ReturnType<LooseParser['parseString']>>;
  try {
    feed = await lenient.parseString(text);
  } catch {
    return null;
  }
  const ttl = Number(str(feed.ttl));
  return {
    format: formatFromRoot(text),
    title: str(feed.title),
    link: str(feed.link),
    base: feedUrl,
    ttlMinutes: Number.isFinite(ttl) && ttl > 0 ? Math.round(ttl) : null,
    items: (feed.items ?? []).map((item) => looseItem(item, feedUrl)),
  };
}
