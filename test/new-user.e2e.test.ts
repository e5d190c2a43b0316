/**
 * What a new user meets first, through the real CLI: a config kept anywhere, secrets in feed URLs,
 * hostile text in headlines and titles, and the log a cron job writes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoSiteRoutes, loadDemoArticles } from '../scripts/demo-site.ts';
import { completion, validDraftContent, type OpenAiServer } from './helpers/openai-server.ts';
import { fixtureConfig, lastJsonLine, runCli, type TempProject } from './helpers/project.ts';
import { startSiteServer, type SiteServer } from './helpers/site-server.ts';
import { startDemoWorld, type DemoWorld } from './helpers/demo-world.ts';

const N = loadDemoArticles().length;

let site: SiteServer;
let llm: OpenAiServer;
let project: TempProject;
let elsewhere: string;

let world: DemoWorld;
beforeEach(async () => {
  ({ site, llm, project } = world = await startDemoWorld());
  elsewhere = mkdtempSync(join(tmpdir(), 'aiwins-cwd-'));
});

afterEach(async () => {
  await world.close();
  rmSync(elsewhere, { recursive: true, force: true });
});

/** Every line of stderr parsed as JSON: fails the test on a line that is not. */
function jsonLines(stderr: string): any[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        throw new Error(`stderr line is not JSON: ${l}`);
      }
    });
}

// ESC sequences that set the window title, clear the screen and dress a link as another, plus C1 CSI.
const HOSTILE = '\x1b]0;pwned\x07Good news\x1b[2J\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\ \u009b31mred\u0085end';

describe('a config kept outside the checkout', () => {
  it('drafts with the model using the prompt that ships with aiwins, run from another folder', async () => {
    // No llm.prompt: the config names only its feeds and the model server.
    writeFileSync(
      project.configPath,
      `feeds:\n  - name: Demo\n    url: "${site.origin}/feed.xml"\nnetwork:\n  allow: ["${site.hostPort}"]\nllm:\n  baseURL: "${llm.url}"\n`,
    );
    const r = await runCli(['run', '--json'], { AIWINS_CONFIG: project.configPath, AIWINS_DB: join(elsewhere, 'aiwins.db') }, 90_000, elsewhere);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJsonLine(r.stdout)).toMatchObject({ engine: 'llm', drafts: { made: N, failed: 0 } });
    expect(llm.calls).toBe(N);
  });

  it('reads a prompt the config names relative to the config file, not the working directory', async () => {
    writeFileSync(join(project.dir, 'mine.md'), 'not a prompt');
    writeFileSync(join(elsewhere, 'mine.md'), 'not a prompt either');
    project.writeConfig(`feeds: []\nllm:\n  baseURL: "${llm.url}"\n  prompt: missing/mine.md\n`);
    const r = await runCli(['--config', project.configPath, '--db', join(elsewhere, 'a.db'), 'run'], {}, 60_000, elsewhere);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(project.dir, 'missing', 'mine.md'));
  });
});

