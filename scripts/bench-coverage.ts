/**
 * Duplicate-story benchmark: how often the coverage stage recognises another outlet's copy of a
 * story, and whether it ever merges two different stories.
 *
 *   npm run bench:coverage -- ../shared/data/extraction-annotated-dev ../shared/data/extraction-dev \
 *     [--feeds ../shared/data/feeds-dev] [--show 5] [--cache /tmp/coverage-pages.json] [--merges FILE]
 *
 * Page folders (<dir>/<id>/{page.html, meta.json}) are extracted with the real extractor. Each page
 * that passes the quality gate is one distinct article; `--feeds` adds the real feed items of a
 * corpus in the feeds-dev layout (manifest.jsonl) whose own text has at least 30 words (`--min-words`).
 *
 * Duplicates are built from each page, the way copies appear in feeds:
 *   template   the same paragraphs in another site's template (nav, related links, footer),
 *              extracted again; title with another site's suffix
 *   rewrite    a rewritten title (words moved, "Report:" label), the first paragraph cut, the
 *              last third cut (syndication excerpts end early)
 *   reorder    the lead's first two paragraphs swapped, a dateline paragraph of the outlet's own
 *   release    a press release (the page's paragraphs) quoted by two outlets, each with an intro
 *              paragraph taken from another real article and a paragraph of the release left out
 *              (a different one each), under different titles; the pair is the two outlets
 *
 * A pair counts as found when the LSH index makes it a candidate (a shared band key) and the
 * judge calls it a copy, exactly as the pipeline does. Negatives: every pair of distinct articles,
 * judged in full (not only the LSH candidates), so a false merge cannot hide behind the index.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bandKeys, coverageReason, DEFAULT_THRESHOLDS, likeness, signStory, wordsOf, type CoverageThresholds, type StorySignature } from '../src/coverage/index.ts';
import { extractArticleSync } from '../src/extract/index.ts';
import { parseFeed } from '../src/parse/index.ts';

interface Doc {
  id: string;
  title: string | null;
  text: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const dirs = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
if (dirs.length === 0) {
  console.error('usage: npm run bench:coverage -- PAGES_DIR... [--feeds FEEDS_DIR] [--show N]');
  process.exit(2);
}
const show = Number(arg('show') ?? 5);
/** Shorter texts are not taken as articles (a feed item of a few words is a headline, not a story). */
const MIN_WORDS = Number(arg('min-words') ?? 30);
// --merges FILE writes every merge among the distinct articles, with both texts' openings, for review.
const mergesFile = arg('merges');

function extract(html: string | Buffer, url: string): { title: string | null; text: string } | null {
  const r = extractArticleSync({ html: typeof html === 'string' ? new TextEncoder().encode(html) : new Uint8Array(html), url });
  return r.ok ? { title: r.value.title, text: r.value.text } : null;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const paragraphs = (text: string) => text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);

/** Another outlet's page around the same paragraphs: its own navigation, related links and footer. */
function otherTemplate(title: string, paras: readonly string[], related: readonly string[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)} | The Daily Wire Desk</title>
<meta property="og:site_name" content="The Daily Wire Desk"></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a> <a href="/tech">Technology</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>${escapeHtml(title)}</h1><p class="byline">By Staff and wire reports</p>
${paras.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
</article>
<aside><h2>Related stories</h2><ul>${related.map((r, i) => `<li><a href="/story/${i}">${escapeHtml(r)}</a></li>`).join('')}</ul></aside></main>
<footer><p>© 2026 The Daily Wire Desk. All rights reserved.</p><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
</body></html>`;
}

/** A headline rewritten the way another desk would: the second half first, a label in front. */
function rewriteTitle(title: string): string {
  const w = title.split(/\s+/);
  const half = Math.ceil(w.length / 2);
  return `Report: ${[...w.slice(half), ...w.slice(0, half)].join(' ')}`;
}

function loadPages(dir: string): Doc[] {
  const out: Doc[] = [];
  for (const id of readdirSync(dir).sort()) {
    const page = join(dir, id, 'page.html');
    if (!existsSync(page)) continue;
    const meta = JSON.parse(readFileSync(join(dir, id, 'meta.json'), 'utf8')) as { url: string; title?: string | null };
    const r = extract(readFileSync(page), meta.url);
    if (r && wordsOf(r.text).length >= MIN_WORDS) out.push({ id: `${dir.split('/').pop()}/${id}`, title: r.title ?? meta.title ?? null, text: r.text });
  }
  return out;
}

async function loadFeedItems(dir: string): Promise<Doc[]> {
  const out: Doc[] = [];
  const seen = new Set<string>();
  for (const line of readFileSync(join(dir, 'manifest.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const m = JSON.parse(line) as { file: string };
    const r = await parseFeed(readFileSync(join(dir, m.file)), 'https://example.org/');
    if (!r.ok) continue;
    for (const [n, it] of r.value.items.entries()) {
      const text = (it.content ?? it.summary ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
      if (wordsOf(text).length < MIN_WORDS) continue;
      const key = wordsOf(text).join(' ');
      if (seen.has(key)) continue; // the same item in several test files is one article
      seen.add(key);
      out.push({ id: `${m.file}#${n + 1}`, title: it.title ?? null, text });
    }
  }
  return out;
}

