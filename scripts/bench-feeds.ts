/**
 * Parse benchmark over a folder in the shared/data/feeds-dev layout (manifest.jsonl + files):
 * prints parse-ok, item-count matches and ms per feed. Usage: tsx scripts/bench-feeds.ts DIR [--verbose]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFeedFile } from '../src/parse/batch.ts';

interface Expectation { items?: number; first_title?: string; error?: boolean }
interface ManifestEntry { file: string; kind: string; family: string; url: string | null; expect?: Expectation; derived?: Expectation }

const dir = process.argv[2];
const verbose = process.argv.includes('--verbose');
if (!dir) {
  console.error('usage: tsx scripts/bench-feeds.ts DIR [--verbose]');
  process.exit(2);
}

const entries: ManifestEntry[] = readFileSync(join(dir, 'manifest.jsonl'), 'utf8')
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as ManifestEntry);

/** Items come back newest first, so the document's first title may sit anywhere. */
const titleFound = (items: { title: string | null }[], title: string): boolean =>
  items.some((i) => i.title === title.replace(/\s+/g, ' ').trim());

const tally = () => ({ shouldParse: 0, parsed: 0, shouldFail: 0, rejected: 0, withCount: 0, countOk: 0, withTitle: 0, titleOk: 0 });
const byKind = new Map<string, ReturnType<typeof tally>>();
const times: number[] = [];
let slowest = { file: '', ms: -1 };
const problems: string[] = [];

for (const entry of entries) {
  const expected: Expectation = { ...entry.derived, ...entry.expect };
  const result = await parseFeedFile(join(dir, entry.file), entry.url);
  times.push(result.ms);
  if (result.ms > slowest.ms) slowest = { file: entry.file, ms: result.ms };
  for (const key of ['all', entry.kind]) {
    const t = byKind.get(key) ?? tally();
    byKind.set(key, t);
    if (expected.error) {
      t.shouldFail += 1;
      if (!result.ok) t.rejected += 1;
      continue;
    }
    t.shouldParse += 1;
    if (!result.ok) continue;
    t.parsed += 1;
    if (expected.items !== undefined) {
      t.withCount += 1;
      if (result.items!.length === expected.items) t.countOk += 1;
    }
    if (expected.first_title !== undefined) {
      t.withTitle += 1;
      if (titleFound(result.items!, expected.first_title)) t.titleOk += 1;
    }
  }
  if (expected.error && result.ok) problems.push(`${entry.file}: parsed but should fail`);
  else if (!expected.error && !result.ok) problems.push(`${entry.file}: ${result.error}`);
  else if (result.ok && expected.items !== undefined && result.items!.length !== expected.items) {
    problems.push(`${entry.file}: ${result.items!.length} items, expected ${expected.items}`);
  } else if (result.ok && expected.first_title !== undefined && !titleFound(result.items!, expected.first_title)) {
    problems.push(`${entry.file}: first title "${expected.first_title.slice(0, 60)}" not found`);
  }
}

const pct = (n: number, d: number) => (d ? `${n}/${d} (${((100 * n) / d).toFixed(1)}%)` : '-');
console.log(`feeds: ${entries.length} in ${dir}`);
console.log('kind         parse-ok            rejected-as-expected  item-count-match    first-title-found');
for (const [kind, t] of byKind) {
  console.log(`${kind.padEnd(12)} ${pct(t.parsed, t.shouldParse).padEnd(19)} ${pct(t.rejected, t.shouldFail).padEnd(21)} ${pct(t.countOk, t.withCount).padEnd(19)} ${pct(t.titleOk, t.withTitle)}`);
}
const sorted = [...times].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
const mean = (times.reduce((a, b) => a + b, 0) / times.length).toFixed(2);
console.log(`ms per feed: mean ${mean}, p50 ${at(0.5)}, p95 ${at(0.95)}, max ${sorted[sorted.length - 1]!.toFixed(2)} (${slowest.file})`);
if (verbose || problems.length <= 30) for (const p of problems) console.log(`  ${p}`);
else console.log(`  ${problems.length} problems (--verbose lists them)`);
