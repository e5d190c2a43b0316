/**
 * `npm run bench:desk`: the editors' desk at a year's size. Seeds S stories (default 100,000) into
 * a fresh database through the Store, as runs and editors would leave them: realistic titles,
 * TL;DRs, takeaways quoting the article, articles of a few hundred words from a seeded generator;
 * most stories candidates, some approved or rejected. Then starts the real desk (`aiwins serve
 * --port 0`, a child process), logs in through its form, and times three pages over real HTTP on
 * 127.0.0.1, each R times after a warm-up: the queue (`GET /`), a search matching about 1% of the
 * stories (`GET /?q=glacier`) and story pages (`GET /stories/ID`, a different candidate each time).
 * Prints p50, p95 and the largest response per page against the targets (p95 < 200 ms, no page
 * over 300 KB), with PASS or FAIL.
 *
 * Usage: tsx scripts/bench-desk.ts [--stories S] [--runs R] [--warmup W] [--seed K] [--budget-s B] [--db postgres://...]
 * --budget-s: a page is timed R times, or fewer (at least 3) once its timed requests took B seconds
 * (default 180): the unpaged queue at 100,000 stories takes minutes a request. The table says how
 * many requests each figure is from.
 * --db postgres://USER@HOST:PORT/DB adds PostgreSQL beside SQLite, same seed: a database made for
 * the run on that server (through the URL's own database) and dropped at the end.
 * The last line of stdout is one line of figures per backend and page.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { copyStore, openStore, REASON_CODES, type Store } from '../src/store/index.ts';
import type { Article, Draft, Takeaway } from '../src/core/types.ts';
import { seededRandom } from '../test/helpers/random.ts';
import { sampleDraft } from '../test/helpers/stories.ts';
import { hashTestPassword } from '../test/helpers/desk.ts';
import { serveDesk, type ServedDesk } from '../test/helpers/serve.ts';
import { benchBackends, redactUrl, withBenchDatabase, type BenchBackend } from './bench-db.ts';

const { values: args } = parseArgs({
  options: {
    stories: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    'budget-s': { type: 'string', default: '180' },
    db: { type: 'string' },
  },
});
const positiveInt = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer, got ${v}`);
    process.exit(2);
  }
  return n;
};
const STORIES = positiveInt('stories', args.stories);
const RUNS = positiveInt('runs', args.runs);
const WARMUP = Number(args.warmup);
const SEED = positiveInt('seed', args.seed);
const BUDGET_S = positiveInt('budget-s', args['budget-s']);
/** A page slower than the budget allows is still timed this many times (its p95 is then its slowest). */
const MIN_RUNS = Math.min(3, RUNS);
const backends = benchBackends(args.db);

const P95_TARGET_MS = 200;
const SIZE_TARGET_KB = 300;
const EDITOR = { name: 'bench', password: 'bench-password-1' };
/** The search word: only the rare topic below uses it, so it matches that topic's share of stories. */
const SEARCH_WORD = 'glacier';
const SEARCH_SHARE = 0.01;

// ---------------------------------------------------------------------------------------------
// The generator: every story from the seeded random source, so both backends get the same stories.

const FEEDS = [
  'The Verge — AI', 'MIT Technology Review — AI', 'Google AI Blog', 'Ars Technica — AI', 'MIT News', 'Nature News', 'BBC Technology',
  'The Guardian — Technology', 'Wired — AI', 'IEEE Spectrum', 'Reuters Technology', 'Stat News', 'Carbon Brief', 'EdSurge', 'Rest of World',
  'TechCrunch — AI', 'Quanta Magazine', 'New Scientist', 'The Register — AI', 'Axios — AI', 'Science Daily', 'Grist', 'Nieman Lab', 'VentureBeat — AI',
];

