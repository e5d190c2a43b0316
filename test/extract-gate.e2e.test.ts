/**
 * A page the quality gate refuses (here a paywall): `aiwins extract` hands its text back with the
 * verdict, and a run still never drafts it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from './helpers/openai-server.ts';
import { fixtureConfig, lastJsonLine, ROOT, runCli, tempProject, type TempProject } from './helpers/project.ts';
import { startSiteServer, type SiteServer } from './helpers/site-server.ts';

const PAYWALLED = join(ROOT, 'src/extract/testdata/gate-paywall-jsonld/source.html');
const OPEN = join(ROOT, 'src/extract/testdata/news-article/source.html');
const FIRST_WORDS = 'The county council approved a plan on Tuesday';

function batch(input: string): Promise<{ code: number | null; lines: any[]; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'aiwins.js'), 'extract', '--batch'], { cwd: ROOT });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stderr, lines: out.trim().split('\n').map((l) => JSON.parse(l)) }));
    child.stdin.end(input);
  });
}

describe('aiwins extract on a page the quality gate refuses', () => {
  it('prints the text with "gate": "paywall" and the reason, and exits 0', async () => {
    const r = await runCli(['extract', '--url', 'https://herald.example/ploughs-paid', PAYWALLED]);
    expect(r.code, r.stderr).toBe(0);
    const answer = lastJsonLine(r.stdout);
    expect(answer).toMatchObject({ gate: 'paywall', title: 'Ploughs get a forecasting model', method: 'readability' });
    expect(answer.text).toContain(FIRST_WORDS);
    expect(answer.message).toMatch(/paywall/);
    expect(answer).not.toHaveProperty('error');
    expect(answer).not.toHaveProperty('html');
  });

  it('prints "gate": null for a page that passes, keeping every field of the contract', async () => {
    const r = await runCli(['extract', '--url', 'https://example.com/a', OPEN]);
    expect(r.code, r.stderr).toBe(0);
    const answer = lastJsonLine(r.stdout);
    expect(Object.keys(answer).sort()).toEqual(
      ['byline', 'confidence', 'gate', 'lang', 'leadImage', 'method', 'publishedTime', 'readingMinutes', 'siteName', 'text', 'title', 'wordCount'].sort(),
    );
    expect(answer.gate).toBeNull();
  });

  it('--batch gives the refused text with its verdict, beside an open page and a missing file', async () => {
    const requests = [
      { id: 'paid', url: 'https://herald.example/ploughs-paid', path: PAYWALLED },
      { id: 'open', url: 'https://example.com/a', path: OPEN },
      { id: 'missing', url: 'https://example.com/m', path: '/no/such/file.html' },
    ];
    const r = await batch(requests.map((q) => JSON.stringify(q)).join('\n') + '\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.map((l) => l.id)).toEqual(['paid', 'open', 'missing']);
    expect(r.lines[0]).toMatchObject({ gate: 'paywall', title: 'Ploughs get a forecasting model' });
    expect(r.lines[0].text).toContain(FIRST_WORDS);
    expect(r.lines[1].gate).toBeNull();
    expect(r.lines[1].text.length).toBeGreaterThan(500);
    expect(r.lines[2]).toMatchObject({ error: 'internal' });
    expect(r.lines[2]).not.toHaveProperty('gate');
  });
});

describe('a run over a paywalled page', () => {
  let site: SiteServer;
  let llm: OpenAiServer;
  let project: TempProject;
  beforeEach(async () => {
    site = await startSiteServer();
    llm = await startOpenAiServer();
    project = tempProject();
  });
  afterEach(async () => {
    await Promise.all([site.close(), llm.close()]);
    project.remove();
  });

  it('blocks the item with extract.paywall and never drafts it', async () => {
    site.setRoute('/paid', { body: readFileSync(PAYWALLED), headers: { 'content-type': 'text/html; charset=utf-8' } });
    const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>Herald</title><link>${site.origin}/</link>
<item><title>Ploughs get a forecasting model</title><guid>paid-1</guid><link>${site.origin}/paid</link></item>
</channel></rss>`;
    site.setRoute('/feed.xml', { body: feed, headers: { 'content-type': 'application/rss+xml' } });
    project.writeConfig(fixtureConfig({ feeds: [{ name: 'Herald', url: `${site.origin}/feed.xml` }], allow: [site.hostPort], llmBaseURL: llm.url }));
    const cli = (args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, ...args]);

    const run = await cli(['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJsonLine(run.stdout)).toMatchObject({ drafts: { made: 0, blocked: 1 } });
    expect(llm.calls).toBe(0);
    const stories = JSON.parse((await cli(['stories', '--all', '--json'])).stdout);
    expect(stories).toHaveLength(1);
    expect(stories[0]).toMatchObject({ status: 'blocked', draft: null, error: { kind: 'extract.paywall' } });
  });
});
