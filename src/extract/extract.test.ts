import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articleFromFeedContent, extractArticleSync, MAX_TEXT_BYTES } from './extract.ts';
import { checkGolden, goldenCases } from './golden-cases.ts';
import { startSiteServer, type SiteServer } from '../../test/helpers/site-server.ts';

describe('golden pages', () => {
  let server: SiteServer;
  beforeAll(async () => {
    server = await startSiteServer(); // every path answers 404; any request at all is a failure
  });
  afterAll(async () => {
    // Scripts never run and no subresource is fetched, for any case: a page must never make aiwins load anything.
    expect(server.requests).toEqual([]);
    await server.close();
  });

  for (const c of goldenCases()) {
    it(c.name, () => {
      checkGolden(c, extractArticleSync(c.request(server.origin)), server.origin);
    });
  }
});

const page = (body: string, head = ''): Uint8Array =>
  Buffer.from(`<!DOCTYPE html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`);

const paragraph = (n: number): string =>
  `Paragraph ${n} tells part of the story in plain words, with enough text to count as content for a reader.`;

describe('text', () => {
  it('separates blocks with blank lines and never glues words across them', () => {
    const body = `<article><h2>Heading</h2>${[1, 2, 3, 4].map((n) => `<p>${paragraph(n)}</p>`).join('')}
      <ul><li>first item</li><li>second item</li></ul><div>Trailing <b>bold</b>\n\n   text</div><p>${paragraph(5)}</p></article>`;
    const result = extractArticleSync({ html: page(body), url: 'https://news.example/a' });
    if (!result.ok) throw new Error(result.failure.message);
    const paragraphs = result.value.text.split('\n\n');
    expect(paragraphs).toContain(paragraph(3));
    expect(paragraphs).toContain('first item');
    expect(paragraphs).toContain('second item');
    expect(paragraphs).toContain('Trailing bold text');
    expect(result.value.text).not.toMatch(/reader\.Paragraph/);
  });

  it('treats <br><br> as a paragraph break', () => {
    const body = `<div id="story">${[1, 2, 3].map(paragraph).join('<br><br>')}</div>`;
    const result = extractArticleSync({ html: page(body), url: 'https://news.example/a' });
    if (!result.ok) throw new Error(result.failure.message);
    expect(result.value.text.split('\n\n')).toEqual([1, 2, 3].map(paragraph));
  });
});

describe('limits', () => {
  it('refuses a page of 200,000 elements as too large, quickly', () => {
    const result = extractArticleSync({ html: page('<p>word</p>'.repeat(200_000)), url: 'https://x.example/' });
    expect(result.ok ? 'ok' : result.failure.kind).toBe('extract.too_large');
  });

  it("refuses a page over Readability's element cap", () => {
    const result = extractArticleSync(
      { html: page('<span>a</span>'.repeat(3_000)), url: 'https://x.example/' },
      { maxElements: 2_000 },
    );
    expect(result.ok ? 'ok' : result.failure.message).toMatch(/too many elements|over the 2000-element limit/);
  });

  it('refuses absurdly deep nesting without running Readability on it', () => {
    const result = extractArticleSync({ html: page('<div>'.repeat(1_000) + 'x'), url: 'https://x.example/' });
    expect(result.ok ? 'ok' : result.failure.kind).toBe('extract.too_large');
  });

  it('refuses pages over the byte cap before parsing', () => {
    const result = extractArticleSync({ html: new Uint8Array(2_000), url: 'https://x.example/' }, { maxHtmlBytes: 1_000 });
    expect(result.ok ? 'ok' : result.failure.kind).toBe('extract.too_large');
  });

  it('falls back to the feed content when the page cannot be extracted', () => {
    const feedContent = [1, 2, 3].map((n) => `<p>${paragraph(n)}</p>`).join('');
    const result = extractArticleSync({ html: page('<div>'.repeat(1_000)), url: 'https://x.example/', feedContent });
    expect(result.ok && result.value.method).toBe('feed');
  });
});

describe('articleFromFeedContent', () => {
  it('builds an article from feed HTML, sanitized', () => {
    const html = `${[1, 2, 3].map((n) => `<p>${paragraph(n)}</p>`).join('')}<img src="x" onerror="alert(1)">`;
    const result = articleFromFeedContent(html, 'https://news.example/a', '  A   title ');
    if (!result.ok) throw new Error(result.failure.message);
    expect(result.value).toMatchObject({ title: 'A title', method: 'feed' });
    expect(result.value.text.split('\n\n')).toHaveLength(3);
    expect(result.value.html).not.toContain('onerror');
  });

  it('says empty for a teaser', () => {
    const result = articleFromFeedContent('<p>Read more…</p>', 'https://news.example/a');
    expect(result.ok ? 'ok' : result.failure.kind).toBe('extract.empty');
  });
});

describe('hostile sizes: huge text, huge articles', () => {
  it('refuses 5 MB of text as too large, and stores at most 200 KB of a long article', () => {
    const fiveMb = page(`<p>${'word '.repeat(1_100_000)}</p>`);
    const refused = extractArticleSync({ html: fiveMb, url: 'https://x.example/' });
    expect(refused.ok ? 'ok' : refused.failure.kind).toBe('extract.too_large');

    const long = page(`<article>${`<p>${paragraph(1)} ${'more words '.repeat(40)}</p>`.repeat(1_200)}</article>`);
    const result = extractArticleSync({ html: long, url: 'https://x.example/' });
    if (!result.ok) throw new Error(result.failure.message);
    expect(Buffer.byteLength(result.value.text)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(Buffer.byteLength(result.value.text)).toBeGreaterThan(MAX_TEXT_BYTES * 0.9);
    expect(result.value.text.endsWith('more words')).toBe(true); // cut at a paragraph break
  });

  it('keeps memory flat over 500 pages', () => {
    const html = page(`<article>${[1, 2, 3, 4, 5, 6].map((n) => `<p>${paragraph(n)}</p>`).join('')}</article>`);
    const run = (n: number): void => {
      for (let i = 0; i < n; i++) extractArticleSync({ html, url: `https://x.example/${i}` });
    };
    run(50); // warm up
    const before = process.memoryUsage().heapUsed;
    run(500);
    // Generous: a leak of a document per page (as jsdom windows left open) would be hundreds of MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });
});