interface Topic {
  task: string;
  short: string;
  category: string;
  unit: string;
}
const TOPICS: Topic[] = [
  { task: 'read retinal scans for early signs of eye disease', short: 'spots eye disease early', category: 'Health', unit: 'patients' },
  { task: 'forecast electricity demand on the regional grid', short: 'balances the power grid', category: 'Climate', unit: 'substations' },
  { task: 'find leaks in ageing water pipes', short: 'finds leaks in water pipes', category: 'Science', unit: 'kilometres of pipe' },
  { task: 'translate court documents into minority languages', short: 'translates court papers', category: 'Policy', unit: 'documents' },
  { task: 'map flood risk street by street', short: 'maps flood risk', category: 'Climate', unit: 'neighbourhoods' },
  { task: 'sort plastics at a recycling plant', short: 'sorts recycling', category: 'Climate', unit: 'tonnes' },
  { task: 'predict crop yields from soil and weather data', short: 'predicts harvests', category: 'Science', unit: 'farms' },
  { task: 'screen chest X-rays for tuberculosis', short: 'screens for tuberculosis', category: 'Health', unit: 'clinics' },
  { task: 'caption university lectures live for deaf students', short: 'captions lectures live', category: 'Education', unit: 'students' },
  { task: 'spot wildfire smoke in hilltop camera feeds', short: 'spots wildfires sooner', category: 'Climate', unit: 'cameras' },
  { task: 'tutor children who are learning to read', short: 'helps children read', category: 'Education', unit: 'pupils' },
  { task: 'design enzymes that break down plastic', short: 'designs plastic-eating enzymes', category: 'Research', unit: 'enzymes' },
  { task: 'route buses around traffic in real time', short: 'speeds up city buses', category: 'Business', unit: 'routes' },
  { task: 'detect fraud in small business loans', short: 'catches loan fraud', category: 'Business', unit: 'loans' },
  { task: 'summarise scientific papers for doctors', short: 'summarises research for doctors', category: 'Health', unit: 'papers' },
  { task: 'check building plans against safety codes', short: 'checks building plans', category: 'Policy', unit: 'plans' },
  { task: 'identify bird species from their songs', short: 'identifies birdsong', category: 'Science', unit: 'recordings' },
  { task: 'grade handwritten maths homework', short: 'grades maths homework', category: 'Education', unit: 'worksheets' },
  { task: 'plan warehouse deliveries with fewer empty trucks', short: 'cuts empty truck miles', category: 'Business', unit: 'deliveries' },
  { task: 'answer questions about public benefits', short: 'answers benefit questions', category: 'Products', unit: 'callers' },
];
/** The rare topic the search looks for, in about SEARCH_SHARE of stories. */
const RARE: Topic = { task: `measure ${SEARCH_WORD} melt from satellite images`, short: `tracks ${SEARCH_WORD} melt`, category: 'Climate', unit: `${SEARCH_WORD}s` };

const WHO = [
  ['Researchers at a university hospital', 'Hospital team'], ['A team of engineers', 'Engineers'], ["The city's transit agency", 'Transit agency'],
  ['A startup in Nairobi', 'Nairobi startup'], ['Scientists at a national laboratory', 'National lab'], ['A farmers’ cooperative', 'Farm cooperative'],
  ['Doctors in rural clinics', 'Rural doctors'], ['The regional grid operator', 'Grid operator'], ['Teachers at a public school', 'Teachers'],
  ['A coalition of libraries', 'Libraries'], ['A non-profit in São Paulo', 'Non-profit'], ['Volunteers at a mapping project', 'Mappers'],
  ['An open-source community', 'Open-source group'], ['Students at a technical college', 'Students'], ['A county health department', 'Health department'],
] as const;
const HOW = ['used a machine learning model to', 'trained a small neural network to', 'deployed an open-source system to', 'built a language model tool to', 'tested a vision model to', 'adapted a public model to'];
const RESULTS = [
  (n: number, u: string) => `The model caught ${n} percent of the cases that experts later confirmed, across ${n * 7} ${u}.`,
  (n: number, u: string) => `Costs fell by ${n} percent over the first year, covering ${n * 13} ${u}.`,
  (n: number, u: string) => `The pilot now covers ${n * 11} ${u}, up from a handful last spring.`,
  (n: number, u: string) => `Work that took a week now takes about ${Math.max(1, Math.round(n / 10))} hours for ${n * 3} ${u}.`,
  (n: number, u: string) => `Errors dropped by ${n} percent compared with the old manual process for ${u}.`,
];
const FILLER = [
  'The team published its methods and data so that others can check the results.',
  'Independent experts who reviewed the study called the results promising but early.',
  'The project was funded by a mix of public grants and philanthropic money.',
  'Staff were trained over several weeks before the system went live.',
  'People affected by the decisions can ask for a human to review them.',
  'The system runs on ordinary hardware, which keeps its running costs low.',
  'Earlier attempts failed because the data was patchy and badly labelled.',
  'The organisers say the next step is a larger trial with more sites.',
  'Privacy rules meant the data never left the organisation that collected it.',
  'Critics point out that the trial was small and ran for less than two years.',
  'Local officials said they would decide on a wider rollout after the summer.',
  'The researchers compared the tool against the best existing method.',
  'A second team is now trying to reproduce the findings independently.',
  'Much of the work went into cleaning records that had been kept on paper.',
  'Users said the tool was easy to learn, though it sometimes gave odd answers.',
  'The code is available under an open licence for anyone to reuse.',
  'Funding for the next phase has been promised but not yet paid out.',
  'Several other regions have asked to join the programme next year.',
];
const CONCERNS = ['small sample', 'no independent replication', 'vendor-funded study', 'speculative claims'];