/**
 * Pairs of the corpus that are one story, checked by reading both texts: the dev sets were
 * crawled from Google News, so some stories are there twice (and a few feed items were posted twice). They are scored as found or missed
 * copies, not as distinct pairs.
 */
const KNOWN_COPIES: readonly [string, string, string][] = [
  ['extraction-annotated-dev/gn1-canberra.yourguide.com.au-77c361ce', 'extraction-annotated-dev/gn1-rousehill.yourguide.com.au-11bb473f', 'one story on two sites of the same group'],
  ['extraction-annotated-dev/gn1-cbs11tv.com-aa00507b', 'extraction-annotated-dev/gn1-sportsillustrated.cnn.com-6c414d50', 'one AP story'],
  ['extraction-annotated-dev/gn1-infobolsa.es-f459b29d', 'extraction-annotated-dev/gn1-streetinsider.com-b09fe710', 'one Business Wire press release'],
  ['extraction-annotated-dev/gn1-news24.com-70435bf4', 'extraction-annotated-dev/gn1-thepost.co.za-90808156', 'one wire story, another headline'],
  ['extraction-dev/lifehacker-post-comment-load', 'extraction-dev/lifehacker-working', 'the same page saved twice'],
  ['rbren__rss-parser/test/input/content-encoded.rss#4', 'rbren__rss-parser/test/input/content-encoded.rss#7', 'one Medium article, with and without its members note'],
  ['rbren__rss-parser/test/input/craigslist.rss#17', 'rbren__rss-parser/test/input/craigslist.rss#20', "one flat's ad posted twice, its availability date changed"],
];

/** Readability's synthetic test pages (lorem ipsum) are not articles. */
const isArticle = (d: Doc) => !/lorem ipsum|incididunt ut labore/i.test(d.text);

interface Pair {
  kind: string;
  a: Doc;
  b: Doc;
}

const titleOf = (p: Doc) => p.title ?? paragraphs(p.text)[0]!.slice(0, 80);

/** Each page's paragraphs in another outlet's template, extracted again (null when the gate refuses it). */
function templateCopies(pages: readonly Doc[]): (Doc | null)[] {
  return pages.map((p, i) => {
    const related = [1, 2, 3, 4, 5].map((k) => pages[(i + k) % pages.length]!.title ?? 'More news');
    const t = extract(otherTemplate(titleOf(p), paragraphs(p.text), related), `https://wiredesk.example/story/${i}`);
    return t ? { id: `${p.id}~template`, title: t.title, text: t.text } : null;
  });
}

