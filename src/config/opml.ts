/**
 * OPML 2.0 import and export of the feed list, and adding imported feeds to feeds.yaml text
 * without losing its comments. Pure: the CLI reads and writes the files.
 */
import { XMLValidator } from 'fast-xml-parser';
import { generateOpml as writeOpml, parseOpml as readOpml, type Opml } from 'feedsmith';
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { fail, ok, type Outcome } from '../core/failure.ts';
// Drops what XML cannot carry (lone surrogates included); the generator escapes the rest.
import { xmlSafeText as xmlSafe } from '../core/xml-text.ts';
import { parseConfig } from './index.ts';
import { DEFAULT_CATEGORIES } from './schema.ts';

/** One feed as OPML carries it. `category` is the enclosing folder's name, verbatim. */
export interface OpmlFeed {
  name: string;
  url: string;
  category?: string;
}

/** What `addFeedsToConfigText` did. */
export interface AddFeedsResult {
  /** The new config text; it passes `parseConfig`. */
  text: string;
  added: number;
  skipped: { url: string; reason: string }[];
  /** Feeds added without a category because their folder is not one of `categories`. */
  uncategorized: { url: string; folder: string }[];
}

// OPML files from real readers are a few hundred KB at most; this only stops absurd input.
const MAX_OPML_CHARS = 10 * 1024 * 1024;

/**
 * Reads the feeds of an OPML file (feedsmith's OPML parser): every outline with an xmlUrl, at any
 * depth, named by its title or text. Outlines without xmlUrl are folders (or links, ignored).
 * DTDs with entity declarations are refused outright (XXE, entity bombs); only XML's own entities
 * are decoded.
 */
