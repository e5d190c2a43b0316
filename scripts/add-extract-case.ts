/**
 * Adds a golden extraction case from a saved page: src/extract/testdata/<name>/ with the page, the
 * request, and the extractor's current output as the expectation (metadata.json, expected.txt).
 * Read what it prints before keeping the case: the expectation is only as good as that review.
 *
 *   npx tsx scripts/add-extract-case.ts NAME PAGE.html --url https://site.example/story
 *     [--content-type 'text/html; charset=windows-1251'] [--feed-content FEED.html] [--feed-title TITLE] [--force]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractArticleSync, type ExtractRequest } from '../src/extract/extract.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const [name, pagePath] = process.argv.slice(2);
const url = arg('url');
if (!name || !pagePath || !url || !/^[a-z0-9][a-z0-9-]*$/.test(name)) {
  console.error('usage: add-extract-case.ts NAME PAGE.html --url URL [--content-type CT] [--feed-content FILE] [--feed-title T] [--force]');
  console.error('NAME: lower-case letters, digits and dashes');
  process.exit(2);
}
const dir = join(new URL('../src/extract/testdata/', import.meta.url).pathname, name);
if (existsSync(dir) && !process.argv.includes('--force')) {
  console.error(`${dir} exists; pass --force to overwrite`);
  process.exit(1);
}

const feedContentPath = arg('feed-content');
const request: Omit<ExtractRequest, 'html'> = {
  url,
  ...(arg('content-type') ? { contentType: arg('content-type') } : {}),
  ...(feedContentPath ? { feedContent: readFileSync(feedContentPath, 'utf8') } : {}),
  ...(arg('feed-title') ? { feedTitle: arg('feed-title') } : {}),
};
const html = readFileSync(pagePath);
const outcome = extractArticleSync({ ...request, html });

mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'source.html'), html);
writeFileSync(join(dir, 'request.json'), `${JSON.stringify(request, null, 2)}\n`);
if (outcome.ok) {
  const { title, byline, siteName, publishedTime, lang, leadImage, method } = outcome.value;
  const expected = { ok: true, title, byline, siteName, publishedTime, lang, leadImage, method };
  writeFileSync(join(dir, 'metadata.json'), `${JSON.stringify(expected, null, 2)}\n`);
  writeFileSync(join(dir, 'expected.txt'), `${outcome.value.text}\n`);
  console.log(JSON.stringify(expected, null, 2));
  console.log(`--- text (${outcome.value.wordCount} words, confidence ${outcome.value.confidence}) ---`);
  console.log(outcome.value.text);
} else {
  // A page the quality gate refused: its verdict and the start of the text it refused are kept too.
  const refused = outcome.refused;
  const firstLine = refused?.article.text.split('\n')[0]!.slice(0, 80);
  const expected = { ok: false, kind: outcome.failure.kind, gate: refused?.gate ?? null, ...(firstLine ? { textIncludes: [firstLine] } : {}) };
  writeFileSync(join(dir, 'metadata.json'), `${JSON.stringify(expected, null, 2)}\n`);
  console.log(`${outcome.failure.kind}: ${outcome.failure.message}`);
  if (refused) console.log(`--- refused text (gate: ${refused.gate}) ---\n${refused.article.text}`);
}
console.log(`\nwrote ${dir}; review it, add textIncludes/textExcludes to metadata.json if useful, then run npx vitest run src/extract`);