interface SeedPlan {
  title: string;
  url: string;
  feed: string;
  published: string;
  article: Article;
  draft: Draft;
  decision: { action: 'approve' } | { action: 'reject'; reason: (typeof REASON_CODES)[number] } | null;
  rare: boolean;
}

function planStory(rng: () => number, k: number, yearStart: number): SeedPlan {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
  const rare = rng() < SEARCH_SHARE;
  const topic = rare ? RARE : pick(TOPICS);
  const [who, whoShort] = pick(WHO);
  const results = Array.from({ length: 2 + Math.floor(rng() * 3) }, () => pick(RESULTS)(5 + Math.floor(rng() * 90), topic.unit));
  const lead = `${who} ${pick(HOW)} ${topic.task}.`;
  // 5 to 9 paragraphs of 3 to 5 sentences: 250 to 500 words, the length of a short news story.
  const paragraphs = [`${lead} ${results[0]} ${pick(FILLER)}`];
  const count = 5 + Math.floor(rng() * 5);
  for (let p = 1; p < count; p++) {
    const sentences = Array.from({ length: 3 + Math.floor(rng() * 3) }, () => pick(FILLER));
    if (p < results.length) sentences.splice(1, 0, results[p]!);
    paragraphs.push(sentences.join(' '));
  }
  const text = paragraphs.join('\n\n');
  const title = `${whoShort} ${topic.short} with AI`;
  const takeaways: Takeaway[] = results.slice(0, 3).map((r) => {
    const quote = r.split(' ').slice(0, 8).join(' ');
    return { text: r.replace(/^The model/, 'It'), quote, grounded: true, supported: true };
  });
  const tone = rng();
  const framing =
    tone < 0.85
      ? { verdict: 'positive', score: 0.7, rationale: 'Concrete, measured benefit.', concerns: [], angle: `How ${topic.task.split(' ').slice(0, 4).join(' ')} helps.`, confidence: 0.8, recommendation: 'include' }
      : tone < 0.95
        ? { verdict: 'mixed', score: 0.2, rationale: 'Benefit reported, evidence thin.', concerns: [pick(CONCERNS)], angle: null, confidence: 0.5, recommendation: 'include_with_note' }
        : { verdict: 'uncertain', score: 0, rationale: 'Too early to tell.', concerns: [pick(CONCERNS)], angle: null, confidence: 0.4, recommendation: 'skip' };
  const draft = sampleDraft({
    headline: `${whoShort} ${topic.short}: ${results[0]!.split(',')[0]!.replace(/\.$/, '')}`.slice(0, 140),
    tldr: `${lead} ${results[0]}`,
    takeaways,
    deck: `${whoShort} put AI to work to ${topic.task}`,
    body: [lead, ...results.slice(1)],
    whyItMatters: `If it holds up, more places could ${topic.task} at lower cost.`,
    implications: [`Others can reuse the approach to ${topic.task}.`, 'A larger trial would show whether the gains last.'],
    category: topic.category,
    framing: framing as Draft['framing'],
    needsReview: rng() < 0.02,
  });
  const fate = rng();
  const decision = fate < 0.06 ? ({ action: 'approve' } as const) : fate < 0.1 ? ({ action: 'reject', reason: pick(REASON_CODES) } as const) : null;
  // Spread over a year, oldest first, a few minutes apart.
  const published = new Date(yearStart + Math.floor(((k + rng()) * 365 * 86_400_000) / STORIES)).toISOString();
  const url = `https://news.example/${published.slice(0, 10)}/story-${k}`;
  const words = text.split(/\s+/).length;
  const article: Article = {
    title,
    byline: null,
    siteName: 'News Example',
    publishedTime: published,
    lang: 'en',
    leadImage: null,
    text,
    html: paragraphs.map((p) => `<p>${p}</p>`).join(''),
    wordCount: words,
    readingMinutes: Math.max(1, Math.round(words / 230)),
    method: 'readability',
    confidence: 0.9,
  };
  return { title, url, feed: pick(FEEDS), published, article, draft, decision, rare };
}

