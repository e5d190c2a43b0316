import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { parseFeed as feedsmithParse } from 'feedsmith';
import { decodeHTML } from 'entities';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { openStore, type IssueWithStories } from '../store/index.ts';
import { parseFeed } from '../parse/index.ts';
import { HOSTILE_HEADLINE, seedStories, tenStories } from '../../test/helpers/newsletter.ts';
import { issueDocument, proposeIssueOrder, renderExport, type ExportFormat, type NewsletterSettings } from './index.ts';
import { forbiddenXmlChars } from '../core/xml-text.ts';
import { randomText, seededRandom, xmlProblems } from '../../test/helpers/xml-fuzz.ts';
import { feedLint } from '../../test/helpers/feed-lint.ts';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const NL: NewsletterSettings = {
  name: 'AI Wins',
  tagline: 'Good news about AI, checked',
  timezone: 'UTC',
  sourceName: 'feed',
  siteUrl: 'https://aiwins.example/',
  subscribeLine: 'Get AI Wins in your inbox',
  subscribeUrl: 'https://aiwins.example/subscribe',
};

let dir: string;
let issue: IssueWithStories;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aiwins-export-'));
  const path = join(dir, 'a.db');
  const stories = tenStories();
  // One story links somewhere no reader should be sent.
  stories[7] = { ...stories[7]!, url: 'javascript:alert(1)' };
  const ids = await seedStories(path, stories);
  const store = await openStore(path);
  await store.issues.create({ title: 'Week 48 <i>wins</i>', storyIds: proposeIssueOrder(await store.issues.unsentApproved()), now: new Date('2026-12-01T10:00:00Z') });
  issue = (await store.issues.withStories(1))!;
  await store.close();
  expect(issue.stories).toHaveLength(ids.length);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function render(format: ExportFormat, nl = NL, feedUrl: string | null = null): string {
  const out = renderExport(format, issue, issueDocument(issue, issue.stories), nl, { feedUrl });
  if (!out.ok) throw new Error(out.failure.message);
  return out.value;
}

function* elements(node: Node): Generator<Element> {
  if ('tagName' in node) yield node;
  if ('childNodes' in node) for (const c of node.childNodes) yield* elements(c);
  if ('content' in node && node.content) yield* elements(node.content as Node);
}

function text(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  return 'childNodes' in node ? node.childNodes.map(text).join('') : '';
}

const attr = (el: Element, name: string) => el.attrs.find((a) => a.name === name)?.value;

/** Where each of these strings first occurs after `from`, in order; -1 when one is missing or out of order. */
function inOrder(haystack: string, needles: string[]): boolean {
  let at = 0;
  for (const n of needles) {
    const i = haystack.indexOf(n, at);
    if (i < 0) return false;
    at = i + n.length;
  }
  return true;
}

// The newsletter story top to bottom (src/render's layout), with the fixture's text of each part.
const SECTIONS = ['Source:', 'TL;DR', 'Key Takeaways', 'Deck of story', 'Body of story', 'Why it matters:', 'Implication 1', 'Reader note of story'];

