/**
 * The build's rewrite of linkedom's EventTarget (listener maps made on first use, see
 * scripts/build.mjs): the DOM it bundles into the extraction worker still keeps, fires, bubbles and
 * removes listeners, and a linkedom whose file reads differently stops the build.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lazyListenerMaps, lazyListenerMapsPlugin, ROOT } from '../scripts/build.mjs';

const dir = mkdtempSync(join(tmpdir(), 'aiwins-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const eventTargetFile = join(
  createRequire(join(ROOT, 'package.json')).resolve('linkedom').replace(/[\\/]cjs[\\/].*$/, ''),
  'esm',
  'interface',
  'event-target.js',
);

/** What the probe bundle reports: each check's result, computed inside the patched DOM. */
interface EventReport {
  calls: string[];
  removeOnFreshNode: string;
  afterRemove: string[];
}

describe('linkedom with lazy listener maps', () => {
  it('rewrites the installed linkedom exactly once, and refuses a file it does not recognise', () => {
    const source = readFileSync(eventTargetFile, 'utf8');
    const patched = lazyListenerMaps(source);
    expect(patched).not.toContain('wm.set(this, new Map);');
    expect(patched).toContain('if (!map) wm.set(this, (map = new Map));');
    expect(() => lazyListenerMaps(source.replace('wm.set(this, new Map);', 'wm.set(this, new Map());'))).toThrow(
      /event-target\.js changed/,
    );
    expect(() => lazyListenerMaps(patched)).toThrow(/event-target\.js changed/);
  });

  it('still adds, dispatches, bubbles and removes listeners in the bundled DOM', async () => {
    const out = join(dir, 'events.mjs');
    await build({
      stdin: {
        resolveDir: ROOT,
        contents: `
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
      },
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile: out,
      logLevel: 'silent',
      plugins: [lazyListenerMapsPlugin],
    });
    const bundled = readFileSync(out, 'utf8');
    const { report } = (await import(pathToFileURL(out).href)) as { report: EventReport };
    expect(bundled).toMatch(/if \(!map\) wm\.set\(this, map = /); // the rewritten file is the one bundled
    expect(report).toEqual({
      calls: ['inner:ping', 'outer:inner'],
      removeOnFreshNode: 'ok',
      afterRemove: ['pong'],
    });
  });
});
