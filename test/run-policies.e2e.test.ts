/**
 * The run's policies, in process with an injectable clock and the offline engine: the deadline,
 * the per-feed cap and the parser's warnings, a page that always answers 429, the WAL checkpoint,
 * and a scheduler that outlives a failing tick.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../src/config/index.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { runPipeline } from '../src/pipeline/run.ts';
import { startScheduler } from '../src/schedule/scheduler.ts';
import { startSiteServer, type SiteServer } from './helpers/site-server.ts';
import { fixtureConfig, tempProject, type TempProject } from './helpers/project.ts';
import { probeDb } from './helpers/db.ts';
import { waitFor } from './helpers/wait-for.ts';
import { demoSiteRoutes, loadDemoArticles } from '../scripts/demo-site.ts';

const ARTICLES = loadDemoArticles();
let site: SiteServer;
let project: TempProject;
let store: Store;

beforeEach(async () => {
  site = await startSiteServer();
  for (const [path, route] of Object.entries(demoSiteRoutes(site.origin))) site.setRoute(path, route);
  project = tempProject();
  store = await openStore(project.dbPath);
});

afterEach(async () => {
  await store.close();
  await site.close();
  project.remove();
});

function config(feedPath = '/feed.xml', extra = '') {
  const yaml = fixtureConfig({ feeds: [{ name: 'Feed', url: `${site.origin}${feedPath}` }], allow: [site.hostPort], extra });
  const { config, errors } = parseConfig(yaml, {}, join(project.dir, 'feeds.yaml'));
  if (!config) throw new Error(errors.join('\n'));
  return config;
}

const DAY = 86_400_000;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

describe('run policies', () => {
  it('past run.maxMinutes the run finishes its in-flight items, stops, and leaves the rest pending', async () => {
    // One LLM slot and one fetch: at most three items in progress (llm.concurrency * 2 + network.concurrency).
    const cfg = config('/feed.xml', 'run:\n  maxMinutes: 50\n');
    const tight = { ...cfg, network: { ...cfg.network, concurrency: 1 }, llm: { ...cfg.llm, concurrency: 1 } };
    let now = Date.parse('2026-11-26T12:00:00Z');
    const s = await runPipeline(tight, store, {
      now: () => now,
      // The first extracted article moves the clock past the deadline.
      onEvent: (e) => {
        if (e.type === 'article') now += 51 * 60_000;
      },
    });
    expect(s.status).toBe('completed');
    expect(s.stop).toMatchObject({ kind: 'run.deadline' });
    expect(s.drafts.made).toBeGreaterThan(0);
    expect(s.drafts.made).toBeLessThanOrEqual(3);
    const all = await store.stories.list({ all: true });
    const pending = all.filter((x) => x.status === 'pending');
    expect(pending.length).toBe(ARTICLES.length - s.drafts.made);
    expect(pending.every((x) => x.attempts === 0)).toBe(true);
    expect((await store.runs.recent(1))[0]).toMatchObject({ status: 'completed', error: { kind: 'run.deadline' } });
    // The next run takes the rest.
    const next = await runPipeline(tight, store, { now: () => now });
    expect(next.drafts.made).toBe(pending.length);
  });

  it('takes the newest run.maxItemsPerFeed per run, counts and shows the rest and the parser warnings, and skips over-cap items past run.maxItemAgeDays', async () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    const items = Array.from({ length: 12 }, (_, i) => {
      // Items 0..9 are recent (i days old); 10 and 11 are 90 days old.
      const age = i < 10 ? i : 90;
      return `<item><title>Item ${i}</title><guid>g${i}</guid><pubDate>${new Date(now - age * DAY - 60_000).toUTCString()}</pubDate>
<description>${esc(ARTICLES[i % ARTICLES.length]!.paragraphs.join(' '))}</description></item>`;
    });
    // One item with a date the parser cannot read: a warning, not a failure.
    items.push(`<item><title>Undated</title><guid>bad-date</guid><pubDate>not a date</pubDate><description>x</description></item>`);
    site.setRoute('/big.xml', {
      body: `<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title><link>${site.origin}/</link>${items.join('\n')}</channel></rss>`,
      headers: { 'content-type': 'application/rss+xml' },
    });
    const cfg = config('/big.xml', 'run:\n  maxItemsPerFeed: 5\n  maxItemAgeDays: 30\n');
    const s1 = await runPipeline(cfg, store, { now: () => now });
    expect(s1.items).toMatchObject({ new: 13, worked: 5, overCap: 8 });
    expect(s1.feeds.warnings).toBeGreaterThanOrEqual(1);
    const [status] = await store.feeds.statuses();
    expect(status!.items).toMatchObject({ seen: 13, overCap: 8 });
    expect(status!.lastParse).toMatchObject({ items: 13 });
    expect(status!.lastParse!.warnings.join('\n')).toMatch(/date/i);
    const worked = async () => (await store.stories.list({ all: true })).filter((x) => x.status !== 'pending').map((x) => x.title).sort();
    // An undated item counts as published when found: the newest.
    expect(await worked()).toEqual(['Item 0', 'Item 1', 'Item 2', 'Item 3', 'Undated']);

    // Later runs take the rest, newest first, but not the over-cap items older than 30 days.
    await runPipeline(cfg, store, { now: () => now + 60_000, allFeeds: true });
    expect(await worked()).toEqual(['Item 0', 'Item 1', 'Item 2', 'Item 3', 'Item 4', 'Item 5', 'Item 6', 'Item 7', 'Item 8', 'Undated']);
    await runPipeline(cfg, store, { now: () => now + 120_000, allFeeds: true });
    const left = (await store.stories.list({ all: true })).filter((x) => x.status === 'pending').map((x) => x.title).sort();
    expect(left).toEqual(['Item 10', 'Item 11']);
  });

  it('a page that always answers 429 is drafted from the feed text at the last attempt, marked as such; without enough feed text it fails with the reason', async () => {
    const now0 = Date.parse('2026-11-26T12:00:00Z');
    const article = ARTICLES[0]!;
    site.setRoute('/slow/full.html', { status: 429, headers: { 'retry-after': '60' }, body: 'slow down' });
    site.setRoute('/slow/thin.html', { status: 503, body: 'busy' });
    site.setRoute('/slow.xml', {
      body: `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Slow</title><link>${site.origin}/</link>
<item><title>${esc(article.title)}</title><guid>full</guid><link>${site.origin}/slow/full.html</link>
<content:encoded>${esc(article.paragraphs.map((p) => `<p>${esc(p)}</p>`).join(''))}</content:encoded></item>
<item><title>Thin</title><guid>thin</guid><link>${site.origin}/slow/thin.html</link><description>Just a teaser.</description></item>
</channel></rss>`,
      headers: { 'content-type': 'application/rss+xml' },
    });
    const cfg = config('/slow.xml', 'run:\n  maxAttempts: 3\n');
    let now = now0;
    for (let i = 0; i < 3; i++) {
      await runPipeline(cfg, store, { now: () => now, allFeeds: true });
      now += 2 * 3600_000;
    }
    const byTitle = Object.fromEntries((await store.stories.list({ all: true })).map((x) => [x.title, x]));
    const full = byTitle[article.title]!;
    expect(full.status).toBe('candidate');
    const stored = await store.stories.getWithArticle(full.id);
    expect(stored!.article!.method).toBe('feed');
    expect(byTitle.Thin).toMatchObject({ status: 'failed', attempts: 3, error: { kind: 'fetch.rate_limited' } });
    // No more page fetches once the attempts are spent.
    const hits = site.hits.get('/slow/thin.html');
    await runPipeline(cfg, store, { now: () => now + DAY, allFeeds: true });
    expect(site.hits.get('/slow/thin.html')).toBe(hits);
  });

  it('checkpoints the WAL at the end of each run, with the database still open', async () => {
    const s = await runPipeline(config(), store);
    expect(s.drafts.made).toBe(ARTICLES.length);
    const wal = `${project.dbPath}-wal`;
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
  });
});

describe('aiwins schedule', () => {
  it('survives a tick that fails on a locked database, and the next tick runs', async () => {
    const busyStore = await openStore(project.dbPath, { busyTimeoutMs: 200 });
    const cfg = { ...config(), schedule: { ...config().schedule, cron: '*/2 * * * * *' } };
    const probe = probeDb(project.dbPath);
    let release: (() => void) | null = probe.holdWriteLock();
    const errors: unknown[] = [];
    const runs: string[] = [];
    const scheduler = startScheduler(cfg, busyStore, { onRun: (s) => runs.push(s.status), onError: (e) => errors.push(e) });
    try {
      await waitFor(() => errors.length > 0, 'a tick to fail on the locked database');
      expect((errors[0] as { failure?: { kind: string } }).failure?.kind).toBe('db.busy');
      release();
      release = null;
      await waitFor(() => runs.length > 0, 'the next tick to run', { timeoutMs: 110_000 });
      expect(runs[0]).toBe('completed');
    } finally {
      release?.();
      await scheduler.stop();
      probe.close();
      await busyStore.close();
    }
  });
});
