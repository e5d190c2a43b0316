/**
 * Extraction benchmark: our extractor beside plain Readability on jsdom, in one run, on a folder in the
 * ../shared/data layout (<dir>/<page-id>/{page.html, meta.json, expected.txt}).
 *
 *   npm run bench:extract -- ../shared/data/extraction-annotated-dev [--filter bbc] [--limit 50]
 *     [--half tune|test] [--variants readability-jsdom,ours,ours-pool] [--worst 10] [--json out.json]
 *     [--skip-rules link-dense,edge-lines]   (measure what one cleaning rule buys)
 *
 * `--half` splits a set in two by a hash of each page's id (stable: a page stays in its half whatever
 * else is added): tune the cleaning rules on `tune`, and report `test`, which they were not tuned on.
 *
 * Each variant runs in its own child process so its peak RSS is its own. The metric is the
 * scrapinghub article-extraction-benchmark's (evaluate.py): tokens are `\w+` runs, 4-word shingles
 * counted as multisets, per-page TP/FP/FN normalized to sum 1, precision averaged over pages that
 * predicted something, recall over pages that expect something, F1 = harmonic mean of the two means.
 * "word F1" is the same with single tokens instead of shingles.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CleanRule } from '../src/extract/clean.ts';

interface Page {
  id: string;
  url: string;
  html: Buffer;
}

interface PageResult {
  id: string;
  text: string;
  ms: number;
  error?: string;
  /** The text the quality gate refused (what `aiwins extract` prints with its "gate"), scored on a line of its own. */
  refusedText?: string;
}

interface VariantRun {
  variant: string;
  results: PageResult[];
  wallMs: number;
  peakRssMb: number;
}

const VARIANTS = ['readability-jsdom', 'ours', 'ours-pool'] as const;
type Variant = (typeof VARIANTS)[number];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

/** The half a page belongs to: the first bit of the SHA-256 of its id. */
function halfOf(id: string): 'tune' | 'test' {
  return createHash('sha256').update(id).digest()[0]! < 128 ? 'tune' : 'test';
}

function loadPages(dir: string): Page[] {
  const filter = arg('filter');
  const limit = Number(arg('limit') ?? Infinity);
  const half = arg('half');
  if (half !== undefined && half !== 'tune' && half !== 'test') {
    console.error(`--half: expected tune or test, got "${half}"`);
    process.exit(2);
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'page.html')))
    .map((e) => e.name)
    .filter((id) => !filter || id.includes(filter))
    .filter((id) => !half || halfOf(id) === half)
    .sort()
    .slice(0, limit)
    .map((id) => {
      const meta = JSON.parse(readFileSync(join(dir, id, 'meta.json'), 'utf8')) as { url: string };
      return { id, url: meta.url, html: readFileSync(join(dir, id, 'page.html')) };
    });
}

// --- the metric (scrapinghub evaluate.py, ported) ---

/** Python's `\w+` under re.UNICODE: letters, digits and numerics of any script, and underscore. */
const TOKEN_RE = /[\p{L}\p{N}_]+/gu;

