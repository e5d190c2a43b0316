/**
 * OPML 2.0 import and export of the feed list, and adding imported feeds to feeds.yaml text
 * without losing its comments. Pure: the CLI reads and writes the files.
 */
import { decodeXML } from 'entities';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { fail, ok, type Outcome } from '../core/failure.ts';
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
 * Reads the feeds of an OPML file: every outline with an xmlUrl, at any depth, named by its
 * title or text. Outlines without xmlUrl are folders (or links, ignored). DTDs with entity
 * declarations are refused outright (XXE, entity bombs); only XML's own entities are decoded.
 */
export function parseOpml(text: string): Outcome<OpmlFeed[]> {
  if (text.length > MAX_OPML_CHARS) return fail('config.invalid', `OPML file is over ${MAX_OPML_CHARS} characters; refused`);
  if (/<!ENTITY/i.test(text)) {
    return fail('config.invalid', 'OPML file declares XML entities (<!ENTITY>); refused as unsafe. Export it again from your reader.');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    return fail('config.invalid', `not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      processEntities: false,
      htmlEntities: false,
      parseAttributeValue: false,
      parseTagValue: false,
      isArray: (name) => name === 'outline',
    }).parse(text) as Record<string, unknown>;
  } catch (err) {
    return fail('config.invalid', `cannot read the OPML file: ${(err as Error).message}`);
  }
  const opml = objectAt(doc, 'opml');
  if (!opml) return fail('config.invalid', 'not an OPML file: the root element is not <opml>');
  const feeds: OpmlFeed[] = [];
  collect(objectAt(opml, 'body')?.outline, undefined, feeds);
  return ok(feeds);
}

function collect(outlines: unknown, folder: string | undefined, into: OpmlFeed[]): void {
  if (!Array.isArray(outlines)) return;
  for (const o of outlines) {
    if (!o || typeof o !== 'object') continue;
    const outline = o as Record<string, unknown>;
    const label = attr(outline, 'title') || attr(outline, 'text');
    const url = attr(outline, 'xmlUrl');
    if (url) {
      const category = folder ?? firstCategory(attr(outline, 'category'));
      into.push({ name: label || hostOf(url), url, ...(category ? { category } : {}) });
    }
    // A folder names the group of what it holds; a feed outline with children is rare but kept.
    collect(outline.outline, url ? folder : label || folder, into);
  }
}

/** An attribute, case-insensitive (some exporters write xmlurl), XML-decoded and trimmed. */
function attr(outline: Record<string, unknown>, name: string): string {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(outline)) {
    if (k.toLowerCase() === lower && typeof v === 'string') return decodeXML(v).replace(/\s+/g, ' ').trim();
  }
  return '';
}

/** OPML 2.0 `category` is comma-separated slash paths ("/Tech/AI"); the first one's last segment. */
function firstCategory(value: string): string | undefined {
  const first = value.split(',')[0]!.split('/').filter(Boolean).pop()?.trim();
  return first || undefined;
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = (value as Record<string, unknown>)[key];
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || url;
  } catch {
    return url;
  }
}

/** Writes an OPML 2.0 document: feeds without a category at the top, then one folder per category. */
export function renderOpml(feeds: readonly OpmlFeed[], title = 'aiwins feeds'): string {
  const outline = (f: OpmlFeed, indent: string) =>
    `${indent}<outline type="rss" text="${escapeXml(f.name)}" title="${escapeXml(f.name)}" xmlUrl="${escapeXml(f.url)}"/>`;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">', '  <head>', `    <title>${escapeXml(title)}</title>`, '  </head>', '  <body>'];
  const folders = new Map<string, OpmlFeed[]>();
  for (const f of feeds) {
    if (!f.category) lines.push(outline(f, '    '));
    else folders.set(f.category, [...(folders.get(f.category) ?? []), f]);
  }
  for (const [category, members] of folders) {
    lines.push(`    <outline text="${escapeXml(category)}" title="${escapeXml(category)}">`);
    for (const f of members) lines.push(outline(f, '      '));
    lines.push('    </outline>');
  }
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}

/** Escapes text for an XML attribute or element; drops characters XML 1.0 cannot carry. */
function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
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
