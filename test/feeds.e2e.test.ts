import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../src/config/index.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { probeDb } from './helpers/db.ts';
import { waitFor } from './helpers/wait-for.ts';
import { runPipeline } from '../src/pipeline/run.ts';
import { startScheduler } from '../src/schedule/scheduler.ts';
import { startSiteServer, type SiteServer } from './helpers/site-server.ts';
import { startOpenAiServer, validDraftReply } from './helpers/openai-server.ts';
import { fixtureConfig, ROOT, runCli, tempProject, type TempProject } from './helpers/project.ts';
import { demoSiteRoutes } from '../scripts/demo-site.ts';

let site: SiteServer;
let project: TempProject;
let db: Store;

beforeEach(async () => {
  site = await startSiteServer();
  for (const [path, route] of Object.entries(demoSiteRoutes(site.origin))) site.setRoute(path, route);
  project = tempProject();
  db = await openStore(project.dbPath);
});

afterEach(async () => {
  await db.close();
  await site.close();
  project.remove();
});

/** A config over the fixture site, offline engine, with the given schedule settings. */
function config(feeds: { name: string; url: string }[], extra = '', schedule = { interval: 0, min: 0 }) {
  const yaml = fixtureConfig({ feeds, allow: [site.hostPort], extra }).replace(
    'feedIntervalMinutes: 0\n  minIntervalMinutes: 0',
    `feedIntervalMinutes: ${schedule.interval}\n  minIntervalMinutes: ${schedule.min}`,
  );
  const { config, errors } = parseConfig(yaml, {}, join(project.dir, 'feeds.yaml'));
  if (!config) throw new Error(errors.join('\n'));
  return config;
}