function shingles(text: string, n: number): Map<string, number> {
  const tokens = text.match(TOKEN_RE) ?? [];
  const counts = new Map<string, number>();
  // As evaluate.py: a text shorter than n tokens is one short shingle; an empty text has none.
  for (let i = 0; i < Math.max(1, tokens.length - n + 1); i++) {
    const shingle = tokens.slice(i, i + n);
    if (shingle.length === 0) continue;
    const key = shingle.join('\u0001');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

type TpFpFn = [number, number, number];

function shingleMatch(truth: string, pred: string, n: number): TpFpFn {
  const t = shingles(truth, n);
  const p = shingles(pred, n);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const key of new Set([...t.keys(), ...p.keys()])) {
    const tc = t.get(key) ?? 0;
    const pc = p.get(key) ?? 0;
    tp += Math.min(tc, pc);
    fp += Math.max(0, pc - tc);
    fn += Math.max(0, tc - pc);
  }
  const sum = tp + fp + fn;
  return sum > 0 ? [tp / sum, fp / sum, fn / sum] : [0, 0, 0];
}

const precisionScore = ([tp, fp, fn]: TpFpFn): number => (fp === 0 && fn === 0 ? 1 : tp === 0 && fp === 0 ? 0 : tp / (tp + fp));
const recallScore = ([tp, fp, fn]: TpFpFn): number => (fp === 0 && fn === 0 ? 1 : tp === 0 && fn === 0 ? 0 : tp / (tp + fn));
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function aggregate(counts: TpFpFn[]): { f1: number; p: number; r: number } {
  const p = mean(counts.filter(([tp, fp]) => tp + fp > 0).map(precisionScore));
  const r = mean(counts.filter(([tp, , fn]) => tp + fn > 0).map(recallScore));
  return { f1: p + r > 0 ? (2 * p * r) / (p + r) : 0, p, r };
}

/** Per-page F1 (for the worst-pages list only; the headline F1 is evaluate.py's). */
function pageF1(c: TpFpFn): number {
  const p = precisionScore(c);
  const r = recallScore(c);
  return p + r > 0 ? (2 * p * r) / (p + r) : 0;
}

// --- the child: runs one variant over every page ---

async function runChild(dir: string, variant: Variant): Promise<void> {
  const pages = loadPages(dir);
  const contentType = 'text/html; charset=utf-8'; // the data's bytes are UTF-8, whatever <meta> says
  const results: PageResult[] = [];
  const started = performance.now();
  if (variant === 'readability-jsdom') {
    const { JSDOM, VirtualConsole } = await import('jsdom');
    const { Readability } = await import('@mozilla/readability');
    for (const page of pages) {
      const t0 = performance.now();
      let text = '';
      let error: string | undefined;
      const dom = new JSDOM(page.html, { url: page.url, contentType, virtualConsole: new VirtualConsole() });
      try {
        text = new Readability(dom.window.document).parse()?.textContent ?? '';
      } catch (err) {
        error = String(err);
      } finally {
        dom.window.close();
      }
      results.push({ id: page.id, text, ms: performance.now() - t0, error });
      await new Promise((resolve) => setImmediate(resolve)); // let jsdom release closed windows
    }
  } else if (variant === 'ours') {
    const skipRules = (arg('skip-rules')?.split(',') ?? []) as CleanRule[];
    const { extractArticleSync } = await import('../src/extract/extract.ts');
    for (const page of pages) {
      const t0 = performance.now();
      const outcome = extractArticleSync({ html: page.html, url: page.url, contentType }, { skipRules });
      results.push({
        id: page.id,
        text: outcome.ok ? outcome.value.text : '',
        ms: performance.now() - t0,
        error: outcome.ok ? undefined : `${outcome.failure.kind}: ${outcome.failure.message}`,
        refusedText: outcome.ok ? undefined : outcome.refused?.article.text,
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
  } else {
    const { createExtractor } = await import('../src/extract/pool.ts');
    const extractor = createExtractor();
    // Start-up (loading the DOM library per worker) is excluded: wait for one page first.
    await extractor.extract({ html: Buffer.from('<p>warm</p>'), url: 'http://warm.example/', contentType });
    const t0 = performance.now();
    const outcomes = await Promise.all(
      pages.map(async (page) => {
        const t = performance.now();
        const outcome = await extractor.extract({ html: page.html, url: page.url, contentType });
        return { page, outcome, ms: performance.now() - t };
      }),
    );
    for (const { page, outcome } of outcomes) {
      results.push({
        id: page.id,
        text: outcome.ok ? outcome.value.text : '',
        // Wall time per page of the whole pool run: what throughput the pool gives.
        ms: (performance.now() - t0) / pages.length,
        error: outcome.ok ? undefined : `${outcome.failure.kind}: ${outcome.failure.message}`,
      });
    }
    await extractor.close();
  }
  const run: VariantRun = {
    variant,
    results,
    wallMs: performance.now() - started,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.send!(run);
}

function runVariant(dir: string, variant: Variant): Promise<VariantRun> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [dir, '--child', variant, ...passThrough()], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let run: VariantRun | null = null;
    child.on('message', (m) => (run = m as VariantRun));
    child.on('exit', (code) => (run ? resolve(run) : reject(new Error(`${variant} exited with ${code}`))));
  });
}

function passThrough(): string[] {
  return ['filter', 'limit', 'half', 'skip-rules'].flatMap((name) => (arg(name) ? [`--${name}`, arg(name)!] : []));
}

const percentile = (xs: number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npm run bench:extract -- DIR [--filter S] [--limit N] [--half tune|test] [--variants a,b] [--worst N] [--json FILE]');
    process.exit(2);
  }
  const child = arg('child');
  if (child) return runChild(dir, child as Variant);

  const variants = (arg('variants')?.split(',') ?? ['readability-jsdom', 'ours']) as Variant[];
  const expected = new Map(loadPages(dir).map((p) => [p.id, readFileSync(join(dir, p.id, 'expected.txt'), 'utf8')]));
  console.log(`${dir}${arg('half') ? ` (half: ${arg('half')})` : ''}: ${expected.size} pages`);
  console.log('variant              F1     P      R      wordF1  ms/page (p50, p95)   peak RSS  errors/empty');
  const runs: VariantRun[] = [];
  for (const variant of variants) {
    const run = await runVariant(dir, variant);
    runs.push(run);
    const shingleCounts = run.results.map((r) => shingleMatch(expected.get(r.id)!, r.text, 4));
    const wordCounts = run.results.map((r) => shingleMatch(expected.get(r.id)!, r.text, 1));
    const s = aggregate(shingleCounts);
    const w = aggregate(wordCounts);
    const ms = run.results.map((r) => r.ms);
    const errors = run.results.filter((r) => r.error).length;
    const empty = run.results.filter((r) => !r.text).length;
    console.log(
      `${variant.padEnd(20)} ${s.f1.toFixed(4)} ${s.p.toFixed(3)}  ${s.r.toFixed(3)}  ${w.f1.toFixed(4)}  ` +
        `${mean(ms).toFixed(1).padStart(6)} (${percentile(ms, 0.5).toFixed(0)}, ${percentile(ms, 0.95).toFixed(0)})`.padEnd(22) +
        `   ${run.peakRssMb.toFixed(0).padStart(5)} MB  ${errors}/${empty}`,
    );
    const refused = run.results.filter((r) => r.refusedText !== undefined);
    if (refused.length > 0) {
      // As a caller of `aiwins extract` sees it: the refused pages' text scored too, not empty.
      const withRefused = run.results.map((r) => shingleMatch(expected.get(r.id)!, r.refusedText ?? r.text, 4));
      const g = aggregate(withRefused);
      const passed = aggregate(shingleCounts.filter((_, i) => run.results[i]!.refusedText === undefined));
      console.log(
        `  ${refused.length} refused by the gate; with their text: F1 ${g.f1.toFixed(4)} P ${g.p.toFixed(3)} R ${g.r.toFixed(3)}; ` +
          `on the ${run.results.length - refused.length} others: F1 ${passed.f1.toFixed(4)}`,
      );
    }
    const worst = Number(arg('worst') ?? 0);
    if (worst > 0) {
      const ranked = run.results
        .map((r, i) => ({ id: r.id, f1: pageF1(shingleCounts[i]!), p: precisionScore(shingleCounts[i]!), error: r.error }))
        .sort((a, b) => a.f1 - b.f1)
        .slice(0, worst);
      for (const r of ranked) console.log(`    ${r.f1.toFixed(3)} P=${r.p.toFixed(3)} ${r.id}${r.error ? ` (${r.error.slice(0, 80)})` : ''}`);
    }
  }
  const jsonOut = arg('json');
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(runs.map((r) => ({ variant: r.variant, results: r.results }))));
}

await main();