// ---------------------------------------------------------------------------------------------
// Seeding, through the Store's public methods in the order a run and then editors use them.

interface Seeded {
  seconds: number;
  /** Candidate story ids (what story pages are timed on). */
  candidates: number[];
  rare: number;
  rareCandidates: number;
  approved: number;
  rejected: number;
}

/** Items per feed fetch: one transaction stores a batch of new items, as a feed with many items does. */
const BATCH = 500;

async function seed(store: Store, label: string): Promise<Seeded> {
  const started = performance.now();
  const now = new Date('2026-12-01T00:00:00.000Z');
  const yearStart = now.getTime() - 365 * 86_400_000;
  await store.feeds.sync(FEEDS.map((name, i) => ({ name, url: `https://feeds.example/${i}.xml` })), now);
  const feedIds = new Map((await store.feeds.active()).map((f) => [f.name, f.id]));
  await store.users.addUser(EDITOR.name, await hashTestPassword(EDITOR.password), now);
  // One run holds the lease through the whole seed, its claims long enough for any machine.
  const lease = await store.runs.start({ pid: process.pid, host: 'bench', now: new Date(), expiresAt: new Date(Date.now() + 86_400_000), isAlive: () => true });
  if (!lease.acquired) throw new Error('a run holds the lease');
  const rng = seededRandom(SEED);
  const out: Seeded = { seconds: 0, candidates: [], rare: 0, rareCandidates: 0, approved: 0, rejected: 0 };
  let lastReport = started;
  let firstItem: { id: number; url: string } | undefined;
  try {
    for (let from = 0; from < STORIES; from += BATCH) {
      const plans = Array.from({ length: Math.min(BATCH, STORIES - from) }, (_, i) => planStory(rng, from + i, yearStart));
      // A fetch's items come from one feed: group the batch by feed, one recordFetch each.
      const byFeed = new Map<string, SeedPlan[]>();
      for (const p of plans) byFeed.set(p.feed, [...(byFeed.get(p.feed) ?? []), p]);
      for (const [feed, group] of byFeed) {
        const { newIds } = await store.feeds.recordFetch(
          feedIds.get(feed)!,
          { status: 200, notModified: false, etag: null, lastModified: null, contentHash: `seed-${from}-${feed}`, permanentUrl: null, nextCheckAt: now },
          group.map((p) => ({ key: p.url, url: p.url, canonicalUrl: p.url, title: p.title, published: p.published, author: null, summary: null, content: null })),
          now,
        );
        if (newIds.length !== group.length) throw new Error(`recordFetch stored ${newIds.length} of ${group.length} items`);
        for (const [i, id] of newIds.entries()) {
          const p = group[i]!;
          await store.articles.save(id, p.article, p.url, now);
          if (!(await store.items.claim(id, lease.runId, new Date(Date.now() + 86_400_000), new Date()))) throw new Error(`cannot claim item ${id}`);
          if ((await store.drafts.save(id, lease.runId, p.draft, new Date(p.published))) === null) throw new Error(`draft of item ${id} not saved`);
          if (p.decision?.action === 'approve') {
            await store.editorial.decide(id, { action: 'approve', by: EDITOR.name, now });
            out.approved++;
          } else if (p.decision?.action === 'reject') {
            await store.editorial.decide(id, { action: 'reject', reason: p.decision.reason, by: EDITOR.name, now });
            out.rejected++;
          } else out.candidates.push(id);
          if (p.rare) {
            out.rare++;
            if (!p.decision) out.rareCandidates++;
          }
          // The seed's first item checks that recordFetch's ids follow the order of its items.
          if (from === 0 && i === 0) firstItem = { id, url: p.url };
        }
      }
      const done = Math.min(from + BATCH, STORIES);
      const t = performance.now();
      if (t - lastReport > 10_000 || done === STORIES) {
        lastReport = t;
        const s = (t - started) / 1000;
        console.log(`  ${label}: seeded ${done} / ${STORIES} stories in ${s.toFixed(0)} s (${(done / s).toFixed(0)}/s, about ${(((STORIES - done) * s) / done).toFixed(0)} s to go)`);
      }
    }
    const first = firstItem && (await store.items.get(firstItem.id));
    if (!first || first.url !== firstItem!.url) throw new Error(`item ${firstItem?.id} is not the seed's first story: ids do not follow the items' order`);
  } finally {
    await store.runs.finish(lease.runId, { status: 'completed', error: null, summary: {} }, new Date());
  }
  out.seconds = (performance.now() - started) / 1000;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Timing the desk over HTTP.

interface PageFigures {
  page: string;
  ms: number[];
  bytes: number[];
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/** Logs in through the desk's form as a browser on its origin would; returns the session cookie. */
async function login(origin: string): Promise<string> {
  const r = await request(`${origin}/login`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: EDITOR.name, password: EDITOR.password }).toString(),
  });
  await r.body.dump();
  const setCookie = r.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0];
  if (r.statusCode !== 303 || !cookie) throw new Error(`login: HTTP ${r.statusCode}`);
  return cookie;
}