const feedXml = (items: { guid: string; link: string; title?: string }[], extraChannel = '') =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${site.origin}/</link>${extraChannel}
${items.map((i) => `<item><title>${i.title ?? i.guid}</title><guid>${i.guid}</guid><link>${i.link}</link></item>`).join('\n')}
</channel></rss>`;

/** Rows in the lease table: 0 once every run released it. */
function leaseRows(): number {
  const probe = probeDb(project.dbPath);
  try {
    return probe.value('SELECT COUNT(*) FROM lease');
  } finally {
    probe.close();
  }
}

const rss = (body: string, headers: Record<string, string> = {}) => ({
  body,
  headers: { 'content-type': 'application/rss+xml', ...headers },
});

describe('feed fetching like a good citizen', () => {
  it('a 410 Gone feed is marked gone and never polled again', async () => {
    site.setRoute('/gone.xml', { status: 410, body: 'gone' });
    const cfg = config([{ name: 'Gone', url: `${site.origin}/gone.xml` }]);
    const s1 = await runPipeline(cfg, db);
    expect(s1.feeds.failed).toBe(1);
    expect(s1.errors[0]!.kind).toBe('fetch.gone');
    await runPipeline(cfg, db, { allFeeds: true });
    expect(site.hits.get('/gone.xml')).toBe(1);
    const [status] = await db.feeds.statuses();
    expect(status!.goneAt).not.toBeNull();
    expect(status!.error!.kind).toBe('fetch.gone');
  });

  it('records a chain of permanent redirects as the new URL, but not a temporary one', async () => {
    site.setRoute('/old.xml', { status: 301, headers: { location: '/older.xml' } });
    site.setRoute('/older.xml', { status: 308, headers: { location: '/feed.xml' } });
    site.setRoute('/temp.xml', { status: 302, headers: { location: '/feed.xml' } });
    await runPipeline(
      config([
        { name: 'Moved', url: `${site.origin}/old.xml` },
        { name: 'Temp', url: `${site.origin}/temp.xml` },
      ]),
      db,
    );
    const byName = Object.fromEntries((await db.feeds.statuses()).map((f) => [f.name, f]));
    expect(byName.Moved!.movedTo).toBe(`${site.origin}/feed.xml`);
    expect(byName.Temp!.movedTo).toBeNull();
    // Both fetched the same feed, but each story exists once.
    expect(await db.stories.list()).toHaveLength(5);
  });

  it('a 429 with Retry-After delays only that feed, by the server-given time', async () => {
    site.setRoute('/busy.xml', { status: 429, headers: { 'retry-after': '7200' } });
    const start = Date.parse('2026-11-26T12:00:00Z');
    let now = start;
    const cfg = config(
      [
        { name: 'Busy', url: `${site.origin}/busy.xml` },
        { name: 'Fine', url: `${site.origin}/feed.xml` },
      ],
      '',
      { interval: 30, min: 15 },
    );
    const s1 = await runPipeline(cfg, db, { now: () => now });
    expect(s1.feeds).toMatchObject({ total: 2, fetched: 1, failed: 1 });
    const busy = (await db.feeds.statuses()).find((f) => f.name === 'Busy')!;
    expect(busy.error!.kind).toBe('fetch.rate_limited');
    expect(busy.nextCheckAt!.getTime() - start).toBe(7200_000);
    const fine = (await db.feeds.statuses()).find((f) => f.name === 'Fine')!;
    expect(fine.nextCheckAt!.getTime() - start).toBe(30 * 60_000);

    now = start + 31 * 60_000; // Fine is due again, Busy is not
    const s2 = await runPipeline(cfg, db, { now: () => now });
    expect(s2.feeds).toMatchObject({ total: 1, notDue: 1 });
    expect(site.hits.get('/busy.xml')).toBe(1);
  });

  it('the same bytes under a new ETag create nothing', async () => {
    let n = 0;
    site.setRoute('/rotating.xml', () => ({
      ...rss(feedXml([{ guid: 'a', link: `${site.origin}/articles/01-pancreatic-screening.html` }])),
      etag: `"v${++n}"`,
    }));
    const cfg = config([{ name: 'Rotating', url: `${site.origin}/rotating.xml` }]);
    await runPipeline(cfg, db);
    const s2 = await runPipeline(cfg, db);
    expect(s2.feeds).toMatchObject({ fetched: 0, notModified: 1 });
    expect(s2.items.new).toBe(0);
    expect(site.hits.get('/rotating.xml')).toBe(2);
  });

  it('fetches at most one page at a time per host', async () => {
    const slow = await startSiteServer();
    try {
      const items = Array.from({ length: 6 }, (_, i) => ({ guid: `s${i}`, link: `${slow.origin}/p${i}.html` }));
      for (const it of items) {
        slow.setRoute(new URL(it.link).pathname, {
          delayMs: 100,
          body: `<html><body><article><h1>Story</h1>${'<p>AI helps researchers find answers to many questions quickly and well.</p>'.repeat(30)}</article></body></html>`,
          headers: { 'content-type': 'text/html' },
        });
      }
      site.setRoute('/many.xml', rss(feedXml(items)));
      const cfg = config([{ name: 'Many', url: `${site.origin}/many.xml` }]);
      const withSlow = parseConfig(
        // Six pages of one text: the copy check would attach five of them to the first story.
        fixtureConfig({ feeds: [{ name: 'Many', url: `${site.origin}/many.xml` }], allow: [site.hostPort, slow.hostPort], extra: 'dedupe:\n  enabled: false\n' }),
        {},
        cfg.path,
      ).config!;
      const s = await runPipeline(withSlow, db);
      expect(s.drafts.made).toBe(6);
      const pages = slow.requests.filter((r) => r.path.startsWith('/p'));
      expect(pages).toHaveLength(6);
      expect(slow.peakConcurrency).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('honours robots.txt for article pages, fetching it once per site', async () => {
    site.setRoute('/robots.txt', { body: 'User-agent: *\nDisallow: /articles/03-\n', headers: { 'content-type': 'text/plain' } });
    const slugs = ['01-pancreatic-screening', '02-flood-forecasts', '03-support-layoffs', '04-library-ai-course', '05-bakery-award'];
    // No descriptions in this feed, so a refused page has no feed content to fall back on.
    site.setRoute('/bare.xml', rss(feedXml(slugs.map((s) => ({ guid: s, link: `${site.origin}/articles/${s}.html` })))));
    const s = await runPipeline(config([{ name: 'Demo', url: `${site.origin}/bare.xml` }]), db);
    expect(s.drafts).toMatchObject({ made: 4, blocked: 1 });
    expect(site.hits.get('/robots.txt')).toBe(1);
    expect(site.hits.get('/articles/03-support-layoffs.html')).toBeUndefined();
    const blocked = await db.stories.list({ status: 'blocked' });
    expect(blocked[0]!.error!.kind).toBe('fetch.robots_disallowed');
  });

  it('refuses an article that is not HTML, without drafting it', async () => {
    site.setRoute('/paper.pdf', { body: Buffer.alloc(1000), headers: { 'content-type': 'application/pdf' } });
    site.setRoute('/pdf.xml', rss(feedXml([{ guid: 'pdf', link: `${site.origin}/paper.pdf` }])));
    const s = await runPipeline(config([{ name: 'PDF', url: `${site.origin}/pdf.xml` }]), db);
    expect(s.drafts.blocked).toBe(1);
    expect((await db.stories.list({ all: true }))[0]!.error!.kind).toBe('fetch.unsupported_content_type');
  });
});

describe('operators', () => {
  it('imports an OPML file into the config and exports it back', async () => {
    const opml = `<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
