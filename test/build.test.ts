/**
 * The build's exact rewrites of bundled packages (scripts/build.mjs, PACKAGE_REWRITES): each applies
 * to the installed package, a file that reads differently stops the build, and the rewritten code
 * still does what the original did (listeners kept, fired, bubbled and removed; the byline found).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_REWRITES, ROOT, packageRewritesPlugin, rewritePackageFile } from '../scripts/build.mjs';

const dir = mkdtempSync(join(tmpdir(), 'aiwins-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const requireFromRoot = createRequire(join(ROOT, 'package.json'));
/** The installed files the rewrites are for. */
const installed = [
  join(requireFromRoot.resolve('linkedom').replace(/[\\/]cjs[\\/].*$/, ''), 'esm', 'interface', 'event-target.js'),
  requireFromRoot.resolve('@mozilla/readability/Readability.js'),
];

/** Bundles `contents` (an ES module in the project's root) with the rewrites, and imports it. */
async function bundleAndImport<T>(name: string, contents: string): Promise<{ bundled: string; exports: T }> {
  const outfile = join(dir, `${name}.mjs`);
  await build({
    stdin: { resolveDir: ROOT, contents },
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'silent',
    plugins: [packageRewritesPlugin],
  });
  return { bundled: readFileSync(outfile, 'utf8'), exports: (await import(pathToFileURL(outfile).href)) as T };
}

describe('exact rewrites of bundled packages', () => {
  it('has one rewrite per installed file, each applying once and refusing a file it does not recognise', () => {
    expect(PACKAGE_REWRITES.map((r) => installed.filter((file) => r.file.test(file)).length)).toEqual([1, 1]);
    for (const rewrite of PACKAGE_REWRITES) {
      const file = installed.find((f) => rewrite.file.test(f))!;
      const source = readFileSync(file, 'utf8');
      const rewritten = rewritePackageFile(rewrite, source);
      for (const [from, to] of rewrite.replacements) {
        expect(rewritten).toContain(to);
        if (!to.includes(from)) expect(rewritten).not.toContain(from);
      }
      // Applied twice, or to a file whose text moved on, the build stops and names the file.
      expect(() => rewritePackageFile(rewrite, rewritten)).toThrow(rewrite.name);
      expect(() => rewritePackageFile(rewrite, source.replace(rewrite.replacements[0]![0], ''))).toThrow(/review PACKAGE_REWRITES/);
    }
  });

  it('linkedom still adds, dispatches, bubbles and removes listeners, made lazily', async () => {
    const { bundled, exports } = await bundleAndImport<{ report: unknown }>(
      'events',
      `
      import { parseHTML } from 'linkedom';
      const { document, Event } = parseHTML('<html><body><div id="outer"><p id="inner">x</p></div></body></html>');
      const outer = document.getElementById('outer');
      const inner = document.getElementById('inner');
      const calls = [];
      const onInner = (e) => calls.push('inner:' + e.type);
      inner.addEventListener('ping', onInner);
      outer.addEventListener('ping', (e) => calls.push('outer:' + e.target.id));
      inner.dispatchEvent(new Event('ping', { bubbles: true }));
      let removeOnFreshNode = 'ok';
      try { document.createElement('span').removeEventListener('ping', onInner); } catch (err) { removeOnFreshNode = String(err); }
      inner.removeEventListener('ping', onInner);
      const afterRemove = [];
      inner.addEventListener('pong', () => afterRemove.push('pong'));
      inner.dispatchEvent(new Event('ping'));
      inner.dispatchEvent(new Event('pong'));
      export const report = { calls, removeOnFreshNode, afterRemove };
      `,
    );
    expect(bundled).toMatch(/if \(!map\) wm\.set\(this, map = /); // the rewritten file is the one bundled
    expect(exports.report).toEqual({ calls: ['inner:ping', 'outer:inner'], removeOnFreshNode: 'ok', afterRemove: ['pong'] });
  });

  it('Readability still finds a byline by rel, itemprop or class, and not one of 100 characters or more', async () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => `<p>Paragraph ${i} of the story, long enough, with commas, to be scored as the article text by Readability's rules.</p>`).join('');
    const page = (byline: string) => `<html><head><title>A story</title></head><body><article>${byline}${paragraphs}</article></body></html>`;
    const pages = {
      rel: page('<a rel="author" href="/jane">Jane Doe</a>'),
      itemprop: page('<span itemprop="author">John Roe</span>'),
      className: page('<div class="byline">By Ann Poe</div>'),
      tooLong: page(`<div class="byline">${'x'.repeat(100)}</div>`),
      none: page(''),
    };
    const { bundled, exports } = await bundleAndImport<{ bylines: Record<keyof typeof pages, string | null> }>(
      'byline',
      `
      import { parseHTML } from 'linkedom';
      import { Readability } from '@mozilla/readability';
      const pages = ${JSON.stringify(pages)};
      export const bylines = Object.fromEntries(Object.entries(pages).map(([k, html]) => [k, new Readability(parseHTML(html).document).parse()?.byline ?? null]));
      `,
    );
    expect(bundled).toContain('return !!bylineLength && bylineLength < 100;'); // the rewritten file is the one bundled
    expect(exports.bylines).toEqual({ rel: 'Jane Doe', itemprop: 'John Roe', className: 'By Ann Poe', tooLong: null, none: null });
  });
});
