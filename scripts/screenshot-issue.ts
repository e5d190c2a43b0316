/**
 * Renders a sample issue (invented stories) as the email HTML and screenshots it in headless
 * Chromium, for the README: `npx tsx scripts/screenshot-issue.ts [OUT.png] [WIDTH]` (default
 * docs/issue.png, 680 px wide; 375 shows it on a phone).
 * Uses Debian's /usr/bin/chromium (or CHROMIUM_PATH); every network request is refused, so the
 * picture shows what a reader sees with remote content blocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { issueDocument, renderIssueHtml } from '../src/export/index.ts';
import { openStore } from '../src/store/index.ts';
import { seedStories, type SeedStory } from '../test/helpers/newsletter.ts';

const out = resolve(process.argv[2] ?? 'docs/issue.png');
const width = Number(process.argv[3] ?? 680);
if (!Number.isInteger(width) || width < 200 || width > 2000) throw new Error(`WIDTH: expected a whole number of pixels between 200 and 2000, got "${process.argv[3]}"`);
const SAMPLE: SeedStory[] = [
  {
    title: 'Screening model finds early lung cancers',
    url: 'https://news.example/health/screening-model',
    published: '2026-11-27T14:00:00.000Z',
    category: 'Health',
    draft: {
      headline: 'A second reader that never tires: AI helps a hospital network catch lung cancer earlier',
      tldr: 'A screening model that reviews chest scans overnight helped doctors find 30 percent more early-stage lung cancers over two years.',
      takeaways: [
        { text: 'The model flags small nodules overnight; radiologists review every flag the next morning.', quote: '', grounded: true, supported: true },
        { text: 'In a two-year study of 12,000 patients, doctors caught 30 percent more early-stage cancers.', quote: '', grounded: true, supported: true },
        { text: 'Early-stage patients can often be treated with less invasive surgery.', quote: '', grounded: true, supported: true },
        { text: 'The hospital plans to share the tool with rural clinics next year.', quote: '', grounded: true, supported: true },
      ],
      deck: 'Radiologists still make every call; the model makes sure the small nodules get a second look.',
      body: [
        'The model reads each night’s chest scans and marks the ones with small nodules a tired eye can miss. Every flag goes to a radiologist the next morning, who decides what happens next.',
        'Over two years and 12,000 patients, the hospitals using it found 30 percent more cancers at an early stage than the ones that did not.',
      ],
      whyItMatters: 'Finding cancer early is the single biggest lever on survival, and rural patients wait longest for a specialist. A tool that works as a tireless second reader spreads that lever further.',
      implications: ['More patients can be treated with less invasive surgery.', 'Rural clinics could screen without a radiologist on site.'],
      readerNote: 'The study was run by the hospital network that built the tool and is not yet peer reviewed.',
    },
  },
  {
    title: 'Flood maps for 40 countries',
    url: 'https://news.example/climate/flood-maps',
    published: '2026-11-26T09:30:00.000Z',
    category: 'Climate',
    draft: {
      headline: 'Open flood forecasts now cover 40 countries, with a week of warning',
      tldr: 'A public flood-forecasting service extended its river forecasts to 40 countries, giving aid groups up to seven days of warning.',
      takeaways: [
        { text: 'Forecasts now cover river basins in 40 countries, up from 12 last year.', quote: '', grounded: true, supported: true },
        { text: 'Aid groups get up to seven days of warning before a river peaks.', quote: '', grounded: true, supported: true },
        { text: 'The data is free to use for governments and researchers.', quote: '', grounded: true, supported: true },
      ],
      deck: 'River forecasts that were a rich-country service now reach the places floods hit hardest.',
      body: [
        'The service combines rainfall forecasts with a model of how each river responds, trained on decades of gauge records where they exist and on satellite data where they do not.',
        'Its forecasts now cover river basins in 40 countries, and aid groups use them to move people and supplies before a river peaks.',
      ],
      whyItMatters: 'A week of warning turns a disaster into an evacuation: people move, and supplies are in place before the water comes.',
      implications: ['Aid can be in place before a flood instead of after it.', 'Governments without a forecasting service get one for free.'],
      readerNote: 'Forecasts are less reliable for small rivers and flash floods, which the service does not yet cover.',
    },
  },
];

const dir = mkdtempSync(join(tmpdir(), 'aiwins-shot-'));
try {
  const dbPath = join(dir, 'sample.db');
  const ids = await seedStories(dbPath, SAMPLE, 'Example News');
  const store = await openStore(dbPath);
  await store.issues.create({ title: 'Earlier diagnoses, earlier warnings', storyIds: ids, now: new Date('2026-11-28T08:00:00Z') });
  const full = (await store.issues.withStories(1))!;
  await store.close();
  const html = renderIssueHtml(issueDocument(full, full.stories), {
    name: 'AI Wins',
    tagline: 'Good news about AI, checked against the source',
    timezone: 'UTC',
    sourceName: 'feed',
    siteUrl: 'https://aiwins.example/',
    subscribeLine: 'Get AI Wins in your inbox',
    subscribeUrl: 'https://aiwins.example/subscribe',
  });

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    await page.screenshot({ path: out, fullPage: true });
    const sideways = await page.evaluate(() => document.scrollingElement!.scrollWidth - document.scrollingElement!.clientWidth);
    if (sideways > 0) process.stderr.write(`warning: at ${width} px the page scrolls ${sideways} px sideways\n`);
  } finally {
    await browser.close();
  }
  process.stdout.write(`wrote ${out} (${width} px wide, ${Buffer.byteLength(html)} bytes of HTML)\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