describe('secrets in feed URLs', () => {
  it('never prints the user, password or token of a feed URL: feeds --json, feeds, and the run log', async () => {
    const secretUrl = `http://reader:hunter2@${site.hostPort}/feed.xml?token=s3cr3t-t0k3n&page=1`;
    project.writeConfig(fixtureConfig({ feeds: [{ name: 'Private', url: secretUrl }], allow: [site.hostPort] }));
    const cli = (args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, ...args]);
    const run = await cli(['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    // The credentials did reach the server (as Basic auth and the query), so the feed works.
    expect(site.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('reader:hunter2').toString('base64')}`);
    expect(site.requests[0]!.path).toContain('token=s3cr3t-t0k3n');

    const json = await cli(['feeds', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const [feed] = JSON.parse(json.stdout);
    expect(feed.url).toBe(`http://***@${site.hostPort}/feed.xml?token=REDACTED&page=1`);
    const text = await cli(['feeds']);
    // A feed that fails keeps its URL's secrets out of the summary's errors too.
    site.setRoute('/feed.xml', { status: 500, body: 'down' });
    const failed = await cli(['run', '--all-feeds', '--json']);
    expect(lastJsonLine(failed.stdout).errors[0]).toMatchObject({ scope: 'feed', kind: 'fetch.http_error' });
    for (const out of [json.stdout, text.stdout, run.stderr, run.stdout, failed.stdout, failed.stderr]) {
      expect(out).not.toContain('hunter2');
      expect(out).not.toContain('s3cr3t');
    }
  });
});

describe('hostile text on the terminal', () => {
  it('strips control characters from model output and titles in stories and show, and keeps JSON exact', async () => {
    llm.setHandler(({ body }) => ({
      body: completion(JSON.stringify({ ...validDraftContent(body), headline: HOSTILE, tldr: `${HOSTILE}\nsecond line`, whyItMatters: HOSTILE })),
    }));
    // One item whose page is gone keeps its feed title (with a C1 CSI) in `stories --all`.
    const feedXml = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${site.origin}/</link>
<item><title>Title \u009b2J with CSI</title><guid>gone</guid><link>${site.origin}/gone.html</link></item>
<item><title>Fine</title><guid>ok</guid><link>${site.origin}/articles/${loadDemoArticles()[0]!.slug}.html</link></item>
</channel></rss>`;
    site.setRoute('/hostile.xml', { body: feedXml, headers: { 'content-type': 'application/rss+xml; charset=utf-8' } });
    site.setRoute('/gone.html', { status: 404, body: 'gone' });
    project.writeConfig(fixtureConfig({ feeds: [{ name: 'Hostile', url: `${site.origin}/hostile.xml` }], allow: [site.hostPort], llmBaseURL: llm.url }));
    const cli = (args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, ...args]);
    const run = await cli(['--log-format', 'text', 'run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJsonLine(run.stdout).drafts.made).toBe(1);

    const stories = JSON.parse((await cli(['stories', '--all', '--json'])).stdout);
    const drafted = stories.find((s: any) => s.draft);
    // JSON keeps the value exactly (a tool gets what the model said) ...
    expect(drafted.draft.headline).toBe(HOSTILE.trim());
    expect(stories.find((s: any) => !s.draft).title).toContain('\u009b');
    const rawJson = (await cli(['stories', '--all', '--json'])).stdout + (await cli(['show', String(drafted.id), '--json'])).stdout;
    // ... but escaped: no raw ESC or C1 byte reaches the terminal.
    expect(rawJson).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);

    const outputs = [
      (await cli(['stories', '--all'])).stdout,
      (await cli(['show', String(drafted.id)])).stdout,
      (await cli(['show', String(drafted.id), '--history'])).stdout,
    ];
    for (const out of [...outputs, run.stderr]) {
      expect(out).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
    }
    expect(outputs[0]).toContain(']0;pwnedGood news[2J]8;;http://evil.example/\\click]8;;\\ 31mredend');
    expect(outputs[0]).toContain('Title 2J with CSI');
    expect(outputs[1]).toContain('second line'); // newlines are kept
  });
});

describe('the log', () => {
  it('writes one JSON object per event when stderr is not a terminal, with run, feed and item ids', async () => {
    site.setRoute('/broken.xml', { status: 500, body: 'oops' });
    project.writeConfig(
      fixtureConfig({
        feeds: [
          { name: 'Demo', url: `${site.origin}/feed.xml` },
          { name: 'Broken', url: `${site.origin}/broken.xml` },
        ],
        allow: [site.hostPort],
        llmBaseURL: llm.url,
      }),
    );
    const r = await runCli(['--config', project.configPath, '--db', project.dbPath, 'run']);
    expect(r.code, r.stderr).toBe(0);
    const events = jsonLines(r.stderr);
    const runId = events.at(-1).run_id;
    expect(events.at(-1)).toMatchObject({ level: 'info', event: 'run', status: 'completed', drafts: { made: N } });
    expect(runId).toBeGreaterThan(0);
    const feeds = events.filter((e) => e.event === 'feed');
    expect(feeds).toHaveLength(2);
    const broken = feeds.find((e) => e.feed === 'Broken');
    expect(broken).toMatchObject({ level: 'warn', run_id: runId, result: 'error', kind: 'fetch.http_error' });
    expect(broken.feed_id).toBeGreaterThan(0);
    const drafted = events.filter((e) => e.event === 'item' && e.stage === 'drafted');
    expect(drafted).toHaveLength(N);
    for (const e of drafted) {
      expect(e).toMatchObject({ run_id: runId, engine: 'llm' });
      expect(e.item_id).toBeGreaterThan(0);
      expect(e.feed_id).toBe(feeds.find((f) => f.feed === 'Demo').feed_id);
    }
    for (const e of events) expect(typeof e.time === 'string' && typeof e.msg === 'string').toBe(true);
  });

  it('keeps stack traces of unexpected errors out of the log unless --debug asks for them', async () => {
    const opml = join(project.dir, 'feeds.opml');
    writeFileSync(opml, '<opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/feed"/></body></opml>');
    // The config's folder does not exist, so writing it fails in a way no check foresaw.
    const args = ['--config', join(project.dir, 'no-such-folder', 'feeds.yaml'), 'feeds', 'import', opml];
    const plain = await runCli(args);
    expect(plain.code).toBe(1);
    const [event] = jsonLines(plain.stderr);
    expect(event).toMatchObject({ level: 'error', kind: 'bug' });
    expect(event.msg).toMatch(/ENOENT.*run again with --debug/);
    expect(event.stack).toBeUndefined();
    expect(plain.stderr).not.toMatch(/\n\s+at |\\n\s+at /);
    const debug = await runCli(['--debug', ...args]);
    expect(jsonLines(debug.stderr)[0].stack).toMatch(/\n\s+at /);
  });

  it('reports a config error as a JSON event with every problem, and text on request', async () => {
    project.writeConfig('feeds:\n  - name: A\n    url: ftp://x/\nllm:\n  modle: typo\n');
    const json = await runCli(['--config', project.configPath, '--db', project.dbPath, 'run']);
    expect(json.code).toBe(2);
    const [event] = jsonLines(json.stderr);
    expect(event).toMatchObject({ level: 'error', kind: 'config.invalid' });
    expect(event.errors).toEqual(expect.arrayContaining(['feeds[0].url: expected an http(s) URL', 'llm: unknown key "modle"']));
    const text = await runCli(['--config', project.configPath, '--db', project.dbPath, '--log-format', 'text', 'run']);
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/^aiwins: invalid config .*\n {2}feeds\[0\]\.url: expected an http\(s\) URL\n/);
  });
});

describe('network.allow means what it says', () => {
  it('a bare IP opens ports 80 and 443 only, and a feed\'s own allow opens its links alone', async () => {
    // B: another port of the same IP as the allowed fixture, serving article pages.
    const other = await startSiteServer();
    try {
      for (const [path, route] of Object.entries(demoSiteRoutes(other.origin))) other.setRoute(path, route);
      const [first, second, third] = loadDemoArticles();
      const rss = (links: string[]) =>
        `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>${site.origin}/</link>` +
        links.map((l, i) => `<item><title>Item ${i}</title><guid>${l}</guid><link>${l}</link></item>`).join('') +
        '</channel></rss>';
      const page = (s: { slug: string }) => `${other.origin}/articles/${s.slug}.html`;
      const rssRoute = (body: string) => ({ body, headers: { 'content-type': 'application/rss+xml' } });
      site.setRoute('/open.xml', rssRoute(rss([page(first!), `${site.origin}/articles/${third!.slug}.html`])));
      site.setRoute('/scoped.xml', rssRoute(rss([page(second!)])));
      const yaml = fixtureConfig({
        feeds: [
          { name: 'Open', url: `${site.origin}/open.xml` },
          { name: 'Scoped', url: `${site.origin}/scoped.xml` },
        ],
        // The bare 127.0.0.1 used to open every port of it, other.port included.
        allow: [site.hostPort, '127.0.0.1'],
      }).replace(`url: "${site.origin}/scoped.xml"`, `url: "${site.origin}/scoped.xml"\n    allow: ["${other.hostPort}"]`);
      project.writeConfig(yaml);
      const r = await runCli(['--config', project.configPath, '--db', project.dbPath, 'run', '--json']);
      expect(r.code, r.stderr).toBe(0);

      // The Open feed's link into B was refused before connecting; the Scoped feed's was fetched.
      expect(other.hits.get(`/articles/${first!.slug}.html`) ?? 0).toBe(0);
      expect(other.hits.get(`/articles/${second!.slug}.html`)).toBe(1);
      const stories = JSON.parse((await runCli(['--db', project.dbPath, 'stories', '--all', '--json'])).stdout);
      const byUrl = new Map(stories.map((s: any) => [s.url, s]));
      expect((byUrl.get(page(first!)) as any).error.kind).toBe('fetch.blocked_address');
      expect((byUrl.get(page(second!)) as any).status).toBe('candidate');
      expect((byUrl.get(`${site.origin}/articles/${third!.slug}.html`) as any).status).toBe('candidate');
    } finally {
      await other.close();
    }
  });
});