describe('the email HTML', () => {
  const html = () => render('html');

  it('is a fluid-hybrid table layout (full width, at most 600 px) with every style inline: no style, link or script elements, no external assets', () => {
    const doc = parse(html());
    const all = [...elements(doc)];
    expect(all.filter((e) => ['style', 'link', 'script', 'iframe', 'object', 'img'].includes(e.tagName))).toEqual([]);
    expect(all.filter((e) => e.attrs.some((a) => a.name.startsWith('on')))).toEqual([]);
    // The container is as wide as the screen up to 600 px: width 100% with max-width, never a fixed 600.
    const container = all.find((e) => e.tagName === 'table' && attr(e, 'class') === 'container');
    expect(container).toBeDefined();
    expect(attr(container!, 'width')).toBe('100%');
    expect(attr(container!, 'style')).toMatch(/(^|;)\s*max-width:\s*600px/);
    expect(attr(container!, 'style')).toMatch(/(^|;)\s*width:\s*100%/);
    // Nothing a phone sees is wider than the phone: no fixed pixel width outside Outlook's conditional comments.
    const fixed = all.filter((e) => /^\d+$/.test(attr(e, 'width') ?? '') || /(^|;)\s*(min-)?width:\s*\d+px/.test(attr(e, 'style') ?? ''));
    expect(fixed.map((e) => `${e.tagName} width=${attr(e, 'width')} style=${attr(e, 'style')}`)).toEqual([]);
    for (const tag of ['h1', 'h2', 'h3', 'p', 'ol', 'li', 'a', 'td']) {
      const unstyled = all.filter((e) => e.tagName === tag && !attr(e, 'style'));
      expect(unstyled.map((e) => `${tag}: ${text(e).slice(0, 40)}`)).toEqual([]);
    }
    // Only http(s) links; the javascript: source link is dropped, its name kept as text.
    const hrefs = all.filter((e) => e.tagName === 'a').map((e) => attr(e, 'href')!);
    expect(hrefs.length).toBeGreaterThan(10);
    for (const h of hrefs) expect(h).toMatch(/^https?:\/\//);
    expect(html()).not.toContain('javascript:');
  });

  it('has the header, each story with its sections in order and takeaways numbered 1..n, then the footer', () => {
    const doc = parse(html());
    const all = [...elements(doc)];
    const body = text(all.find((e) => e.tagName === 'body')!);
    expect(inOrder(body, ['AI Wins', 'Good news about AI, checked', 'Issue 1 · Tuesday, December 1, 2026', 'Week 48 <i>wins</i>'])).toBe(true);
    const stories = all.filter((e) => e.tagName === 'td' && attr(e, 'class') === 'story-cell');
    expect(stories).toHaveLength(10);
    stories.forEach((cell, i) => {
      const story = issue.stories[i]!;
      const t = text(cell);
      expect(inOrder(t, [story.draft!.category, story.draft!.headline, ...SECTIONS])).toBe(true);
      const lists = [...elements(cell)].filter((e) => e.tagName === 'ol');
      expect(lists).toHaveLength(1);
      const items = [...elements(lists[0]!)].filter((e) => e.tagName === 'li').map(text);
      expect(items).toEqual(story.draft!.takeaways.map((k) => k.text));
    });
    expect(body.trimEnd().endsWith('https://aiwins.example/')).toBe(true);
    expect(inOrder(body, [issue.stories[9]!.draft!.headline, 'Get AI Wins in your inbox'])).toBe(true);
  });

  it('keeps a title with <script> as text, and stays under Gmail\'s 102 KB clip for ten stories', () => {
    const out = html();
    const all = [...elements(parse(out))];
    const headlines = all.filter((e) => e.tagName === 'h2').map(text);
    expect(headlines).toContain(HOSTILE_HEADLINE);
    expect(all.some((e) => e.tagName === 'script' || e.tagName === 'b' || e.tagName === 'i')).toBe(false);
    expect(Buffer.byteLength(out)).toBeLessThan(102 * 1024);
  });
});

describe('for readers', () => {
  it('never shows the editors\' notes: an offline draft needing review goes out as its excerpt, without the notes', () => {
    const first = issue.stories[0]!;
    const offline = { ...first, needsReview: true, draft: { ...first.draft!, engine: 'extractive' as const, unsupportedClaims: [{ field: 'tldr', claim: '12,000' }] } };
    const doc = { ...issueDocument(issue, [offline]) };
    for (const format of ['markdown', 'html', 'text'] as const) {
      const out = renderExport(format, issue, doc, NL);
      if (!out.ok) throw new Error(out.failure.message);
      expect(out.value).toContain('Excerpt from the article');
      expect(out.value).not.toMatch(/offline draft|needs review|set aside/i);
    }
  });
});

describe('markdown and text', () => {
  it('markdown: header, stories with sections in order and takeaways 1..n, footer; markup in the text stays text', () => {
    const md = render('markdown');
    expect(md.startsWith('# Week 48 \\<i\\>wins\\</i\\>\n\n[AI Wins](https://aiwins.example/) · *Good news about AI, checked*\n')).toBe(true);
    expect(md).toContain('**Issue 1 · Tuesday, December 1, 2026**');
    const parts = md.split('\n\n---\n\n');
    expect(parts).toHaveLength(12);
    parts.slice(1, 11).forEach((part) => {
      expect(inOrder(part, ['## ', ...SECTIONS])).toBe(true);
      const numbers = [...part.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]));
      expect(numbers).toEqual([1, 2, 3, 4]);
    });
    expect(parts[11]).toBe('[Get AI Wins in your inbox](https://aiwins.example/subscribe)\n');
    // No raw tag survives: every < is escaped, so no Markdown renderer makes an element of it.
    expect(md).not.toMatch(/(^|[^\\])</m);
    expect(md).toContain('Robots \\<script\\>alert("x")\\</script\\>');
    expect(md).not.toContain('javascript:');
  });

  it('markdown headings nest: the issue title on top, each story one level below, its sections below that', () => {
    const levels = (md: string) => [...md.matchAll(/^(#{1,6}) (.*)$/gm)].map((m) => [m[1]!.length, m[2]!] as const);
    const headings = levels(render('markdown'));
    expect(headings[0]).toEqual([1, 'Week 48 \\<i\\>wins\\</i\\>']);
    expect(headings.filter(([l]) => l === 1)).toHaveLength(1);
    const stories = headings.filter(([l]) => l === 2).map(([, t]) => t);
    expect(stories).toHaveLength(10);
    expect(headings.filter(([l]) => l === 3).map(([, t]) => t)).toEqual(Array.from({ length: 10 }, () => ['TL;DR', 'Key Takeaways']).flat());
    headings.slice(1).forEach(([l], i) => expect(l, `heading ${i + 1}`).toBeLessThanOrEqual(headings[i]![0] + 1));
    // Without a title the issue's subject is the top heading.
    const untitled = renderExport('markdown', issue, { ...issueDocument(issue, issue.stories), title: null }, NL);
    if (!untitled.ok) throw new Error(untitled.failure.message);
    expect(levels(untitled.value)[0]).toEqual([1, 'AI Wins · Issue 1']);
  });

  it('text: the plain-text part, with no markup or control characters', () => {
    const t = render('text');
    expect(t.startsWith('AI WINS\nGood news about AI, checked\nIssue 1 · Tuesday, December 1, 2026\nWeek 48 <i>wins</i>')).toBe(true);
    expect(t).toContain(HOSTILE_HEADLINE);
    // eslint-disable-next-line no-control-regex
    expect(t).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    for (const s of issue.stories) expect(inOrder(t, [s.draft!.headline, ...SECTIONS])).toBe(true);
    expect(t.trimEnd().endsWith('Get AI Wins in your inbox: https://aiwins.example/subscribe\nhttps://aiwins.example/')).toBe(true);
  });

  it('json: the issue and its stories as the story JSON', () => {
    const j = JSON.parse(render('json'));
    expect(j.issue).toEqual({ number: 1, title: 'Week 48 <i>wins</i>', status: 'draft', createdAt: '2026-12-01T10:00:00.000Z', sentAt: null });
    expect(j.stories.map((s: { id: number }) => s.id)).toEqual(issue.stories.map((s) => s.id));
    expect(Object.keys(j.stories[0]).sort()).toEqual(['alsoCoveredBy', 'attempts', 'canonicalUrl', 'draft', 'duplicateOf', 'error', 'feed', 'id', 'needsReview', 'nextAttemptAt', 'published', 'review', 'sent', 'setAside', 'siteName', 'sourceItemId', 'status', 'title', 'url']);
  });
});

describe('the feeds', () => {
  for (const format of ['rss', 'atom', 'jsonfeed'] as const) {
    it(`${format}: aiwins' own parser and feedsmith read every field back`, async () => {
      const body = render(format);
      const ours = await parseFeed(new TextEncoder().encode(body), 'https://aiwins.example/feed', null, { now: new Date('2027-01-01T00:00:00Z') });
      if (!ours.ok) throw new Error(ours.failure.message);
      expect(ours.value.warnings).toEqual([]);
      expect(ours.value.title).toBe('AI Wins · Issue 1');
      expect(ours.value.link).toBe('https://aiwins.example/');
      expect(ours.value.items).toHaveLength(10);
      const byGuid = new Map(ours.value.items.map((it) => [it.guid, it]));
      for (const s of issue.stories) {
        const it = byGuid.get(`urn:aiwins:story:${s.id}`)!;
        expect(it, `story ${s.id}`).toBeDefined();
        // JSON Feed titles are plain text by its spec; aiwins' parser, lenient with the many feeds
        // that put HTML there, strips tags from them: the hostile title comes back without its tag.
        const title = format === 'jsonfeed' && s.draft!.headline === HOSTILE_HEADLINE ? 'Robots & "friends" win' : s.draft!.headline;
        expect(it.title).toBe(title);
        // The original article without its tracking parameters.
        expect(it.link).toBe(s.url!.startsWith('javascript:') ? null : s.canonicalUrl);
        expect(it.published).toBe(s.published!.toISOString());
        expect(it.summary).toBe(s.draft!.tldr);
        expect(it.categories).toEqual([s.draft!.category]);
        expect(it.content).toContain('Key Takeaways');
        for (const k of s.draft!.takeaways) expect(it.content).toContain(k.text.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
      }

      const theirs = feedsmithParse(body);
      expect(theirs.format).toBe(format === 'jsonfeed' ? 'json' : format);
      const f = theirs.feed as Record<string, any>;
      const items: any[] = f.items ?? f.entries;
      expect(items).toHaveLength(10);
      // RSS titles are entity-encoded HTML (see feeds.ts); Atom's are typed HTML, JSON Feed's plain text.
      const titleOf = (i: any): string => (format === 'rss' ? decodeHTML(i.title) : format === 'atom' ? decodeHTML(i.title.value) : i.title);
      expect(items.map(titleOf).sort()).toEqual(issue.stories.map((s) => s.draft!.headline).sort());
      const hostile = items.find((i) => titleOf(i) === HOSTILE_HEADLINE);
      expect(hostile, 'the <script> title comes back as the same text').toBeDefined();
    });
  }

  it('a feed needs the newsletter\'s home page', () => {
    const { siteUrl: _, ...noSite } = NL;
    const out = renderExport('rss', issue, issueDocument(issue, issue.stories), noSite);
    expect(out).toMatchObject({ ok: false, failure: { kind: 'config.invalid', message: expect.stringMatching(/newsletter\.siteUrl/) } });
  });
});

describe('what feed validators require', () => {
  const SELF = 'https://aiwins.example/feeds/issue-1.xml';

  it('atom: an author on the feed (the newsletter), every entry an id IRI, a title, an updated date; a self link when the URL is known', () => {
    const xml = render('atom', NL, SELF);
    const feed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml).feed;
    expect(feed.author).toEqual({ name: 'AI Wins', uri: 'https://aiwins.example/' });
    const links = [feed.link].flat();
    expect(links).toEqual(expect.arrayContaining([{ '@href': SELF, '@rel': 'self', '@type': 'application/atom+xml' }, { '@href': 'https://aiwins.example/', '@rel': 'alternate', '@type': 'text/html' }]));
    expect(feed.updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const entries = [feed.entry].flat();
    expect(entries).toHaveLength(10);
    for (const e of entries) {
      expect(e.id).toMatch(/^urn:aiwins:story:\d+$/);
      expect(e.title['#text']).toBeTruthy();
      expect(e.updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
    expect(render('atom')).not.toContain('rel="self"');
  });

  it('rss: atom:link rel="self" in the atom namespace when the URL is known; guids are not permalinks; RFC 822 dates', () => {
    const xml = render('rss', NL, SELF);
    const rss = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml).rss;
    expect(rss['@xmlns:atom']).toBe('http://www.w3.org/2005/Atom');
    expect(rss.channel['atom:link']).toEqual({ '@href': SELF, '@rel': 'self', '@type': 'application/rss+xml' });
    const rfc822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d (GMT|[+-]\d{4})$/;
    expect(rss.channel.lastBuildDate).toMatch(rfc822);
    for (const item of rss.channel.item) {
      expect(item.pubDate).toMatch(rfc822);
      expect(item.guid['@isPermaLink']).toBe('false');
    }
    expect(render('rss')).not.toContain('atom:link');
  });

  it('rss and atom: nothing the W3C validator reports, for the issue and for a story whose link and text test its rules', () => {
    for (const format of ['rss', 'atom'] as const) expect(feedLint(render(format, NL, SELF)), format).toEqual([]);
    // A link with characters a URI must percent-encode, text with a replacement character and
    // tags, an empty category, a home page without its trailing slash.
    const odd = {
      ...issue.stories[0]!,
      canonicalUrl: null,
      url: 'https://news.example/a?filter[tag]=x|y&q={z}^`#frag',
      draft: { ...issue.stories[0]!.draft!, headline: 'Caf\uFFFD <b>bold</b> </p> & &amp; win', tldr: 'A <i>summary</i> \u0085', category: '\u0001' },
    };
    const doc = issueDocument(issue, [odd, ...issue.stories.slice(1)]);
    for (const format of ['rss', 'atom'] as const) {
      const out = renderExport(format, issue, doc, { ...NL, siteUrl: 'https://AIWins.example', name: 'AI Wins \uFFFD' }, { feedUrl: 'https://aiwins.example/feed ünï.xml' });
      if (!out.ok) throw new Error(out.failure.message);
      expect(feedLint(out.value), format).toEqual([]);
      expect(out.value).toMatch(/https:\/\/news\.example\/a\?filter%5Btag%5D=x%7Cy(&|&amp;)q=%7Bz%7D%5E%60#frag/);
    }
    // The check itself finds what it looks for.
    expect(feedLint('<rss version="2.0"><channel><title>t</title><link>https://x.example/</link><description>d</description><item><title>x</title></item></channel></rss>')).toEqual(['MissingAtomSelfLink', 'MissingGuid: item 1']);
    expect(feedLint('<feed xmlns="http://www.w3.org/2005/Atom"><id>https://x.example/</id><title>a</title><updated>1970-01-01T00:00:00Z</updated><entry><id>urn:x:1</id><title>&lt;/b&gt;</title><updated>2026-01-01T00:00:00Z</updated><summary>s</summary></entry></feed>')).toEqual([
      'ImplausibleDate: feed updated "1970-01-01T00:00:00Z"',
      'MissingSelf',
      'MissingElement: entry 1 author',
      'ContainsUndeclaredHTML: entry 1 title',
    ]);
  });

  it('atom and jsonfeed: an entry is updated when its text is newer than its publication (an editor\'s edit), and the feed with it', () => {
    const edited = { ...issue.stories[0]!, draft: { ...issue.stories[0]!.draft!, createdAt: new Date('2026-12-05T08:00:00Z') } };
    const doc = issueDocument(issue, [edited, ...issue.stories.slice(1)]);
    const atom = renderExport('atom', issue, doc, NL);
    if (!atom.ok) throw new Error(atom.failure.message);
    const feed = new XMLParser().parse(atom.value).feed;
    const entry = [feed.entry].flat().find((e: { id: string }) => e.id === `urn:aiwins:story:${edited.id}`);
    expect(entry.published).toBe(edited.published!.toISOString());
    expect(entry.updated).toBe('2026-12-05T08:00:00.000Z');
    expect(feed.updated).toBe('2026-12-05T08:00:00.000Z');
    const json = renderExport('jsonfeed', issue, doc, NL);
    if (!json.ok) throw new Error(json.failure.message);
    const item = JSON.parse(json.value).items.find((i: { id: string }) => i.id === `urn:aiwins:story:${edited.id}`);
    expect(item).toMatchObject({ date_published: edited.published!.toISOString(), date_modified: '2026-12-05T08:00:00.000Z' });
    // A draft made before the item's date (the usual order is the other way) changes nothing.
    const plain = JSON.parse(render('jsonfeed')).items[0];
    expect(plain.date_modified).toBeUndefined();
  });

  it('entryDates: the item\'s date, else the text\'s; modified only when the text is newer', async () => {
    const { entryDates } = await import('./feeds.ts');
    const d = (iso: string) => new Date(iso);
    expect(entryDates(d('2026-11-20T09:00:00Z'), d('2026-11-20T10:00:00Z'))).toEqual({ date: d('2026-11-20T09:00:00Z'), modified: d('2026-11-20T10:00:00Z') });
    expect(entryDates(d('2026-11-20T09:00:00Z'), d('2026-11-20T09:00:00Z'))).toEqual({ date: d('2026-11-20T09:00:00Z'), modified: null });
    expect(entryDates(d('2026-11-21T09:00:00Z'), d('2026-11-20T09:00:00Z'))).toEqual({ date: d('2026-11-21T09:00:00Z'), modified: null });
    expect(entryDates(null, d('2026-11-20T09:00:00Z'))).toEqual({ date: d('2026-11-20T09:00:00Z'), modified: null });
  });

  it('jsonfeed: feed_url when the URL is known, and the newsletter as the author', () => {
    const feed = JSON.parse(render('jsonfeed', NL, 'https://aiwins.example/feed.json'));
    expect(feed.feed_url).toBe('https://aiwins.example/feed.json');
    expect(feed.authors).toEqual([{ name: 'AI Wins', url: 'https://aiwins.example/' }]);
    expect(JSON.parse(render('jsonfeed')).feed_url).toBeUndefined();
  });
});

describe('characters XML forbids', () => {
  // Every text a story, its feed or the settings carry, replaced by random strings full of
  // C0 controls, U+FFFE/U+FFFF, lone surrogates and valid astral characters.
  function hostileDocument(seed: number) {
    const rnd = seededRandom(seed);
    const t = () => randomText(rnd);
    const stories = issue.stories.map((s) => ({
      ...s,
      feed: t(),
      siteName: t(),
      draft: {
        ...s.draft!,
        // A marker with astral characters, to see they come through whole.
        headline: `MARK😀𝔸 ${t()}`,
        tldr: t(),
        takeaways: s.draft!.takeaways.map((k) => ({ ...k, text: t() })),
        deck: t(),
        body: [t(), t()],
        whyItMatters: t(),
        implications: [t()],
        readerNote: t(),
        category: t(),
      },
    }));
    // The name is the editor's own setting (never empty); the rest may be anything.
    const nl: NewsletterSettings = { ...NL, name: `AI Wins ${t()}`, tagline: t(), subscribeLine: t() };
    return { doc: { ...issueDocument(issue, stories), title: t() }, nl };
  }

  it('random strings through the real RSS, Atom and JSON Feed writers give well-formed XML and valid JSON', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { doc, nl } = hostileDocument(seed);
      for (const format of ['rss', 'atom'] as const) {
        const out = renderExport(format, issue, doc, nl, { feedUrl: 'https://aiwins.example/feed.xml' });
        if (!out.ok) throw new Error(out.failure.message);
        expect(xmlProblems(out.value), `${format}, seed ${seed}`).toEqual([]);
        expect(feedLint(out.value), `${format}, seed ${seed}: validator findings`).toEqual([]);
        expect(out.value.split('MARK😀𝔸').length - 1, `${format}, seed ${seed}: astral characters kept`).toBeGreaterThanOrEqual(10);
        const parsed = new XMLParser({ ignoreAttributes: false }).parse(out.value);
        expect([format === 'rss' ? parsed.rss.channel.item : parsed.feed.entry].flat()).toHaveLength(10);
      }
      const json = renderExport('jsonfeed', issue, doc, nl);
      if (!json.ok) throw new Error(json.failure.message);
      const feed = JSON.parse(json.value);
      expect(feed.items, `seed ${seed}`).toHaveLength(10);
      const strings: string[] = [];
      const walk = (v: unknown): void => {
        if (typeof v === 'string') strings.push(v);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      walk(feed);
      expect(strings.flatMap(forbiddenXmlChars), `jsonfeed, seed ${seed}`).toEqual([]);
      expect(feed.items.every((i: { title: string }) => i.title.startsWith('MARK😀𝔸'))).toBe(true);
    }
  });

  it('the check itself sees a forbidden character, a forbidden reference and a broken document', () => {
    expect(xmlProblems('<a>x\u0001</a>')).toEqual(['strict parser: 1:5: disallowed character.', 'forbidden character U+0001 at 4']);
    expect(xmlProblems('<a>\uD800</a>')).toContain('forbidden character U+D800 at 3');
    expect(xmlProblems('<a>&#xFFFE;</a>')).toContain('forbidden character reference &#xFFFE;');
    expect(xmlProblems('<a><![CDATA[&#1;]]></a>')).toEqual([]);
    expect(xmlProblems('<a><b></a>')).not.toEqual([]);
    expect(XMLValidator.validate('<a>ok 😀</a>')).toBe(true);
  });
});

describe('tracking parameters', () => {
  it('no link the newsletter prints keeps them, in any format; other parameters and the fragment stay', () => {
    const tracked = { ...issue.stories[0]!, canonicalUrl: null, url: 'https://news.example/x?id=7&utm_source=feed&fbclid=abc&mc_eid=1#part-2' };
    const doc = issueDocument(issue, [tracked, ...issue.stories.slice(1)]);
    for (const format of ['markdown', 'html', 'text', 'rss', 'atom', 'jsonfeed'] as const) {
      const out = renderExport(format, issue, doc, NL, { feedUrl: 'https://aiwins.example/feed.xml' });
      if (!out.ok) throw new Error(out.failure.message);
      expect(out.value, format).not.toMatch(/utm_|fbclid|mc_eid/);
      expect(out.value, format).toMatch(/https:\/\/news\.example\/x\?id=7(&amp;)?#part-2/);
    }
  });
});

describe('markdown links', () => {
  it('a ")" in a URL cannot end the link early', async () => {
    const { linkTarget } = await import('../render/index.ts');
    expect(linkTarget('https://x.example/a_(b) c')).toBe('https://x.example/a_%28b%29%20c');
    // A non-ASCII space is written as its UTF-8 bytes.
    expect(linkTarget('https://x.example/a\u00A0b')).toBe('https://x.example/a%C2%A0b');
  });
});

describe('determinism', () => {
  it('the same issue renders to the same bytes in every format', () => {
    for (const f of ['markdown', 'html', 'text', 'json', 'rss', 'atom', 'jsonfeed'] as const) expect(render(f)).toBe(render(f));
  });
});