<outline text="Research"><outline type="rss" text="Lab blog" xmlUrl="https://lab.example/feed.xml"/></outline>
<outline type="rss" text="Dup" xmlUrl="https://example.com/feed"/>
</body></opml>`;
    writeFileSync(join(project.dir, 'in.opml'), opml);
    project.writeConfig('# my feeds\nfeeds:\n  - name: Existing\n    url: https://example.com/feed\n');
    const r = await runCli(['--config', project.configPath, 'feeds', 'import', join(project.dir, 'in.opml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('added 1 feeds');
    expect(r.stdout).toContain('skipped https://example.com/feed');
    const text = readFileSync(project.configPath, 'utf8');
    expect(text).toContain('# my feeds');
    expect(text).toContain('https://lab.example/feed.xml');
    const out = await runCli(['--config', project.configPath, 'feeds', 'export']);
    expect(out.stdout).toContain('xmlUrl="https://lab.example/feed.xml"');
    expect(out.stdout).toContain('<opml version="2.0">');
  });

  it('the scheduler runs due feeds at start and stops cleanly, releasing the lease', async () => {
    const cfg = config([{ name: 'Demo', url: `${site.origin}/feed.xml` }]);
    const runs: string[] = [];
    const scheduler = startScheduler(cfg, db, { onRun: (s) => runs.push(s.status) });
    await waitFor(() => runs.length > 0, 'the scheduler to run the due feeds');
    await scheduler.stop();
    expect(runs).toEqual(['completed']);
    expect(await db.stories.list()).toHaveLength(5);
    expect(leaseRows()).toBe(0);
  });

  it('aiwins schedule stops on SIGTERM with exit 0, releasing the lease', async () => {
    project.writeConfig(fixtureConfig({ feeds: [{ name: 'Demo', url: `${site.origin}/feed.xml` }], allow: [site.hostPort] }));
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'aiwins.js'), '--config', project.configPath, '--db', project.dbPath, 'schedule'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitFor(() => stderr.includes('run 1 completed'), 'aiwins schedule to complete its first run');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('scheduler stopped');
    expect(leaseRows()).toBe(0);
    expect(await db.stories.list()).toHaveLength(5);
  });

  it('a run stopped mid-way (SIGTERM) abandons in-flight items without counting a failure; the next run drafts them', async () => {
    const llm = await startOpenAiServer(({ body }) => ({ ...validDraftReply(body), delayMs: 1500 }));
    try {
      const yaml = fixtureConfig({ feeds: [{ name: 'Demo', url: `${site.origin}/feed.xml` }], allow: [site.hostPort], llmBaseURL: llm.url });
      const cfg = parseConfig(yaml, {}, join(project.dir, 'feeds.yaml')).config!;
      const abort = new AbortController();
      const running = runPipeline(cfg, db, { signal: abort.signal });
      await waitFor(() => llm.calls > 0, 'the run to call the LLM');
      abort.abort();
      const s1 = await running;
      expect(s1.status).toBe('aborted');
      expect(s1.drafts.failed).toBe(0);
      const all = await db.stories.list({ all: true });
      expect(all.every((s) => s.status === 'pending' && s.attempts === 0)).toBe(true);
      expect(leaseRows()).toBe(0);
      const s2 = await runPipeline(cfg, db);
      expect(s2.drafts.made).toBe(5);
    } finally {
      await llm.close();
    }
  });
});