/** One GET, timed from sending to the last byte of the body. */
async function timedGet(origin: string, path: string, cookie: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  // No client time limits: a page that takes minutes is a figure to print, not an error.
  const r = await request(`${origin}${path}`, { headers: { cookie }, headersTimeout: 0, bodyTimeout: 0 });
  const body = Buffer.from(await r.body.arrayBuffer());
  const ms = performance.now() - started;
  if (r.statusCode !== 200) throw new Error(`GET ${path}: HTTP ${r.statusCode}: ${body.toString('utf8').slice(0, 300)}`);
  return { ms, bytes: body.length };
}

async function measure(desk: ServedDesk, seeded: Seeded): Promise<PageFigures[]> {
  const cookie = await login(desk.url);
  // Story pages: a different candidate each time, spread over the year, so no page is served twice.
  const step = Math.max(1, Math.floor(seeded.candidates.length / (RUNS + WARMUP)));
  const storyIds = Array.from({ length: RUNS + WARMUP }, (_, i) => seeded.candidates[(i * step) % seeded.candidates.length]!);
  const pages: { page: string; path: (i: number) => string }[] = [
    { page: 'GET /', path: () => '/' },
    { page: `GET /?q=${SEARCH_WORD}`, path: () => `/?q=${SEARCH_WORD}` },
    { page: 'GET /stories/ID', path: (i) => `/stories/${storyIds[i]}` },
  ];
  const figures: PageFigures[] = [];
  for (const { page, path } of pages) {
    const f: PageFigures = { page, ms: [], bytes: [] };
    const started = performance.now();
    let timedMs = 0;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      if (f.ms.length >= MIN_RUNS && timedMs >= BUDGET_S * 1000) break;
      const r = await timedGet(desk.url, path(i), cookie);
      if (r.ms > 5000) console.log(`    ${page}: ${i < WARMUP ? 'warm-up' : `request ${f.ms.length + 1}`} took ${(r.ms / 1000).toFixed(1)} s, ${(r.bytes / 1024).toFixed(0)} KB`);
      if (i < WARMUP) continue;
      f.ms.push(r.ms);
      f.bytes.push(r.bytes);
      timedMs += r.ms;
    }
    const cut = f.ms.length < RUNS ? ` (stopped at the ${BUDGET_S} s budget)` : '';
    console.log(`  ${page}: ${f.ms.length} requests after ${WARMUP} warm-up in ${((performance.now() - started) / 1000).toFixed(1)} s${cut}`);
    figures.push(f);
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------

interface BackendResult {
  backend: BenchBackend;
  seeded?: Seeded;
  pages?: PageFigures[];
  error?: string;
}

/**
 * Seeds `location`, or, when an earlier backend was seeded, copies that database into it with
 * `aiwins db copy`'s code: the same rows on both backends, and minutes saved (seeding 100,000
 * stories through the store's API on PostgreSQL is a few hundred thousand round trips).
 */
async function benchOn(backend: BenchBackend, location: string, work: string, from?: { location: string; seeded: Seeded }): Promise<BackendResult> {
  let seeded: Seeded;
  const store = await openStore(location);
  try {
    if (from) {
      console.log(`${backend}: copying the seeded ${from.location} into ${redactUrl(location)}`);
      const started = performance.now();
      const source = await openStore(from.location, { access: 'read' });
      try {
        await copyStore(source, store);
      } finally {
        await source.close();
      }
      seeded = { ...from.seeded, seconds: (performance.now() - started) / 1000 };
    } else {
      console.log(`${backend}: seeding ${STORIES} stories into ${backend === 'postgres' ? redactUrl(location) : location}`);
      seeded = await seed(store, backend);
    }
  } finally {
    await store.close();
  }
  console.log(
    `${backend}: seeded in ${seeded.seconds.toFixed(1)} s: ${seeded.candidates.length} candidates, ${seeded.approved} approved, ${seeded.rejected} rejected; ` +
      `"${SEARCH_WORD}" in ${seeded.rare} stories (${seeded.rareCandidates} candidates)`,
  );
  const configPath = join(work, `${backend}.yaml`);
  writeFileSync(configPath, `# Written by scripts/bench-desk.ts\nfeeds:\n${FEEDS.map((name, i) => `  - name: ${JSON.stringify(name)}\n    url: https://feeds.example/${i}.xml`).join('\n')}\n`);
  const desk = await serveDesk({ dir: work, configPath, dbPath: location, writeConfig: () => {}, remove: () => {} });
  try {
    console.log(`${backend}: desk at ${desk.url}`);
    return { backend, seeded, pages: await measure(desk, seeded) };
  } finally {
    await desk.stop();
  }
}

const work = mkdtempSync(join(tmpdir(), 'aiwins-bench-desk-'));
const results: BackendResult[] = [];
console.log(`bench:desk: ${STORIES} stories (seed ${SEED}), ${RUNS} timed requests per page after ${WARMUP} warm-up, backends: ${backends.join(', ')}`);
try {
  for (const backend of backends) {
    try {
      const sqlite = results.find((r) => r.backend === 'sqlite' && r.seeded);
      const from = sqlite ? { location: join(work, 'desk.db'), seeded: sqlite.seeded! } : undefined;
      results.push(
        backend === 'sqlite'
          ? await benchOn(backend, join(work, 'desk.db'), work)
          : await withBenchDatabase(args.db!, 'desk', (location) => benchOn(backend, location, work, from)),
      );
    } catch (err) {
      // One backend failing (e.g. a store part not on PostgreSQL yet) still leaves the other's figures.
      const message = err instanceof Error ? err.message : String(err);
      console.log(`${backend}: FAILED: ${message}`);
      results.push({ backend, error: message });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
console.log('');
console.log(`${'page'.padEnd(18)}${'backend'.padEnd(10)}${'n'.padStart(4)}${'p50 ms'.padStart(10)}${'p95 ms'.padStart(9)}${'max KB'.padStart(10)}   p95 < ${P95_TARGET_MS} ms   size <= ${SIZE_TARGET_KB} KB`);
const line: string[] = [`desk stories=${STORIES}`];
for (const r of results) {
  if (r.seeded) line.push(`${r.backend}_seed_s=${r.seeded.seconds.toFixed(1)}`); // for a copied backend: the copy's time
  if (!r.pages) {
    console.log(`${'(all)'.padEnd(18)}${r.backend.padEnd(10)}  failed: ${r.error}`);
    line.push(`${r.backend}=failed`);
    continue;
  }
  for (const p of r.pages) {
    const ms = [...p.ms].sort((a, b) => a - b);
    const p50 = quantile(ms, 0.5);
    const p95 = quantile(ms, 0.95);
    const maxKb = Math.max(...p.bytes) / 1024;
    console.log(
      `${p.page.padEnd(18)}${r.backend.padEnd(10)}${String(p.ms.length).padStart(4)}${p50.toFixed(1).padStart(10)}${p95.toFixed(1).padStart(9)}${maxKb.toFixed(1).padStart(10)}   ${verdict(p95 < P95_TARGET_MS).padEnd(14)}   ${verdict(maxKb <= SIZE_TARGET_KB)}`,
    );
    const key = `${r.backend}_${p.page.replace(/^GET \//, '').replace(/\?q=.*/, 'search').replace('stories/ID', 'story') || 'queue'}`;
    line.push(`${key}_n=${p.ms.length} ${key}_p50_ms=${p50.toFixed(1)} ${key}_p95_ms=${p95.toFixed(1)} ${key}_max_kb=${maxKb.toFixed(1)}`);
  }
}
console.log(line.join(' '));
if (results.some((r) => r.error)) process.exitCode = 1;