export function parseOpml(text: string): Outcome<OpmlFeed[]> {
  if (text.length > MAX_OPML_CHARS) return fail('config.invalid', `OPML file is over ${MAX_OPML_CHARS} characters; refused`);
  if (/<!ENTITY/i.test(text)) {
    return fail('config.invalid', 'OPML file declares XML entities (<!ENTITY>); refused as unsafe. Export it again from your reader.');
  }
  // feedsmith reads broken XML leniently; an import should say where the file is broken instead.
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    return fail('config.invalid', `not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  if (!/<opml[\s>]/i.test(text)) return fail('config.invalid', 'not an OPML file: the root element is not <opml>');
  let doc: ReturnType<typeof readOpml>;
  try {
    doc = readOpml(text);
  } catch (err) {
    return fail('config.invalid', `cannot read the OPML file: ${(err as Error).message}`);
  }
  const feeds: OpmlFeed[] = [];
  collect(doc.body?.outlines, undefined, feeds);
  return ok(feeds);
}

type Outline = Opml.Outline<unknown>;

function collect(outlines: Outline[] | undefined, folder: string | undefined, into: OpmlFeed[]): void {
  for (const outline of outlines ?? []) {
    const label = clean(outline.title) || clean(outline.text);
    const url = clean(outline.xmlUrl);
    if (url) {
      const category = folder ?? firstCategory(clean(outline.category));
      into.push({ name: label || hostOf(url), url, ...(category ? { category } : {}) });
    }
    // A folder names the group of what it holds; a feed outline with children is rare but kept.
    collect(outline.outlines, url ? folder : label || folder, into);
  }
}

/** An attribute as one line of text. */
function clean(value: string | undefined): string {
  return (value ?? '').replace(/\s+/g, ' ').trim();
}

/** OPML 2.0 `category` is comma-separated slash paths ("/Tech/AI"); the first one's last segment. */
function firstCategory(value: string): string | undefined {
  const first = value.split(',')[0]!.split('/').filter(Boolean).pop()?.trim();
  return first || undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || url;
  } catch {
    return url;
  }
}

/** Writes an OPML 2.0 document (feedsmith's generator): feeds without a category first, then one folder per category. */
export function renderOpml(feeds: readonly OpmlFeed[], title = 'aiwins feeds'): string {
  const outline = (f: OpmlFeed) => ({ type: 'rss', text: xmlSafe(f.name), title: xmlSafe(f.name), xmlUrl: xmlSafe(f.url) });
  const outlines: Opml.Outline<Date>[] = [];
  const folders = new Map<string, OpmlFeed[]>();
  for (const f of feeds) {
    if (!f.category) outlines.push(outline(f));
    else folders.set(f.category, [...(folders.get(f.category) ?? []), f]);
  }
  for (const [category, members] of folders) {
    outlines.push({ text: xmlSafe(category), title: xmlSafe(category), outlines: members.map(outline) });
  }
  return `${writeOpml({ head: { title: xmlSafe(title) }, body: { outlines } }).trimEnd()}\n`;
}

/**
 * Appends feeds to feeds.yaml text through the yaml Document API, so comments and every other key
 * survive. Skips (with a reason) URLs already configured or repeated, and non-http(s) URLs. A
 * category is kept when it matches one of `categories` (ignoring case), else the feed is added
 * uncategorized. The result is validated with `parseConfig`; an invalid result is an error, never text.
 */
export function addFeedsToConfigText(configYaml: string, feeds: readonly OpmlFeed[]): Outcome<AddFeedsResult> {
  const doc = parseDocument(configYaml);
  if (doc.errors.length > 0) {
    return fail('config.invalid', `the config is not valid YAML: ${doc.errors.map((e) => e.message.split('\n')[0]).join('; ')}`);
  }
  if (doc.contents === null) doc.contents = doc.createNode({}) as YAMLMap.Parsed;
  if (!isMap(doc.contents)) return fail('config.invalid', 'the config is not a YAML mapping (key: value) at the top');
  const list = feedList(doc);
  if (!list.ok) return list;
  const seq = list.value;

  const known = new Set<string>();
  for (const item of seq.items) {
    const url = isMap(item) ? item.get('url') : undefined;
    if (typeof url === 'string') known.add(urlKey(url));
  }
  const configured = categoriesOf(doc);
  const result: AddFeedsResult = { text: '', added: 0, skipped: [], uncategorized: [] };
  for (const feed of feeds) {
    const url = feed.url.trim();
    if (!isHttpUrl(url)) {
      result.skipped.push({ url, reason: 'not an http(s) URL' });
      continue;
    }
    const key = urlKey(url);
    if (known.has(key)) {
      result.skipped.push({ url, reason: 'already in the config' });
      continue;
    }
    known.add(key);
    const category = feed.category ? configured.find((c) => c.toLowerCase() === feed.category!.trim().toLowerCase()) : undefined;
    if (feed.category && !category) result.uncategorized.push({ url, folder: feed.category });
    const name = feed.name.trim() || hostOf(url);
    seq.add(doc.createNode(category ? { name, url, category } : { name, url }));
    result.added += 1;
  }
  if (seq.items.length > 0) seq.flow = false; // `feeds: []` grows into a block list

  // lineWidth 0: never fold existing long strings onto new lines.
  result.text = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  const check = parseConfig(result.text, {});
  if (check.config === null) {
    return fail('config.invalid', `adding the feeds would make the config invalid, so nothing was written: ${check.errors.join('; ')}`);
  }
  return ok(result);
}

/** The `feeds:` sequence node, created when missing or null. */
function feedList(doc: Document): Outcome<YAMLSeq> {
  const node = doc.get('feeds', true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) doc.set('feeds', doc.createNode([]));
  const seq = doc.get('feeds', true);
  return isSeq(seq) ? ok(seq) : fail('config.invalid', 'feeds: expected a list of feeds');
}

function categoriesOf(doc: Document): string[] {
  const raw = doc.toJS({ maxAliasCount: 100 }) as { categories?: unknown } | null;
  const list = raw?.categories;
  return Array.isArray(list) ? list.filter((c): c is string => typeof c === 'string').map((c) => c.trim()) : DEFAULT_CATEGORIES;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** How URLs are compared for "already present": parsed and re-serialized (host case, default port). */
function urlKey(url: string): string {
  try {
    return new URL(url.trim()).href;
  } catch {
    return url.trim();
  }
}
