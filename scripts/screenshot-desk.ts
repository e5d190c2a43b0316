/**
 * Screenshots the editors' desk for the README: the queue, a story and the Issue page, from the
 * same stories the browser tests use (test/helpers/desk.ts), in a temporary database.
 * `npx tsx scripts/screenshot-desk.ts [OUT_DIR]` (default docs/) writes desk-queue.png,
 * desk-story.png and desk-issue.png; `npm run docs:screenshots` runs it and
 * scripts/screenshot-issue.ts. Uses Debian's /usr/bin/chromium (or CHROMIUM_PATH); the desk
 * runs in this process on 127.0.0.1, port 0, and is stopped at the end.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { ConfigSchema } from '../src/config/schema.ts';
import { hashPassword } from '../src/review/password.ts';
import { startDesk } from '../src/review/server.ts';
import { openStore } from '../src/store/index.ts';
import { seedDeskWorld } from '../test/helpers/desk.ts';

const outDir = resolve(process.argv[2] ?? 'docs');
mkdirSync(outDir, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'aiwins-desk-shot-'));
const store = await openStore(join(dir, 'desk.db'));
try {
  await store.users.addUser('ann', await hashPassword('ann-password-1'), new Date());
  // Port 9 (discard) is closed: the hostile story's canary is reached by nothing here anyway.
  const ids = await seedDeskWorld(store, 'http://127.0.0.1:9');
  const opened = await store.issues.create({ title: null, storyIds: [ids.solar!, ids.reading!, ids.proteins!], now: new Date('2026-12-01T08:00:00Z') });
  if (!opened.ok) throw new Error(opened.message);
  const newsletter = ConfigSchema.shape.newsletter.parse({ siteUrl: 'https://aiwins.example/', tagline: 'Good news about AI, checked against the source' });
  const desk = await startDesk({ store, host: '127.0.0.1', port: 0, newsletter });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(desk.url + '/');
    await page.fill('input[name=username]', 'ann');
    await page.fill('input[name=password]', 'ann-password-1');
    await Promise.all([page.waitForURL(desk.url + '/'), page.click('button:has-text("Log in")')]);
    const shot = async (name: string) => {
      await page.screenshot({ path: join(outDir, name) });
      process.stdout.write(`wrote ${join(outDir, name)}\n`);
    };
    await shot('desk-queue.png');
    await Promise.all([page.waitForURL(`${desk.url}/stories/${ids.grid}`), page.click('text=Forecasting model trims power grid reserve costs')]);
    await page.locator('mark#quote-1').waitFor();
    await shot('desk-story.png');
    await page.goto(`${desk.url}/issues/${opened.issue.number}`);
    await page.frameLocator('.issue-preview iframe').locator('h2').first().waitFor();
    await shot('desk-issue.png');
  } finally {
    await browser.close();
    await desk.close();
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
