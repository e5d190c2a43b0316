import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSiteServer, type SiteServer } from './helpers/site-server.ts';
import { completion, validDraftReply, type OpenAiServer } from './helpers/openai-server.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeDb } from './helpers/db.ts';
import { waitFor } from './helpers/wait-for.ts';
import { fixtureConfig, lastJsonLine, PROMPT_PATH, runCli, type TempProject } from './helpers/project.ts';
import { loadDemoArticles } from '../scripts/demo-site.ts';
import { demoConfig, startDemoWorld, type DemoWorld } from './helpers/demo-world.ts';

const ARTICLES = loadDemoArticles();
const N = ARTICLES.length;

let site: SiteServer;
let llm: OpenAiServer;
let project: TempProject;

let world: DemoWorld;
beforeEach(async () => void ({ site, llm, project } = world = await startDemoWorld()));
afterEach(() => world.close());

const articleFetches = () => [...site.hits].filter(([p]) => p.startsWith('/articles/')).reduce((n, [, c]) => n + c, 0);

function writeConfig(opts: { llm?: boolean; extra?: string } = {}) {
  project.writeConfig(demoConfig(world, opts));
}

const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(['--config', project.configPath, '--db', project.dbPath, ...args], env, 180_000);

describe('aiwins run, end to end', () => {
  it('drafts every new article with the LLM, and a second run does no work', async () => {
    writeConfig();
    const first = await cli(['run', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const s1 = lastJsonLine(first.stdout);
    expect(s1).toMatchObject({
      status: 'completed',
      engine: 'llm',
      feeds: { total: 1, fetched: 1, notModified: 0, failed: 0 },
      items: { new: N },
      drafts: { made: N, failed: 0 },
    });
    expect(s1.llm.calls).toBe(N);
    expect(s1.llm.inputTokens).toBeGreaterThan(0);
    expect(articleFetches()).toBe(N);

    const listed = await cli(['stories', '--json']);
    const stories = JSON.parse(listed.stdout);
    expect(stories).toHaveLength(N);
    for (const s of stories) {
      expect(s).toMatchObject({ feed: 'Demo Gazette', status: 'candidate', error: null });
      expect(s.url).toContain(site.origin + '/articles/');
      expect(s.draft.engine).toBe('llm');
      expect(s.draft.takeaways.length).toBeGreaterThanOrEqual(3);
      expect(s.draft.takeaways.every((t: any) => t.grounded === true)).toBe(true);
      expect(s.draft.framing).toHaveProperty('verdict');
      expect(s.draft.prompt.id).toBe('draft-story-v2');
      expect(s.draft.readingMinutes).toBeGreaterThanOrEqual(1);
    }

    // The article text reached the model inside the untrusted-data block, not as instructions.
    expect(JSON.stringify(llm.requests[0])).toContain('UNTRUSTED_ARTICLE');

    // NODE_DEBUG=module names every CommonJS file Node loads: nothing to draft, so no tokenizer (its
    // rank tables cost about half a second of CPU to build).
    const second = await cli(['run', '--json'], { NODE_DEBUG: 'module' });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('node_modules'); // the debug log is there to read
    expect(second.stderr).not.toContain('gpt-tokenizer');
    // A run on a SQLite file never loads the PostgreSQL driver.
    expect(second.stderr).not.toContain('node_modules/pg/');
    const s2 = lastJsonLine(second.stdout);
    expect(s2.feeds).toMatchObject({ fetched: 0, notModified: 1, failed: 0 });
    expect(s2.items.new).toBe(0);
    expect(s2.llm.calls).toBe(0);
    expect(articleFetches()).toBe(N); // no new article fetches
    expect(llm.calls).toBe(N);
    // The stored ETag went back verbatim.
    const feedRequests = site.requests.filter((r) => r.path === '/feed.xml');
    expect(feedRequests[1]!.headers['if-none-match']).toBe('"demo-feed-v1"');

    const shown = await cli(['show', String(stories[0].id)]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('TL;DR:');
    expect(shown.stdout).toContain('min read');
  });

  it('drafts offline with the extractive engine when no LLM is configured, and redraft upgrades them', async () => {
    writeConfig({ llm: false });
    const run = await cli(['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJsonLine(run.stdout)).toMatchObject({ engine: 'extractive', drafts: { made: N } });
    expect(llm.calls).toBe(0);
    let stories = JSON.parse((await cli(['stories', '--json'])).stdout);
    expect(stories.every((s: any) => s.draft.engine === 'extractive')).toBe(true);
    const bakery = stories.find((s: any) => s.url.includes('bakery'));
    // Offline, the framing is never guessed: uncertain, set aside for an editor.
    expect(bakery.draft.framing.verdict).toBe('uncertain');
    expect(bakery.setAside).toBe(true);
    for (const s of stories) expect(s.draft.takeaways.every((t: any) => t.grounded)).toBe(true);

    // Now an LLM is configured: redraft replaces the extractive drafts, keeping the old ones.
    writeConfig();
    const redraft = await cli(['redraft', '--json']);
    expect(redraft.code, redraft.stderr).toBe(0);
    expect(lastJsonLine(redraft.stdout)).toMatchObject({ engine: 'llm', redrafted: N });
    stories = JSON.parse((await cli(['stories', '--json'])).stdout);
    expect(stories.every((s: any) => s.draft.engine === 'llm')).toBe(true);
    const db = probeDb(project.dbPath);
    expect(db.value('SELECT COUNT(*) FROM drafts')).toBe(2 * N);
    db.close();

    // A developer tries another prompt file on one stored article and compares the drafts.
    const altPrompt = join(project.dir, 'alt.md');
    writeFileSync(altPrompt, readFileSync(PROMPT_PATH, 'utf8').replace(/^id: .*$/m, 'id: draft-story-alt'));
    const id = String(stories[0].id);
    const alt = await cli(['redraft', '--id', id, '--prompt', altPrompt, '--json']);
    expect(lastJsonLine(alt.stdout)).toMatchObject({ redrafted: 1 });
    const history = JSON.parse((await cli(['show', id, '--history', '--json'])).stdout);
    expect(history.map((d: any) => [d.engine, d.prompt.id])).toEqual([
      ['extractive', 'extractive'],
      ['llm', 'draft-story-v2'],
      ['llm', 'draft-story-alt'],
    ]);
  });

  it('defers an item when the LLM asks to wait longer than the cap, and --retry-failed drafts it', async () => {
    // A 429 pauses every call for min(Retry-After, cap): a short cap keeps the test quick.
    writeConfig({ extra: '  retryAfterCapSeconds: 1\n' });
    llm.setHandler(({ body, n }) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '3600' }, body: { error: { message: 'slow down' } } } : validDraftReply(body),
    );
    const run = await cli(['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const s = lastJsonLine(run.stdout);
    expect(s.drafts).toMatchObject({ made: N - 1, deferred: 1 });
    const all = JSON.parse((await cli(['stories', '--all', '--json'])).stdout);
    const deferred = all.filter((x: any) => x.status === 'deferred');
    expect(deferred).toHaveLength(1);
    expect(deferred[0].error.kind).toBe('llm.rate_limited');
    expect(deferred[0].draft).toBeNull();

    // A plain re-run leaves it for later; --retry-failed takes it now, without refetching the page.
    const fetchesBefore = articleFetches();
    expect(lastJsonLine((await cli(['run', '--json'])).stdout).llm.calls).toBe(0);
    const retry = await cli(['run', '--json', '--retry-failed']);
    expect(lastJsonLine(retry.stdout)).toMatchObject({ drafts: { made: 1, deferred: 0 } });
    expect(articleFetches()).toBe(fetchesBefore);
    expect(JSON.parse((await cli(['stories', '--json'])).stdout)).toHaveLength(N);
  });

  it('records invalid LLM output on the item with the raw output kept, and goes on with the rest', async () => {
    writeConfig();
    llm.setHandler(({ body }) => {
      const text = JSON.stringify(body);
      return text.includes('bakery') ? { body: completion('Sure! Here is your summary: not json') } : validDraftReply(body);
    });
    const run = await cli(['run', '--json']);
    expect(run.code).toBe(0);
    expect(lastJsonLine(run.stdout).drafts).toMatchObject({ made: N - 1, failed: 1 });
    const failed = JSON.parse((await cli(['stories', '--status', 'failed', '--json'])).stdout);
    expect(failed).toHaveLength(1);
    expect(failed[0].error.kind).toBe('llm.invalid_output');
    const db = probeDb(project.dbPath);
    const [raw] = db.all<any>('SELECT last_error_raw, attempts FROM stories WHERE id = ?', failed[0].id);
    db.close();
    expect(raw.last_error_raw).toContain('not json');
    expect(raw.attempts).toBe(1);
  });

  it('a second run while one is running exits 0 saying so', async () => {
    writeConfig();
    // The first run's LLM answers wait until the second run is done, however slow the machine
    // (and its calls wait as long as that takes).
    project.writeConfig(readFileSync(project.configPath, 'utf8').replace('  timeoutSeconds: 20\n', '  timeoutSeconds: 600\n'));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    llm.setHandler(async ({ body }) => {
      await gate;
      return validDraftReply(body);
    });
    const first = cli(['run', '--json']);
    // Wait until the first run holds the lease and is drafting.
    await waitFor(() => llm.calls > 0, 'the first run to call the LLM');
    const second = await cli(['run', '--json']);
    release();
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('another run is in progress');
    expect(lastJsonLine(second.stdout).status).toBe('already_running');
    const done = await first;
    expect(lastJsonLine(done.stdout)).toMatchObject({ status: 'completed', drafts: { made: N } });
  });

  for (const point of ['after-feed-fetch', 'after-extract', 'after-draft']) {
    it(`a run SIGKILLed ${point} loses nothing, and the next run finishes without drafting twice`, async () => {
      writeConfig();
      const killed = await cli(['run', '--json'], { AIWINS_FAULT_KILL_AT: point });
      expect(killed.signal).toBe('SIGKILL');
      const next = await cli(['run', '--json']);
      expect(next.code, next.stderr).toBe(0);
      const s = lastJsonLine(next.stdout);
      expect(s.status).toBe('completed');
      expect(s.errors, next.stderr).toEqual([]);
      expect(s.tookOverRunId).not.toBeNull();
      const db = probeDb(project.dbPath);
      expect(db.integrityCheck()).toEqual(['ok']);
      const perItem = db.all<any>('SELECT item_id, COUNT(*) AS n FROM drafts GROUP BY item_id');
      const items = db.value('SELECT COUNT(*) FROM stories');
      const claimed = db.value('SELECT COUNT(*) FROM stories WHERE claimed_by IS NOT NULL');
      db.close();
      expect(items).toBe(N);
      expect(perItem).toHaveLength(N);
      expect(perItem.every((r) => r.n === 1)).toBe(true);
      expect(claimed).toBe(0);
    });
  }
});

describe('config and address guard', () => {
  it('exits 2 on an invalid config, listing every problem with its path', async () => {
    project.writeConfig(`feeds:
  - name: ok
    url: https://example.com/feed
  - name: bad scheme
    url: ftp://example.com/feed
  - url: https://example.com/other
llm:
  modle: typo
`);
    const r = await cli(['--log-format', 'text', 'run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('feeds[1].url: expected an http(s) URL');
    expect(r.stderr).toContain('feeds[2].name');
    expect(r.stderr).toContain('llm: unknown key "modle"');
  });

  it('refuses feed links into private addresses and non-http schemes, recording them as blocked', async () => {
    const internal = await startSiteServer({ '/secret': { body: 'internal only' } }, '127.0.0.2');
    try {
      const links = [
        `http://${internal.hostPort}/secret`,
        'http://169.254.169.254/latest/meta-data/',
        'http://2130706433/',
        'http://[::ffff:127.0.0.1]/',
        'file:///etc/passwd',
      ];
      const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title><link>${site.origin}/</link>
${links.map((l, i) => `<item><title>Item ${i}</title><guid>g${i}</guid><link>${l.replace(/&/g, '&amp;')}</link></item>`).join('\n')}
</channel></rss>`;
      site.setRoute('/hostile.xml', { body: feed, headers: { 'content-type': 'application/rss+xml' } });
      project.writeConfig(
        fixtureConfig({ feeds: [{ name: 'Hostile', url: `${site.origin}/hostile.xml` }], allow: [site.hostPort], llmBaseURL: llm.url }),
      );
      const r = await cli(['run', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(internal.hits.size).toBe(0);
      expect(llm.calls).toBe(0);
      const all = JSON.parse((await cli(['stories', '--all', '--json'])).stdout);
      expect(all.filter((s: any) => s.draft)).toHaveLength(0);
      const kinds = all.map((s: any) => s.error?.kind);
      expect(kinds.filter((k: string) => k === 'fetch.blocked_address').length).toBeGreaterThanOrEqual(3);
    } finally {
      await internal.close();
    }
  });
});
