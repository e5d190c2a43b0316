import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempProject, type TempProject } from './helpers/project.ts';
import { seedStories, tenStories } from './helpers/newsletter.ts';

let project: TempProject;
let ids: number[];

const NEWSLETTER = `newsletter:
  name: "AI Wins"
  siteUrl: "https://aiwins.example/"
  subscribeUrl: "https://aiwins.example/subscribe"
`;

beforeEach(async () => {
  project = tempProject();
  project.writeConfig(`feeds: []\n${NEWSLETTER}`);
  ids = await seedStories(project.dbPath, tenStories());
});
afterEach(() => project.remove());

const cli = (...args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, ...args]);

describe('aiwins export', () => {
  it('writes the current draft issue; the same issue twice gives the same bytes', async () => {
    expect((await cli('issue', 'new', '--title', 'Week 48')).code).toBe(0);
    const a = join(project.dir, 'a.html');
    const b = join(project.dir, 'b.html');
    const first = await cli('export', '--format', 'html', '--out', a);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/wrote .*a\.html \(\d+ bytes\)/);
    const second = await cli('export', '1', '--format', 'html', '--out', b);
    expect(second.code, second.stderr).toBe(0);
    const html = readFileSync(a, 'utf8');
    expect(readFileSync(b, 'utf8')).toBe(html);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('Issue 1 · ');
    expect(html).not.toMatch(/<(style|link|script)\b/i);

    const md = await cli('export', '1', '--format', 'markdown');
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout.startsWith('# [AI Wins](https://aiwins.example/)')).toBe(true);
    expect(md.stdout).toContain('## Week 48');
  });

  it('--status approved --since exports approved stories outside any issue, as a feed', async () => {
    const r = await cli('export', '--status', 'approved', '--since', '2026-11-27', '--format', 'jsonfeed');
    expect(r.code, r.stderr).toBe(0);
    const feed = JSON.parse(r.stdout);
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.title).toBe('AI Wins');
    expect(feed.items.map((i: { id: string }) => i.id)).toEqual([ids[9], ids[8], ids[7]].map((id) => `urn:aiwins:story:${id}`));
  });

  it('says what is missing: no draft issue, an unknown issue, a feed without newsletter.siteUrl', async () => {
    const none = await cli('export', '--format', 'markdown');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no draft issue in \S+: open one with `aiwins issue new`/);
    const unknown = await cli('export', '7', '--format', 'text');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no issue 7/);
    project.writeConfig('feeds: []\n');
    const feed = await cli('export', '--status', 'approved', '--format', 'rss');
    expect(feed.code).toBe(2);
    expect(feed.stderr).toMatch(/newsletter\.siteUrl/);
  });
});