function buildPairs(pages: readonly Doc[], templates: readonly (Doc | null)[]): Pair[] {
  const pairs: Pair[] = [];
  pages.forEach((p, i) => {
    const paras = paragraphs(p.text);
    const title = titleOf(p);
    const other = (k: number) => pages[(i + k) % pages.length]!;
    const t = templates[i];
    if (t) pairs.push({ kind: 'template', a: p, b: t });
    if (paras.length >= 3) {
      const kept = paras.slice(1, Math.max(2, Math.ceil((paras.length * 2) / 3)));
      pairs.push({ kind: 'rewrite', a: p, b: { id: `${p.id}~rewrite`, title: rewriteTitle(title), text: kept.join('\n\n') } });
    }
    if (paras.length >= 2) {
      const swapped = [`LONDON (Wire Desk) — Filed from the newsroom this morning.`, paras[1]!, paras[0]!, ...paras.slice(2)];
      pairs.push({ kind: 'reorder', a: p, b: { id: `${p.id}~reorder`, title, text: swapped.join('\n\n') } });
    }
    if (paras.length >= 4) {
      const introA = paragraphs(other(7).text)[0]!;
      const introB = paragraphs(other(11).text)[0]!;
      const drop = (k: number) => paras.filter((_, j) => j !== k);
      pairs.push({
        kind: 'release',
        a: { id: `${p.id}~outletA`, title: rewriteTitle(title), text: [introA, ...drop(paras.length - 1)].join('\n\n') },
        b: { id: `${p.id}~outletB`, title: `${title} - Business Daily`, text: [introB, ...drop(1)].join('\n\n') },
      });
    }
  });
  return pairs;
}

function sharesBand(a: StorySignature, b: StorySignature): boolean {
  const keys = new Set(bandKeys(a));
  return bandKeys(b).some((k) => keys.has(k));
}

