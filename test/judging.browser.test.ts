import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { hashTestPassword } from './helpers/desk.ts';
import { fixtureConfig, tempProject, type TempProject } from './helpers/project.ts';
import { seedStories } from './helpers/stories.ts';
import { serveDesk, type ServedDesk } from './helpers/serve.ts';

/**
 * An editor judging an offline draft in real headless Chromium (Debian's) against `aiwins serve`
 * as the CLI starts it: the verdict and recommendation saved as theirs, a takeaway's added "90%"
 * marked in the reader preview, and a quote with other punctuation highlighted in the source.
 */
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium, see .ci/run)`);

let project: TempProject;
let desk: ServedDesk;
let deskUrl: string;
let browser: Browser;
let storyId: number;


describe.skipIf(!haveChromium)('judging an offline draft in a browser', () => {
  beforeAll(async () => {
    project = tempProject();
    project.writeConfig(fixtureConfig({ feeds: [{ name: 'Test Feed', url: 'https://feeds.example/0.xml' }], allow: [] }));
    const db = await openStore(project.dbPath);
    await db.users.addUser('ann', await hashTestPassword('ann-password-1'), new Date());
    [storyId] = await seedStories(db, [
      {
        title: 'Retinal scans read offline',
        draft: {
          engine: 'extractive',
          model: null,
          deck: '',
          implications: [],
          framing: { verdict: 'uncertain', score: 0.5, rationale: 'Offline draft: no model judged it.', concerns: [], angle: null, confidence: 0, recommendation: 'skip' },
        },
      },
    ]);
    await db.close();
    desk = await serveDesk(project);
    deskUrl = desk.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
    project?.remove();
  });

  it('sets the verdict, sees "90%" marked in the preview and a quote with other punctuation highlighted in the source', async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    await page.goto(deskUrl + '/login');
    await page.fill('input[name=username]', 'ann');
    await page.fill('input[name=password]', 'ann-password-1');
    await Promise.all([page.waitForURL(deskUrl + '/'), page.click('button:has-text("Log in")')]);
    await page.goto(`${deskUrl}/stories/${storyId}#edit`); // the edit form is folded until #edit opens it
    await expect(page.locator('select[name=verdict]').inputValue()).resolves.toBe('uncertain');
    await page.selectOption('select[name=verdict]', 'positive');
    await page.selectOption('select[name=recommendation]', 'include');
    await page.fill('textarea[name="takeaways.0.text"]', 'The model caught most cases, a 90% cure rate.');
    // The article says "94 percent of cases that doctors later confirmed"; the quote writes "94%" and adds a comma.
    await page.fill('textarea[name="takeaways.0.quote"]', 'found early signs of diabetic eye disease, in 94% of cases');
    await Promise.all([page.waitForURL(/done=saved/), page.click('button:has-text("Save")')]);

    const claim = page.locator('.reader .takeaways mark.claim');
    await expect(claim.allTextContents()).resolves.toEqual(['90%']);
    await expect(claim.getAttribute('title')).resolves.toBe('not in its quote');
    // The mark is visible: it has a background of its own.
    await expect(claim.evaluate((el) => getComputedStyle(el).backgroundColor)).resolves.not.toBe('rgba(0, 0, 0, 0)');
    await expect(page.locator('.quotes li').first().textContent()).resolves.toContain('the takeaway says "90%", which its quote does not');
    const notes = await page.locator('.reader .editor-notes').textContent();
    expect(notes).toContain('the edited text fails its checks against the article');
    expect(notes).not.toContain('repair turn');
    expect(notes).not.toContain('set aside');

    await expect(page.locator('.source-text mark#quote-1').textContent()).resolves.toBe('found early signs of diabetic eye disease in 94 percent of cases1');
    await expect(page.locator('.judged-by').first().textContent()).resolves.toMatch(/^Verdict set by ann on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    await expect(page.locator('select[name=verdict]').inputValue()).resolves.toBe('positive');
    await context.close();
  });
});
