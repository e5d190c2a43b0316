/**
 * Test helper: the golden extraction cases under testdata/<case>/. Each folder holds source.html (raw
 * bytes, any charset), request.json (url, contentType, feedContent, feedTitle), metadata.json (the
 * expected outcome: Article fields to match, textIncludes/textExcludes, htmlIncludes/htmlExcludes, or
 * {ok: false, kind, gate?, textIncludes?}: the failure, and for a page the quality gate refused, its
 * verdict and what the refused text holds (gate null: no text comes back) and optionally expected.txt
 * (the exact text). `{{ORIGIN}}` in source.html is
 * replaced by a test server's origin, to prove that no subresource is ever requested.
 * To add a case from a saved page: `npx tsx scripts/add-extract-case.ts NAME PAGE.html --url URL`
 * (writes the folder with the current output as the expectation; review it before keeping it). After a
 * deliberate change of output, `UPDATE_GOLDEN=1 npx vitest run src/extract` rewrites every expected.txt.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Extraction, ExtractRequest } from './extract.ts';

const TESTDATA = new URL('./testdata/', import.meta.url).pathname;

export interface GoldenCase {
  name: string;
  dir: string;
  request(origin: string): ExtractRequest;
  expected: Record<string, unknown>;
}

/** Every case folder, in name order. */
export function goldenCases(): GoldenCase[] {
  return readdirSync(TESTDATA, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const dir = join(TESTDATA, name);
      const source = readFileSync(join(dir, 'source.html'));
      const fields = JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8')) as Omit<ExtractRequest, 'html'>;
      return {
        name,
        dir,
        // latin1 round-trips every byte, so pages in any charset survive the substitution.
        request: (origin) => ({
          ...fields,
          html: Buffer.from(source.toString('latin1').replaceAll('{{ORIGIN}}', origin), 'latin1'),
        }),
        expected: JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as Record<string, unknown>,
      };
    });
}

/** Asserts an outcome against the case's metadata.json and expected.txt. */
export function checkGolden(c: GoldenCase, outcome: Extraction, origin: string): void {
  const { ok, kind, gate, textIncludes, textExcludes, htmlIncludes, htmlExcludes, ...fields } = c.expected as {
    ok: boolean; kind?: string; gate?: string | null; textIncludes?: string[]; textExcludes?: string[];
    htmlIncludes?: string[]; htmlExcludes?: string[];
  };
  if (!ok) {
    if (outcome.ok) throw new Error(`${c.name}: expected ${kind}, got an article: ${outcome.value.text.slice(0, 200)}`);
    expect(outcome.failure.kind).toBe(kind);
    if (gate !== undefined) expect(outcome.refused?.gate ?? null).toBe(gate);
    for (const s of textIncludes ?? []) expect(outcome.refused?.article.text).toContain(s);
    for (const s of textExcludes ?? []) expect(outcome.refused?.article.text ?? '').not.toContain(s);
    return;
  }
  if (!outcome.ok) throw new Error(`${c.name}: expected an article, got ${outcome.failure.kind}: ${outcome.failure.message}`);
  const article = outcome.value;
  expect(article).toMatchObject(fields);
  for (const s of textIncludes ?? []) expect(article.text).toContain(s);
  for (const s of textExcludes ?? []) expect(article.text).not.toContain(s);
  for (const s of htmlIncludes ?? []) expect(article.html).toContain(s.replaceAll('{{ORIGIN}}', origin));
  for (const s of htmlExcludes ?? []) expect(article.html ?? '').not.toContain(s.replaceAll('{{ORIGIN}}', origin));
  expect(article.wordCount).toBeGreaterThan(0);
  expect(article.readingMinutes).toBe(Math.max(1, Math.round(article.wordCount / 230)));
  expect(article.confidence).toBeGreaterThan(0);
  expect(article.confidence).toBeLessThanOrEqual(1);
  const expectedTxt = join(c.dir, 'expected.txt');
  if (process.env['UPDATE_GOLDEN']) writeFileSync(expectedTxt, `${article.text}\n`);
  else if (existsSync(expectedTxt)) expect(article.text).toBe(readFileSync(expectedTxt, 'utf8').trimEnd());
}