async function main(): Promise<void> {
  const t0 = performance.now();
  // --cache FILE keeps the extracted pages between runs (extraction is most of the time).
  const cache = arg('cache');
  const feedsDir = arg('feeds');
  let pages: Doc[];
  let templates: (Doc | null)[];
  if (cache && existsSync(cache)) ({ pages, templates } = JSON.parse(readFileSync(cache, 'utf8')) as { pages: Doc[]; templates: (Doc | null)[] });
  else {
    pages = dirs.flatMap(loadPages);
    templates = templateCopies(pages);
    if (cache) writeFileSync(cache, JSON.stringify({ pages, templates }));
  }
  const feedItems = feedsDir ? await loadFeedItems(feedsDir) : [];
  const articles = [...pages, ...feedItems].filter(isArticle);
  const known = new Map(KNOWN_COPIES.map(([a, b, why]) => [`${a} ${b}`, why]));
  const isKnownCopy = (a: Doc, b: Doc) => known.has(`${a.id} ${b.id}`) || known.has(`${b.id} ${a.id}`);
  const distinct = articles;
  const tLoad = performance.now();
  const sign = (d: Doc) => signStory(d.title, d.text);
  const t: CoverageThresholds = DEFAULT_THRESHOLDS;

  // Positives.
  const pairs = buildPairs(pages, templates);
  const byId = new Map(articles.map((d) => [d.id, d]));
  for (const [a, b] of KNOWN_COPIES) if (byId.has(a) && byId.has(b)) pairs.push({ kind: 'in-corpus', a: byId.get(a)!, b: byId.get(b)! });
  const byKind = new Map<string, { n: number; found: number; missed: string[]; reasons: Record<string, number> }>();
  for (const pr of pairs) {
    const sa = sign(pr.a);
    const sb = sign(pr.b);
    const k = byKind.get(pr.kind) ?? { n: 0, found: 0, missed: [], reasons: {} };
    byKind.set(pr.kind, k);
    k.n++;
    const c = sharesBand(sa, sb) ? coverageReason(sb, sa, t) : null;
    if (c) {
      k.found++;
      k.reasons[c.reason] = (k.reasons[c.reason] ?? 0) + 1;
    } else {
      const l = likeness(sb, sa);
      k.missed.push(`${pr.b.id}: text ${l.text.toFixed(2)} contained ${l.contained.toFixed(2)} lead ${l.lead.toFixed(2)} title ${l.title.toFixed(2)} numbers ${l.numbers?.toFixed(2) ?? '-'}`);
    }
  }

  // Negatives: all pairs of distinct articles, judged in full.
  const tSign = performance.now();
  const sigs = distinct.map(sign);
  const signMs = (performance.now() - tSign) / distinct.length;
  let negPairs = 0;
  let candidates = 0;
  const falseMerges: string[] = [];
  const mergeDetails: unknown[] = [];
  const nearest: { text: number; contained: number; lead: number; title: number } = { text: 0, contained: 0, lead: 0, title: 0 };
  for (let i = 0; i < sigs.length; i++) {
    for (let j = i + 1; j < sigs.length; j++) {
      if (isKnownCopy(distinct[i]!, distinct[j]!)) continue;
      negPairs++;
      if (sharesBand(sigs[i]!, sigs[j]!)) candidates++;
      const l = likeness(sigs[i]!, sigs[j]!);
      nearest.text = Math.max(nearest.text, l.text);
      nearest.contained = Math.max(nearest.contained, Math.min(sigs[i]!.shingles, sigs[j]!.shingles) >= t.containedMinShingles ? l.contained : 0);
      nearest.lead = Math.max(nearest.lead, l.title >= t.title ? l.lead : 0);
      nearest.title = Math.max(nearest.title, l.title);
      const c = coverageReason(sigs[i]!, sigs[j]!, t);
      if (c) {
        falseMerges.push(`${distinct[i]!.id} ~ ${distinct[j]!.id}: ${c.reason} (text ${l.text.toFixed(2)} contained ${l.contained.toFixed(2)} lead ${l.lead.toFixed(2)} title ${l.title.toFixed(2)} numbers ${l.numbers?.toFixed(2) ?? '-'})`);
        mergeDetails.push({ a: distinct[i]!.id, b: distinct[j]!.id, reason: c.reason, likeness: l, titles: [distinct[i]!.title, distinct[j]!.title], openings: [distinct[i]!.text.slice(0, 300), distinct[j]!.text.slice(0, 300)] });
      }
    }
  }

  if (mergesFile) writeFileSync(mergesFile, mergeDetails.map((m) => JSON.stringify(m)).join('\n') + '\n');
  const totalPos = pairs.length;
  const found = [...byKind.values()].reduce((s, k) => s + k.found, 0);
  const fp = falseMerges.length;
  console.log(`distinct articles: ${distinct.length} (${pages.length} pages, ${feedItems.length} feed items, less ${pages.length + feedItems.length - articles.length} lorem-ipsum test pages; ${KNOWN_COPIES.length} pairs of them are known copies); duplicate pairs built: ${totalPos}; load ${((tLoad - t0) / 1000).toFixed(1)} s; signature ${signMs.toFixed(2)} ms/article`);
  console.log(
    `thresholds: text>=${t.text} | contained>=${t.contained} (min ${t.containedMinShingles} shingles) | title>=${t.title} and lead>=${t.lead}; ` +
      `never when numbers agree <${t.numbers} (${t.numbersMin}+ each) and text <${t.numbersUnlessText}`,
  );
  for (const [kind, k] of byKind) {
    console.log(`  ${kind.padEnd(9)} recall ${(k.found / k.n).toFixed(3)} (${k.found}/${k.n}; by ${Object.entries(k.reasons).map(([r, n]) => `${r} ${n}`).join(', ')})`);
    for (const m of k.missed.slice(0, show)) console.log(`      missed ${m}`);
  }
  console.log(`distinct pairs: ${negPairs}; LSH candidates among them: ${candidates}; false merges: ${fp}`);
  for (const m of falseMerges.slice(0, show)) console.log(`      merged ${m}`);
  console.log(`nearest distinct pair per rule: text ${nearest.text.toFixed(2)}, contained ${nearest.contained.toFixed(2)}, lead (titles >= ${t.title}) ${nearest.lead.toFixed(2)}, title ${nearest.title.toFixed(2)}`);
  const precision = found + fp === 0 ? 1 : found / (found + fp);
  console.log(`coverage pairs=${totalPos} recall=${(found / totalPos).toFixed(3)} precision=${precision.toFixed(4)} distinct=${distinct.length} distinct_pairs=${negPairs} false_merges=${fp}`);
}

await main();
