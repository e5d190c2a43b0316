import { execFile } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGolden, goldenCases } from './golden-cases.ts';
import { startSiteServer, type SiteServer } from '../../test/helpers/site-server.ts';
import { createExtractor, type Extractor } from './pool.ts';
import { workerEntry } from './worker-entry.ts';

const nestedDivs = (depth: number, copies = 1): Uint8Array =>
  Buffer.from(`<!DOCTYPE html><html><body>${`${'<div>'.repeat(depth)}hello${'</div>'.repeat(depth)}`.repeat(copies)}</body></html>`);

const normalPage = (): Uint8Array =>
  Buffer.from(
    `<!DOCTYPE html><html><head><title>Fine</title></head><body><article>${
      '<p>An ordinary paragraph of an ordinary article, long enough to be read as the story.</p>'.repeat(6)
    }</article></body></html>`,
  );

describe('createExtractor', () => {
  let server: SiteServer;
  let extractor: Extractor;
  beforeAll(async () => {
    server = await startSiteServer(); // every path answers 404; any request at all is a failure
    extractor = createExtractor({ workers: 2 });
  });
  afterAll(async () => {
    await extractor.close();
    expect(server.requests).toEqual([]); // no page loads anything, through the workers too
    await server.close();
  });

  it('extracts every golden case in worker threads, in parallel', async () => {
    const cases = goldenCases();
    const outcomes = await Promise.all(cases.map((c) => extractor.extract(c.request(server.origin))));
    cases.forEach((c, i) => checkGolden(c, outcomes[i]!, server.origin));
  });

  it("leaves the caller's bytes intact (a copy is transferred)", async () => {
    const html = normalPage();
    const before = Buffer.from(html).toString('latin1');
    const result = await extractor.extract({ html, url: 'https://news.example/a' });
    expect(result.ok).toBe(true);
    expect(html.byteLength).toBeGreaterThan(0);
    expect(Buffer.from(html).toString('latin1')).toBe(before);
  });

  it('from the sources, starts workers through the development script, which runs the built worker while dist/ is current (the test setup builds it)', async () => {
    expect(workerEntry().pathname).toMatch(/\/scripts\/worker-from-sources\.mjs$/);
    const dev = (await import(workerEntry().href)) as { workerModule: () => URL };
    expect(dev.workerModule().pathname).toMatch(/\/dist\/extract\/worker-start\.js$/);
  });

  it('built (what bin/aiwins.js runs), starts workers on dist/extract/worker-start.js with no TypeScript loader', async () => {
    // dist/ is built by the test setup from the current sources.
    const built = (await import(new URL('../../dist/extract/pool.js', import.meta.url).href)) as typeof import('./pool.ts');
    const entry = (await import(new URL('../../dist/extract/worker-entry.js', import.meta.url).href)) as typeof import('./worker-entry.ts');
    expect(entry.workerEntry().pathname).toMatch(/\/dist\/extract\/worker-start\.js$/);
    const pool = built.createExtractor({ workers: 1 });
    try {
      const result = await pool.extract({ html: normalPage(), url: 'https://news.example/built' });
      if (!result.ok) throw new Error(result.failure.message);
      expect(result.value.text).toContain('An ordinary paragraph');
    } finally {
      await pool.close();
    }
  });

  it("keeps the CLI's small young generation on the main thread while a worker starts", async () => {
    // Setting up a worker's heap puts V8's process-wide semi-space growth factor back to 2; the main
    // thread's young generation then grew to V8's 32 MB maximum while the worker started. Measured in
    // a fresh process running the built code as the CLI does (this test runner's heap is already large).
    const script = `
      import { getHeapSpaceStatistics } from 'node:v8';
      const { applyGcFlags } = await import(${JSON.stringify(new URL('../../dist/core/gc-flags.js', import.meta.url).href)});
      const { createExtractor } = await import(${JSON.stringify(new URL('../../dist/extract/pool.js', import.meta.url).href)});
      applyGcFlags();
      const newSpaceMb = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
      let keep = [];
      const churn = () => { let a = []; for (let i = 0; i < 2e5; i++) { a.push({ i, s: 'x' + i }); if (a.length > 20000) { keep = a; a = []; } } };
      churn();
      const before = newSpaceMb();
      const pool = createExtractor({ workers: 1 });
      pool.warm();
      const page = pool.extract({ html: new TextEncoder().encode(${JSON.stringify(Buffer.from(normalPage()).toString())}), url: 'https://news.example/gc' });
      let done = false;
      page.then(() => { done = true; });
      while (!done) { churn(); await new Promise((r) => setImmediate(r)); }
      for (let i = 0; i < 20; i++) churn();
      await pool.close();
      console.log(JSON.stringify({ before, after: newSpaceMb() }));
    `;
    const dir = mkdtempSync(join(tmpdir(), 'aiwins-gc-'));
    let stdout: string;
    try {
      writeFileSync(join(dir, 'probe.mjs'), script);
      ({ stdout } = await promisify(execFile)(process.execPath, [join(dir, 'probe.mjs')], { timeout: 60_000 }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const { before, after } = JSON.parse(stdout) as { before: number; after: number };
    // V8's defaults give 16 MB after the same churn, and the regression this guards against gave
    // 17 to 32 MB. With the flags it is 2 MB on a quiet machine, but V8 still grows it a step or
    // two under CPU contention (5.5 MB seen on Node 24 while other test files ran beside it), so
    // the bounds leave room for that and none for either of those.
    expect(before).toBeLessThanOrEqual(8);
    expect(after).toBeLessThanOrEqual(12);
  });

  it("builds an article from the feed's own content in a worker, and refuses a teaser", async () => {
    const content = '<p>An AI model helped nurses plan shifts in a rural hospital, a new report says.</p>'.repeat(8);
    const article = await extractor.fromFeedContent(content, 'https://news.example/story', 'Shift planning');
    if (!article.ok) throw new Error(article.failure.message);
    expect(article.value.method).toBe('feed');
    expect(article.value.title).toBe('Shift planning');
    expect(article.value.text).toContain('rural hospital');
    const teaser = await extractor.fromFeedContent('<p>Read more on our site.</p>', 'https://news.example/t', 'T');
    expect(teaser.ok).toBe(false);
  });

  it('refuses pages over maxHtmlBytes without sending them to a worker', async () => {
    const small = createExtractor({ workers: 1, maxHtmlBytes: 100 });
    try {
      const result = await small.extract({ html: normalPage(), url: 'https://news.example/a' });
      expect(result.ok ? 'ok' : result.failure.kind).toBe('extract.too_large');
    } finally {
      await small.close();
    }
  });
});

describe('warm()', () => {
  it('starts the workers before any page, once, and never after close()', async () => {
    // Node announces every worker thread it creates on this channel.
    let started = 0;
    const onWorker = () => void started++;
    subscribe('worker_threads', onWorker);
    try {
      const extractor = createExtractor({ workers: 1 });
      expect(started).toBe(0); // nothing starts until there is work, or warm() says it is coming
      extractor.warm();
      expect(started).toBe(1);
      extractor.warm();
      const result = await extractor.extract({ html: normalPage(), url: 'https://news.example/a' });
      expect(result.ok).toBe(true);
      expect(started).toBe(1); // the page ran on the warmed worker
      await extractor.close();

      const closed = createExtractor({ workers: 1 });
      await closed.close();
      closed.warm();
      expect(started).toBe(1);
    } finally {
      unsubscribe('worker_threads', onWorker);
    }
  });
});

describe('pathological pages: deep nesting, runaway memory', () => {
  it('times out on deeply nested divs, replaces the worker, and the next page works', async () => {
    // The limit must be far above what an ordinary page costs in a fresh worker on a loaded machine
    // (a few hundred ms), and far below the slow page: twelve towers of 300 nested divs (under the
    // nesting cap) take Readability 10 to 25 s.
    const timeoutMs = 3_000;
    const extractor = createExtractor({ workers: 1, timeoutMs });
    try {
      // The worker is started first, so the clock below measures the page, not a loaded machine's start-up.
      expect((await extractor.extract({ html: normalPage(), url: 'https://news.example/warm' })).ok).toBe(true);
      // 300 levels is under the nesting cap, and Readability takes seconds on it.
      const started = Date.now();
      const slow = await extractor.extract({ html: nestedDivs(300, 12), url: 'https://x.example/' });
      expect(slow.ok ? 'ok' : slow.failure.kind).toBe('extract.timeout');
      expect(Date.now() - started).toBeLessThan(timeoutMs + 5_000); // generous: only proves it was cut short

      const next = await extractor.extract({ html: normalPage(), url: 'https://news.example/a' });
      expect(next.ok ? next.value.method : next.failure).toBe('readability');
    } finally {
      await extractor.close();
    }
  });

  it('gives up on 20,000 nested divs within the timeout', async () => {
    const extractor = createExtractor({ workers: 1, timeoutMs: 1_000 });
    try {
      const result = await extractor.extract({ html: nestedDivs(20_000), url: 'https://x.example/' });
      expect(['extract.timeout', 'extract.too_large']).toContain(result.ok ? 'ok' : result.failure.kind);
    } finally {
      await extractor.close();
    }
  });

  it('reports a page that exhausts the worker heap as too large, and the next page works', async () => {
    const extractor = createExtractor({ workers: 1, maxHeapMb: 64, timeoutMs: 20_000 });
    try {
      const huge = Buffer.from(
        `<html><body>${`<p>${'lorem ipsum dolor sit amet '.repeat(200)}</p>`.repeat(900)}</body></html>`,
      );
      const result = await extractor.extract({ html: huge, url: 'https://x.example/' });
      expect(result.ok ? 'ok' : result.failure.kind).toBe('extract.too_large');

      const next = await extractor.extract({ html: normalPage(), url: 'https://news.example/a' });
      expect(next.ok).toBe(true);
    } finally {
      await extractor.close();
    }
  });

  it('fails with a clear message, instead of respawning forever, when workers cannot start', async () => {
    const extractor = createExtractor({ workers: 1, maxHeapMb: 4 });
    try {
      const result = await extractor.extract({ html: normalPage(), url: 'https://news.example/a' });
      expect(result.ok ? 'ok' : result.failure.message).toMatch(/fail to start.*maxHeapMb/);
    } finally {
      await extractor.close();
    }
  });
});
