import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParsedFeed } from '../core/types.ts';
import { parseFeed } from './index.ts';

const NOW = new Date('2026-01-15T00:00:00Z');
const fixture = (name: string): Uint8Array => readFileSync(new URL(`./testdata/${name}`, import.meta.url));

async function parseOk(name: string, feedUrl: string | null = null, contentType?: string): Promise<ParsedFeed> {
  const outcome = await parseFeed(fixture(name), feedUrl, contentType, { now: NOW });
  if (!outcome.ok) throw new Error(`${name}: ${outcome.failure.kind} ${outcome.failure.message}`);
  return outcome.value;
}

async function parseFailure(bytes: Uint8Array) {
  const outcome = await parseFeed(bytes, 'https://example.com/feed', null, { now: NOW });
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.failure;
}

describe('parseFeed: formats', () => {
  it('reads RSS 2.0: newest first, ttl, plain-text titles and summaries, HTML content', async () => {
    const feed = await parseOk('rss2.xml', 'https://example.com/feed.xml');
    expect(feed.format).toBe('rss');
    expect(feed.title).toBe('Example & Co News');
    expect(feed.ttlMinutes).toBe(45);
    expect(feed.items.map((i) => i.guid)).toEqual(['story-4', 'story-2', 'story-1', 'story-3']);
    const newer = feed.items[1]!;
    expect(newer.title).toBe('Newer story & friends');
    expect(newer.published).toBe('2025-06-03T07:30:00.000Z');
    expect(newer.author).toBe('Ada Lovelace');
    expect(newer.summary).toBe('Short teaser');
    expect(newer.content).toBe('<p>The <strong>full</strong> text.</p>');
    const older = feed.items[2]!;
    expect(older.link).toBe('https://example.com/stories/older?utm_source=rss');
    expect(older.summary).toBe('Older summary & more');
    expect(older.categories).toEqual(['AI', 'Health']);
  });

  it('drops javascript: links, nulls bad dates and clamps future dates, each with a warning', async () => {
    const feed = await parseOk('rss2.xml', 'https://example.com/feed.xml');
    const script = feed.items.find((i) => i.guid === 'story-3')!;
    expect(script.link).toBeNull();
    expect(script.published).toBeNull();
    expect(feed.items.find((i) => i.guid === 'story-4')!.published).toBe(NOW.toISOString());
    expect(feed.warnings.join('\n')).toMatch(/dropped link "javascript:alert\(1\)"/);
    expect(feed.warnings.join('\n')).toMatch(/unparseable date "not a date at all"/);
    expect(feed.warnings.join('\n')).toMatch(/future date/);
  });

  it('reads <rss> without a version attribute', async () => {
    const feed = await parseOk('rss-noversion.xml');
    expect(feed.format).toBe('rss');
    expect(feed.items.map((i) => [i.title, i.link])).toEqual([['Only item', 'http://old.example.org/a']]);
  });

  it('reads RSS 1.0 (RDF) with Dublin Core dates and creators', async () => {
    const feed = await parseOk('rdf.xml');
    expect(feed.format).toBe('rdf');
    expect(feed.items.map((i) => i.title)).toEqual(['RDF item B', 'RDF item A']);
    expect(feed.items[1]).toMatchObject({ link: 'https://rdf.example/a', author: 'Grace', published: '2025-05-01T08:00:00.000Z', key: 'url:https://rdf.example/a' });
  });

  it('reads Atom 1.0, resolving links against xml:base at feed and entry level', async () => {
    const feed = await parseOk('atom10.xml', 'https://atom.example/blog/feed.atom');
    expect(feed.format).toBe('atom');
    expect(feed.title).toBe('Atom Blog');
    expect(feed.link).toBe('https://atom.example/');
    const [first, second] = feed.items;
    expect(first).toMatchObject({
      guid: 'urn:uuid:entry-1', link: 'https://atom.example/blog/posts/one.html', author: 'Linus',
      published: '2025-05-31T10:00:00.000Z', summary: 'Atom summary', content: '<p>Atom <b>content</b></p>', categories: ['Machine learning'],
    });
    expect(second!.link).toBe('https://other.example/x/two.html');
    expect(second!.summary).toBe('Plain <text> content');
    expect(second!.content).toBe('<p>Plain &lt;text&gt; content</p>');
  });

  it('reads Atom 0.3', async () => {
    const feed = await parseOk('atom03.xml');
    expect(feed.format).toBe('atom');
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]).toMatchObject({ title: 'Old Atom entry', link: 'http://atom03.example/2004/04/entry', summary: 'Old summary' });
  });

  it('reads JSON Feed 1.1 and 1.0, resolving relative URLs and dropping data: URLs', async () => {
    const feed = await parseOk('feed11.json', 'https://json.example/feed.json');
    expect(feed.format).toBe('json');
    expect(feed.items[0]).toMatchObject({
      key: 'guid:j1', link: 'https://json.example/posts/1', title: 'JSON one', author: 'Jay',
      published: '2025-04-01T15:00:00.000Z', categories: ['a', 'b'], image: 'https://json.example/img.png',
    });
    expect(feed.items[1]).toMatchObject({ guid: '2', link: null, content: '<p>Text only</p>\n<p>Second paragraph &amp; more</p>' });
    expect(feed.warnings.join('\n')).toMatch(/dropped link "data:/);
    const old = await parseOk('feed10.json');
    expect(old.items[0]).toMatchObject({ title: 'Ten', link: 'https://json10.example/x' });
  });

  it('returns ok with no items for a feed without items', async () => {
    const feed = await parseOk('empty-channel.xml');
    expect(feed).toMatchObject({ format: 'rss', title: 'Quiet feed', items: [] });
  });
});

