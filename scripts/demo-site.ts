import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteHandler } from '../test/helpers/site-server.ts';

/** The demo articles bundled in data/demo/articles, written for this project. */
export interface DemoArticle {
  slug: string;
  title: string;
  byline: string;
  date: string;
  category: string;
  paragraphs: string[];
}

const ARTICLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'demo', 'articles');

export function loadDemoArticles(dir = ARTICLES_DIR): DemoArticle[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((file) => {
      const [head, ...body] = readFileSync(join(dir, file), 'utf8').split(/\n\s*\n/);
      const meta = Object.fromEntries(
        head!.split('\n').map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      return {
        slug: file.replace(/\.txt$/, ''),
        title: meta.title!,
        byline: meta.byline!,
        date: meta.date!,
        category: meta.category!,
        paragraphs: body.map((p) => p.trim()).filter(Boolean),
      };
    });
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A realistic news page: navigation, share bar, related links and a newsletter box around the story. */
export function renderArticlePage(a: DemoArticle, origin: string, others: DemoArticle[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${esc(a.title)} | The Demo Gazette</title>
<meta property="og:title" content="${esc(a.title)}">
<meta property="og:site_name" content="The Demo Gazette">
<meta property="og:image" content="${origin}/images/${a.slug}.jpg">
<meta property="article:published_time" content="${a.date}">
<meta name="author" content="${esc(a.byline)}">
<link rel="stylesheet" href="/static/site.css"><script src="/static/tracker.js"></script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/tech">Tech</a> <a href="/science">Science</a> <a href="/subscribe">Subscribe</a></nav></header>
<main>
<div class="breadcrumbs"><a href="/">Home</a> › <a href="/${a.category.toLowerCase()}">${esc(a.category)}</a></div>
<article>
<h1>${esc(a.title)}</h1>
<p class="byline">By <span class="author">${esc(a.byline)}</span> · <time datetime="${a.date}">${a.date.slice(0, 10)}</time></p>
<div class="share"><a href="#">Share on X</a> <a href="#">Share on Facebook</a> <a href="#">Copy link</a></div>
${a.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}
</article>
<aside class="newsletter"><h3>Get the Gazette every morning</h3><form action="/signup"><input name="email"><button>Sign up</button></form></aside>
<aside class="related"><h3>Related stories</h3><ul>
${others.map((o) => `<li><a href="${origin}/articles/${o.slug}.html">${esc(o.title)}</a></li>`).join('\n')}
</ul></aside>
</main>
<footer><p>© 2026 The Demo Gazette · <a href="/privacy">Privacy</a> · <a href="/terms">Terms</a></p></footer>
</body></html>`;
}

/** An RSS 2.0 feed of the articles, linking to pages under `origin`. */
export function renderFeed(articles: DemoArticle[], origin: string): string {
  const items = articles
    .map(
      (a) => `<item>
  <title>${esc(a.title)}</title>
  <link>${origin}/articles/${a.slug}.html?utm_source=rss</link>
  <guid isPermaLink="false">demo-${a.slug}</guid>
  <pubDate>${new Date(a.date).toUTCString()}</pubDate>
  <description>${esc(a.paragraphs[0]!)}</description>
</item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>The Demo Gazette</title><link>${origin}/</link><description>Demo news for aiwins</description>
${items}
</channel></rss>`;
}

/** Routes for startSiteServer: /feed.xml (with an ETag) and /articles/<slug>.html. */
export function demoSiteRoutes(origin: string, articles = loadDemoArticles()): Record<string, RouteHandler> {
  const routes: Record<string, RouteHandler> = {
    '/feed.xml': { body: renderFeed(articles, origin), etag: '"demo-feed-v1"', headers: { 'content-type': 'application/rss+xml; charset=utf-8' } },
  };
  for (const a of articles) {
    routes[`/articles/${a.slug}.html`] = {
      body: renderArticlePage(a, origin, articles.filter((o) => o !== a)),
      headers: { 'content-type': 'text/html; charset=utf-8' },
    };
  }
  return routes;
}
