import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { parseFeed as feedsmithParse } from 'feedsmith';
import { decodeHTML } from 'entities';
import { openStore, type IssueWithStories } from '../store/index.ts';
import { parseFeed } from '../parse/index.ts';
import { HOSTILE_HEADLINE, seedStories, tenStories } from '../../test/helpers/newsletter.ts';
import { issueDocument, proposeIssueOrder, renderExport, type ExportFormat, type NewsletterSettings } from './index.ts';

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

function render(format: ExportFormat, nl = NL): string {
  const out = renderExport(format, issue, issueDocument(issue, issue.stories), nl);
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

  it('is a 600 px table layout with every style inline: no style, link or script elements, no external assets', () => {
    const doc = parse(html());
    const all = [...elements(doc)];
    expect(all.filter((e) => ['style', 'link', 'script', 'iframe', 'object', 'img'].includes(e.tagName))).toEqual([]);
    expect(all.filter((e) => e.attrs.some((a) => a.name.startsWith('on')))).toEqual([]);
    const container = all.find((e) => e.tagName === 'table' && attr(e, 'width') === '600');
    expect(container).toBeDefined();
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
    expect(md.startsWith('# [AI Wins](https://aiwins.example/)\n')).toBe(true);
    expect(md).toContain('**Issue 1 · Tuesday, December 1, 2026**');
    const parts = md.split('\n\n---\n\n');
    expect(parts).toHaveLength(12);
    parts.slice(1, 11).forEach((part) => {
      expect(inOrder(part, ['# ', ...SECTIONS])).toBe(true);
      const numbers = [...part.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]));
      expect(numbers).toEqual([1, 2, 3, 4]);
    });
    expect(parts[11]).toBe('[Get AI Wins in your inbox](https://aiwins.example/subscribe)\n');
    // No raw tag survives: every < is escaped, so no Markdown renderer makes an element of it.
    expect(md).not.toMatch(/(^|[^\\])</m);
    expect(md).toContain('Robots \\<script\\>alert("x")\\</script\\>');
    expect(md).not.toContain('javascript:');
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
        expect(it.link).toBe(s.url!.startsWith('javascript:') ? null : s.url);
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
      // RSS titles are entity-encoded HTML (see feeds.ts); Atom's are typed text, JSON Feed's plain text.
      const titleOf = (i: any): string => (format === 'rss' ? decodeHTML(i.title) : format === 'atom' ? i.title.value : i.title);
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

describe('markdown links', () => {
  it('a ")" in a URL cannot end the link early', async () => {
    const { linkTarget } = await import('./issue.tsx');
    expect(linkTarget('https://x.example/a_(b) c')).toBe('https://x.example/a_%28b%29%20c');
  });
});

describe('determinism', () => {
  it('the same issue renders to the same bytes in every format', () => {
    for (const f of ['markdown', 'html', 'text', 'json', 'rss', 'atom', 'jsonfeed'] as const) expect(render(f)).toBe(render(f));
  });
});