describe('parseFeed: keys', () => {
  it('keys by guid, then canonical URL, then hash, and suffixes duplicates stably', async () => {
    const feed = await parseOk('rss-keys.xml');
    const keys = feed.items.map((i) => i.key);
    expect(keys.slice(0, 3)).toEqual(['guid:same', 'guid:same#2', 'url:https://keys.example/3']);
    expect(keys[3]).toMatch(/^hash:[0-9a-f]{32}$/);
    expect(feed.items[4]).toMatchObject({ key: 'guid:https://keys.example/5', link: 'https://keys.example/5' });
    expect(new Set(keys).size).toBe(keys.length);
    expect((await parseOk('rss-keys.xml')).items.map((i) => i.key)).toEqual(keys);
  });

});

describe('parseFeed: every item, and what was forgiven', () => {
  const rss = (items: string) => new TextEncoder().encode(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>${items}</channel></rss>`);
  const parse = async (bytes: Uint8Array) => {
    const outcome = await parseFeed(bytes, 'https://example.com/feed.xml', null, { now: NOW });
    if (!outcome.ok) throw new Error(outcome.failure.message);
    return outcome.value;
  };

  it('returns every item of a long feed, newest first: how many to take is the run\'s decision', async () => {
    const items = Array.from({ length: 175 }, (_, i) =>
      `<item><title>Story ${i}</title><guid>g${i}</guid><pubDate>${new Date(Date.UTC(2025, 0, 1) + i * 3600_000).toUTCString()}</pubDate></item>`,
    ).join('');
    const feed = await parse(rss(items));
    expect(feed.items).toHaveLength(175);
    expect(feed.items[0]!.guid).toBe('g174');
    expect(feed.items.at(-1)!.guid).toBe('g0');
    expect(feed.warnings).toEqual([]);
  });

  it('warns about items dropped or empty, and about the lenient fallback', async () => {
    const empty = await parse(rss('<item><title>Kept</title><guid>k</guid></item><item><custom>x</custom></item><item><pubDate>Mon, 02 Jun 2025 08:00:00 GMT</pubDate></item>'));
    expect(empty.items.map((i) => i.guid)).toEqual([null, 'k']); // the dated one first
    expect(empty.warnings.join('\n')).toMatch(/1 item\(s\) dropped: no link, id, title, date or content/);
    expect(empty.warnings.join('\n')).toMatch(/1 item\(s\) have no link, id, title or content/);
    const broken = await parse(rss('<item><title>A</title><link>https://example.com/a</link></item><item><title>B</item>'));
    expect(broken.items).toHaveLength(2);
    expect(broken.warnings.join('\n')).toMatch(/not well-formed XML .*read it leniently/);
  });

  it('keeps a sample of the warnings of a feed where every item is wrong', async () => {
    const items = Array.from({ length: 60 }, (_, i) => `<item><title>S${i}</title><guid>g${i}</guid><pubDate>nonsense</pubDate></item>`).join('');
    const feed = await parse(rss(items));
    expect(feed.items).toHaveLength(60);
    expect(feed.warnings).toHaveLength(20);
    expect(feed.warnings.at(-1)).toBe('... and 41 more warnings');
  });
});

describe('parseFeed: encodings', () => {
  it.each([
    ['windows-1252.xml', undefined, '“Smart” quotes – €5 café'],
    ['iso-8859-1.xml', undefined, 'Grüße aus Köln'],
    ['iso-8859-1-no-decl.xml', undefined, 'Crème brûlée'],
    ['iso-8859-1-no-decl.xml', 'application/rss+xml; charset=ISO-8859-1', 'Crème brûlée'],
    ['utf-8-wrong-decl.xml', undefined, 'naïve “UTF-8”'],
    ['utf-16le-bom.xml', undefined, 'Ünïcödé 16 ✓'],
    ['utf-16be-nobom.xml', undefined, 'Big endian ✓'],
    ['koi8-r.xml', undefined, 'Привет, мир'],
  ])('%s (%s) decodes to %s', async (name, contentType, title) => {
    const feed = await parseOk(name, null, contentType);
    expect(feed.items[0]!.title).toBe(title);
  });
});

describe('parseFeed: failures and hostile input', () => {
  it('rejects empty and whitespace bodies', async () => {
    expect((await parseFailure(new Uint8Array())).kind).toBe('parse.empty_body');
    expect((await parseFailure(new TextEncoder().encode(' \n\t '))).kind).toBe('parse.empty_body');
  });

  it('rejects HTML pages and non-feed JSON with messages that say what to do', async () => {
    const html = await parseFailure(fixture('not-a-feed.html'));
    expect(html.kind).toBe('parse.not_a_feed');
    expect(html.message).toMatch(/HTML page.*RSS\/Atom link/);
    const json = await parseFailure(fixture('not-a-feed.json'));
    expect(json.kind).toBe('parse.not_a_feed');
    expect(json.message).toMatch(/JSON/);
  });

  it('rejects truncated XML as invalid_xml', async () => {
    expect((await parseFailure(fixture('truncated.xml'))).kind).toBe('parse.invalid_xml');
  });

  it('never resolves external entities (XXE)', async () => {
    const outcome = await parseFeed(fixture('xxe.xml'), null, null, { now: NOW });
    const dump = JSON.stringify(outcome);
    expect(dump).not.toMatch(/root:/);
    expect(outcome.ok && outcome.value.items[0]!.title).toBe('&xxe;');
  });

  it('never expands nested entities (billion laughs)', async () => {
    const outcome = await parseFeed(fixture('billion-laughs.xml'), null, null, { now: NOW });
    expect(JSON.stringify(outcome).length).toBeLessThan(10_000);
    expect(outcome.ok && outcome.value.items[0]!.title).toBe('&lol9;');
  });

  it('rejects nesting deeper than 1,000 before parsing', async () => {
    const deep = `<rss version="2.0"><channel>${'<x>'.repeat(5_000)}${'</x>'.repeat(5_000)}<item><title>t</title></item></channel></rss>`;
    const failure = await parseFailure(new TextEncoder().encode(deep));
    expect(failure.kind).toBe('parse.invalid_xml');
    expect(failure.message).toMatch(/deep/);
  });

  it('refuses bodies over 10 MB before decoding', async () => {
    expect((await parseFailure(new Uint8Array(10 * 1024 * 1024 + 1).fill(0x20))).kind).toBe('parse.too_large');
  });

  it('caps summaries at 2,000 characters of plain text', async () => {
    const long = `<rss version="2.0"><channel><title>L</title><item><title>t</title><description>&lt;p&gt;${'word '.repeat(2_000)}&lt;/p&gt;</description></item></channel></rss>`;
    const outcome = await parseFeed(new TextEncoder().encode(long), null, null, { now: NOW });
    const summary = outcome.ok ? outcome.value.items[0]!.summary! : '';
    expect(summary.length).toBe(2_000);
    expect(summary).not.toMatch(/<p>/);
  });
});
