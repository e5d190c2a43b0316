import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { runCli, tempProject, type TempProject } from './helpers/project.ts';
import { seedStories, tenStories } from './helpers/newsletter.ts';
import { xmlProblems } from './helpers/xml-fuzz.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium)`);

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
  const stories = tenStories();
  // A word no phone is wide enough for: it must wrap, not push the page sideways.
  stories[2] = { ...stories[2]!, draft: { deck: `Unbroken: ${'Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(4)}` } };
  ids = await seedStories(project.dbPath, stories);
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
    expect(md.stdout.startsWith('# Week 48\n\n[AI Wins](https://aiwins.example/)')).toBe(true);
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

  it('--feed-url gives the feed its self link; without it there is none; anything but http(s) is refused', async () => {
    const self = 'https://aiwins.example/feeds/approved.xml';
    const rss = await cli('export', '--status', 'approved', '--format', 'rss', '--feed-url', self);
    expect(rss.code, rss.stderr).toBe(0);
    expect(xmlProblems(rss.stdout)).toEqual([]);
    expect(rss.stdout).toContain(`<atom:link href="${self}" rel="self" type="application/rss+xml"/>`);
    const atom = await cli('export', '--status', 'approved', '--format', 'atom', '--feed-url', self);
    expect(atom.code, atom.stderr).toBe(0);
    expect(atom.stdout).toContain(`<link href="${self}" rel="self" type="application/atom+xml"/>`);
    expect(atom.stdout).toMatch(/<author>\s*<name>AI Wins<\/name>/);
    const json = await cli('export', '--status', 'approved', '--format', 'jsonfeed', '--feed-url', self);
    expect(JSON.parse(json.stdout).feed_url).toBe(self);
    const none = await cli('export', '--status', 'approved', '--format', 'rss');
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).not.toContain('rel="self"');
    // The only difference is the self link.
    expect(rss.stdout.replace(/\s*<atom:link [^>]*\/>/, '').replace(' xmlns:atom="http://www.w3.org/2005/Atom"', '')).toBe(none.stdout);
    const bad = await cli('export', '--status', 'approved', '--format', 'rss', '--feed-url', 'javascript:alert(1)');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--feed-url: expected an http\(s\) URL/);
  });

  it('an offline draft\'s excerpt does not print its TL;DR a second time, in any format', async () => {
    const own = tempProject();
    try {
      own.writeConfig(`feeds: []\n${NEWSLETTER}`);
      const lead = 'The clinic screened 4,000 patients in its first month.';
      await seedStories(own.dbPath, [
        { title: 'Offline', url: 'https://news.example/offline', published: '2026-11-30T09:00:00.000Z', category: 'Health', draft: { engine: 'extractive', tldr: lead, body: [`${lead} Most were seen the same day.`, 'Second paragraph.'], deck: '', implications: [], readerNote: null } },
      ]);
      const run = (...args: string[]) => runCli(['--config', own.configPath, '--db', own.dbPath, ...args]);
      expect((await run('issue', 'new', '--title', 'Week 49')).code).toBe(0);
      for (const format of ['markdown', 'html', 'text']) {
        const out = await run('export', '1', '--format', format);
        expect(out.code, out.stderr).toBe(0);
        expect(out.stdout, format).toContain('Most were seen the same day.');
        // The email's hidden preheader (the inbox preview line) is the TL;DR on purpose; it is not shown.
        const shown = out.stdout.replace(/<div class="preheader"[^>]*>[^<]*<\/div>/, '');
        expect(shown.split('The clinic screened 4,000 patients').length - 1, format).toBe(1);
      }
    } finally {
      own.remove();
    }
  });

  it('no link in any export keeps the feed\'s utm_ parameters', async () => {
    expect((await cli('issue', 'new', '--title', 'Week 48')).code).toBe(0);
    for (const format of ['markdown', 'html', 'text', 'rss', 'atom', 'jsonfeed']) {
      const out = await cli('export', '1', '--format', format);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain('https://news.example/story-1');
      expect(out.stdout, format).not.toContain('utm_');
    }
  });
});

describe.skipIf(!haveChromium)('the email in Chromium', () => {
  it('at 375 px and at 1280 px: no sideways scroll, the same text; 600 px wide at most', async () => {
    expect((await cli('issue', 'new', '--title', 'Week 48')).code).toBe(0);
    const out = await cli('export', '1', '--format', 'html');
    expect(out.code, out.stderr).toBe(0);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const seen: Record<number, { scrollWidth: number; clientWidth: number; container: number; text: string }> = {};
      for (const width of [375, 1280]) {
        const page = await browser.newPage({ viewport: { width, height: 800 } });
        // A mail client shows the email with remote content blocked; nothing is fetched.
        await page.route('**/*', (route) => route.abort());
        await page.setContent(out.stdout, { waitUntil: 'load' });
        seen[width] = await page.evaluate(() => ({
          scrollWidth: document.scrollingElement!.scrollWidth,
          clientWidth: document.scrollingElement!.clientWidth,
          container: document.querySelector('table.container')!.getBoundingClientRect().width,
          text: document.body.innerText,
        }));
        await page.close();
      }
      for (const width of [375, 1280]) expect(seen[width]!.scrollWidth, `${width} px`).toBeLessThanOrEqual(seen[width]!.clientWidth);
      expect(seen[375]!.container).toBeLessThanOrEqual(375);
      expect(seen[1280]!.container).toBe(600);
      expect(seen[375]!.text).toBe(seen[1280]!.text);
      expect(seen[375]!.text).toContain('Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(4));
      expect(seen[375]!.text).toContain('Get AI Wins in your inbox');
    } finally {
      await browser.close();
    }
  });
});
