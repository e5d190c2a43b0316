import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { fixtureConfig, ROOT, runCli, tempProject, type TempProject } from './helpers/project.ts';
import { startSiteServer, type SiteServer } from './helpers/site-server.ts';
import { hashTestPassword } from './helpers/desk.ts';
import { seedStories, type SeedStory } from './helpers/stories.ts';

/**
 * The desk in real headless Chromium (Debian's, never a downloaded one): what an editor clicks,
 * and what hostile feeds, pages and model answers try. Runs against `aiwins serve` as started
 * from the CLI.
 */
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') {
  throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium, see .ci/run)`);
}
if (!haveChromium) console.warn(`skipping the browser tests: ${CHROMIUM} not found (apt-get install -y chromium to run them)`);

let project: TempProject;
let desk: ChildProcess;
let deskUrl: string;
let browser: Browser;
let canary: SiteServer;
let attacker: SiteServer;
const ids: Record<string, number> = {};

function startServe(): Promise<string> {
  desk = spawn(process.execPath, [join(ROOT, 'bin', 'aiwins.js'), '--config', project.configPath, '--db', project.dbPath, 'serve', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OPENAI_API_KEY: undefined },
  });
  let err = '';
  desk.stderr!.on('data', (d) => (err += d));
  return new Promise((ok, fail) => {
    let out = '';
    desk.stdout!.on('data', (d) => {
      out += d;
      const m = /^aiwins desk listening on (http:\/\/127\.0\.0\.1:\d+)\n/m.exec(out);
      if (m) ok(m[1]!);
    });
    desk.once('exit', (code) => fail(new Error(`aiwins serve exited ${code}: ${err}`)));
  });
}

async function loggedIn(user: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  await page.goto(deskUrl + '/');
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(deskUrl + '/'), page.click('button:has-text("Log in")')]).catch(async (e) => {
    throw new Error(`${e}\n${page.url()}\n${await page.content()}`);
  });
  return { context, page };
}

const statusOf = async (id: number) => {
  const store = await openStore(project.dbPath);
  try {
    return (await store.stories.get(id))!;
  } finally {
    await store.close();
  }
};

describe.skipIf(!haveChromium)('the desk in a browser', () => {
  beforeAll(async () => {
    canary = await startSiteServer({});
    project = tempProject();
    project.writeConfig(
      fixtureConfig({
        feeds: [{ name: 'Test Feed', url: 'https://feeds.example/0.xml' }],
        allow: [],
        extra: 'newsletter:\n  siteUrl: https://aiwins.example/\n  tagline: Good news about AI, checked against the source\n',
      }),
    );
    const c = canary.origin;
    const db = await openStore(project.dbPath);
    const users = db.users;
    await users.addUser('ann', await hashTestPassword('ann-password-1'), new Date());
    await users.addUser('bob', await hashTestPassword('bob-password-2'), new Date());
    const stories: [string, SeedStory][] = [
      ['eyes', { feed: 'The Verge — AI', title: 'AI spots eye disease early', draft: { category: 'Health' } }],
      [
        'grid',
        {
          feed: 'MIT News',
          title: 'A model balances the power grid',
          text: 'Engineers trained a model to forecast demand on the regional grid.\n\nThe forecasts cut reserve costs by 12 percent in a year-long trial.',
          draft: {
            headline: 'Forecasting model trims power grid reserve costs',
            tldr: 'A demand-forecasting model cut reserve costs by 12 percent in a year-long trial.',
            takeaways: [
              { text: 'Reserve costs fell 12 percent.', quote: 'cut reserve costs by 12 percent', grounded: true, supported: true },
              { text: 'The trial ran a year.', quote: 'year-long trial', grounded: true, supported: true },
            ],
            deck: 'A year-long trial on a regional grid',
            body: ['Engineers trained a model to forecast demand on the regional grid.', 'Its forecasts cut reserve costs by 12 percent over the trial.'],
            whyItMatters: 'Cheaper reserves make a grid with more wind and solar affordable to run.',
            implications: ['Grid operators can hold fewer costly reserves.', 'Cheaper balancing leaves room for more wind and solar.'],
            category: 'Climate',
          },
        },
      ],
      ['reject', { feed: 'MIT News', title: 'Chatbot writes a press release', draft: { headline: 'Chatbot writes its own press release', category: 'Business' } }],
      [
        'flagged',
        {
          feed: 'The Verge — AI',
          title: 'Startup claims AGI next year',
          draft: {
            headline: 'Startup says its model will reach AGI next year',
            framing: { verdict: 'mixed', score: 0.1, rationale: 'Claims without evidence.', concerns: ['speculative claims'], angle: null, confidence: 0.5, recommendation: 'include_with_note' },
            takeaways: [{ text: 'AGI is coming.', quote: 'we will reach AGI next year', grounded: false, supported: false }],
            category: 'Products',
          },
        },
      ],
      ['conflict', { feed: 'MIT News', title: 'Two editors, one story', draft: { headline: 'Robots help sort recycling', category: 'Climate' } }],
      ['crossorigin', { feed: 'MIT News', title: 'Cross-origin target', draft: { headline: 'Translation model adds 200 languages', category: 'Research' } }],
      [
        'hostile',
        {
          feed: 'Hostile <b>Feed</b>',
          title: `<img src=x onerror="alert('title');fetch('${c}/title')">`,
          url: `javascript:fetch('${c}/url')`,
          html:
            `<p>Body<script>alert('script');fetch('${c}/script')</script></p>` +
            `<p><a href="javascript:fetch('${c}/link')">a link</a><img src="${c}/img"><iframe src="${c}/iframe"></iframe></p>` +
            `<p><svg onload="fetch('${c}/svg')"></svg><style>body{background:url(${c}/css)}</style></p>`,
          draft: {
            headline: `<img src=x onerror="alert('model');fetch('${c}/model')">Model <b>HTML</b>`,
            tldr: `</textarea><script>alert('tldr');fetch('${c}/tldr')</script>`,
            whyItMatters: `<a href="javascript:alert('why')">click</a>`,
            category: 'Research',
          },
        },
      ],
      // Approved below, for the Issue page.
      ['solar', { feed: 'MIT News', title: 'Solar forecasts', draft: { headline: 'Cloud forecasts keep solar farms steady', category: 'Climate' } }],
      ['reading', { feed: 'The Verge — AI', title: 'Reading tutor', draft: { headline: 'A reading tutor helps children catch up', category: 'Education' } }],
      ['proteins', { feed: 'MIT News', title: 'Protein model', draft: { headline: 'Protein model speeds up enzyme design', category: 'Research' } }],
    ];
    (await seedStories(db, stories.map(([, s]) => s))).forEach((id, i) => (ids[stories[i]![0]] = id));
    for (const key of ['solar', 'reading', 'proteins']) await db.editorial.decide(ids[key]!, { action: 'approve', by: 'setup', now: new Date() });
    // Out of the default queue, so the queue screenshot is the same on every run (the canary's
    // port is in this story's text); the test below opens it through status=all and its page.
    await db.editorial.decide(ids.hostile!, { action: 'reject', reason: 'other', by: 'setup', now: new Date() });
    await db.close();
    attacker = await startSiteServer({});
    deskUrl = await startServe();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // launch() gives every browser a fresh temporary profile (--user-data-dir) of its own.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (desk && desk.exitCode === null) {
      const exited = new Promise((r) => desk.once('exit', r));
      desk.kill('SIGTERM');
      await exited;
    }
    await canary?.close();
    await attacker?.close();
    project?.remove();
  });

  it('log in, see the queue (clean candidates before flagged ones), open a story; screenshots for the README', async () => {
    const { context, page } = await loggedIn('ann', 'ann-password-1');
    const headlines = await page.locator('ol.queue li .headline').allTextContents();
    expect(headlines.indexOf('Startup says its model will reach AGI next year')).toBeGreaterThan(headlines.indexOf('Robots help sort recycling'));
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'docs', 'desk-queue.png') });
    await Promise.all([page.waitForURL(`${deskUrl}/stories/${ids.grid}`), page.click('text=Forecasting model trims power grid reserve costs')]);
    await expect(page.locator('mark#quote-1').textContent()).resolves.toContain('cut reserve costs by 12 percent');
    await page.screenshot({ path: join(ROOT, 'docs', 'desk-story.png'), fullPage: false });
    await context.close();
  });

  it('edit, approve, re-draft (the approval stays on its version), reject with a reason', async () => {
    const { context, page } = await loggedIn('ann', 'ann-password-1');
    await page.goto(`${deskUrl}/stories/${ids.eyes}`);
    await page.fill('input[name=headline]', 'Eye scans read by AI catch disease early');
    await page.fill('input[name=deck]', 'Screening without a specialist in the room');
    await page.fill('textarea[name=body]', 'Clinics photograph the retina.\n\nThe model reads the scan in seconds.');
    await page.fill('textarea[name=implications]', 'Earlier treatment.\nFewer referrals.');
    await page.fill('textarea[name=readerNote]', 'The results come from one hospital.');
    await Promise.all([page.waitForURL(/done=saved/), page.click('button:has-text("Save")')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Eye scans read by AI catch disease early');
    // The preview is the newsletter's layout, with every edited field in it.
    const preview = page.locator('.reader article.story');
    await expect(preview.locator('.headline').textContent()).resolves.toBe('Eye scans read by AI catch disease early');
    await expect(preview.locator('.deck').textContent()).resolves.toBe('Screening without a specialist in the room');
    await expect(preview.locator('.body p').allTextContents()).resolves.toEqual(['Clinics photograph the retina.', 'The model reads the scan in seconds.']);
    await expect(preview.locator('.implications li').allTextContents()).resolves.toEqual(['Earlier treatment.', 'Fewer referrals.']);
    await expect(preview.locator('.reader-note').textContent()).resolves.toBe('The results come from one hospital.');
    await Promise.all([page.waitForURL(/done=approved/), page.click('button:has-text("Approve")')]);
    const approved = (await statusOf(ids.eyes!));
    expect(approved.status).toBe('approved');
    expect(approved.review.approvedVersionId).toBe(approved.draft!.id);
    expect(approved.draft!.editedBy).toBe('ann');
    expect(approved.draft).toMatchObject({ deck: 'Screening without a specialist in the room', implications: ['Earlier treatment.', 'Fewer referrals.'], readerNote: 'The results come from one hospital.' });

    await Promise.all([page.waitForURL(/done=redrafted/), page.click('button:has-text("Re-draft")')]);
    await expect(page.locator('.story-head').textContent()).resolves.toContain('re-drafted since approval');
    const redrafted = (await statusOf(ids.eyes!));
    expect(redrafted.status).toBe('approved');
    expect(redrafted.draft!.id).not.toBe(approved.review.approvedVersionId);
    expect(redrafted.review.approvedVersionId).toBe(approved.review.approvedVersionId);

    await page.goto(`${deskUrl}/stories/${ids.reject}`);
    await page.selectOption('select[name=reason]', 'spin');
    await page.fill('input[name=note]', 'A press release, not news');
    await Promise.all([page.waitForURL(/done=rejected/), page.click('button:has-text("Reject")')]);
    expect((await statusOf(ids.reject!)).review.decision).toMatchObject({ action: 'reject', reason: 'spin', note: 'A press release, not news', by: 'ann' });
    await context.close();
  });

  it('two editors save the same version: the second gets 409 and both texts, nothing overwritten', async () => {
    const ann = await loggedIn('ann', 'ann-password-1');
    const bob = await loggedIn('bob', 'bob-password-2');
    for (const p of [ann.page, bob.page]) await p.goto(`${deskUrl}/stories/${ids.conflict}`);
    await ann.page.fill('input[name=headline]', 'Ann: recycling robots sort faster');
    await bob.page.fill('input[name=headline]', 'Bob: robots speed up recycling');
    await Promise.all([ann.page.waitForURL(/done=saved/), ann.page.click('button:has-text("Save")')]);
    const [response] = await Promise.all([bob.page.waitForResponse((r) => r.url().endsWith('/edit')), bob.page.click('button:has-text("Save")')]);
    expect(response.status()).toBe(409);
    const text = await bob.page.locator('main').textContent();
    expect(text).toContain('Ann: recycling robots sort faster');
    expect(text).toContain('Bob: robots speed up recycling');
    expect((await statusOf(ids.conflict!)).draft!.headline).toBe('Ann: recycling robots sort faster');
    await ann.context.close();
    await bob.context.close();
  });

  it('hostile titles, pages and model answers do nothing: no dialog, no request to the canary', async () => {
    const { context, page } = await loggedIn('ann', 'ann-password-1');
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${deskUrl}/?status=all`);
    await page.goto(`${deskUrl}/stories/${ids.hostile}`);
    await page.click('summary:has-text("As formatted on the page")');
    await page.click('text=a link');
    await page.click('text=click');
    await expect(page.locator('h1').textContent()).resolves.toContain('<img src=x onerror=');
    // A last round trip to the desk, so anything the page might have started has had its turn.
    await page.goto(`${deskUrl}/stories/${ids.hostile}`);
    expect(dialogs).toEqual([]);
    expect(canary.requests.map((r) => r.path)).toEqual([]);
    await context.close();
  });

  it('a page on another origin (another port on 127.0.0.1) auto-submitting a form to the desk changes nothing', async () => {
    const { context, page } = await loggedIn('ann', 'ann-password-1');
    attacker.setRoute('/', {
      headers: { 'content-type': 'text/html' },
      body: `<form id=f method=post action="${deskUrl}/stories/${ids.crossorigin}/approve"><input name=note value=pwned></form><script>document.getElementById('f').submit()</script>`,
    });
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/approve')), page.goto(attacker.origin + '/')]);
    expect(response.status()).toBe(403);
    expect((await statusOf(ids.crossorigin!)).status).toBe('candidate');
    expect((await statusOf(ids.crossorigin!)).review.decision).toBeNull();
    await context.close();
  });

  it('keys: j and o open the next story, ? lists the keys', async () => {
    const { context, page } = await loggedIn('bob', 'bob-password-2');
    await page.keyboard.press('?');
    await expect(page.locator('#keys').isVisible()).resolves.toBe(true);
    const second = await page.locator('ol.queue li .headline').nth(1).getAttribute('href');
    await page.keyboard.press('j');
    await Promise.all([page.waitForURL(deskUrl + second), page.keyboard.press('o')]);
    await context.close();
  });

  it('the Issue page: the approved stories proposed, reorder with the buttons and by dragging, the preview follows; mark as sent; screenshot for the README', async () => {
    const { context, page } = await loggedIn('ann', 'ann-password-1');
    await Promise.all([page.waitForURL(deskUrl + '/issue'), page.click('header nav a:has-text("Issue")')]);
    await expect(page.locator('ol.proposed').textContent()).resolves.toContain('Cloud forecasts keep solar farms steady');
    // Opened with a fixed date and these three stories (the form's own POST is tested in
    // src/review/issue.test.ts), so the screenshot is the same on every run.
    const db = await openStore(project.dbPath);
    const opened = await db.issues.create({ title: null, storyIds: [ids.solar!, ids.reading!, ids.proteins!], now: new Date('2026-12-01T08:00:00Z') });
    await db.close();
    if (!opened.ok) throw new Error(opened.message);
    const number = opened.issue.number;
    await Promise.all([page.waitForURL(`${deskUrl}/issues/${number}`), page.click('header nav a:has-text("Issue")')]);
    const listed = async () => (await page.locator('ol.issue-stories li').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-story')))));
    const previewed = () => page.frameLocator('.issue-preview iframe').locator('h2').allTextContents();
    // The version each story goes out at: the one approved (one story was re-drafted since).
    const headlineOf = async (id: number) => {
      const store = await openStore(project.dbPath);
      try {
        return (await store.issues.withStories(number))!.stories.find((s) => s.id === id)!.draft!.headline;
      } finally {
        await store.close();
      }
    };
    const before = await listed();
    expect(before).toEqual([ids.solar, ids.reading, ids.proteins]);
    expect(await previewed()).toEqual(await Promise.all(before.map(headlineOf)));

    // "Down" on the first story: a plain POST form, then the page again with the new order.
    await Promise.all([page.waitForURL(/done=issueMoved/), page.locator(`li[data-story="${before[0]}"] button:has-text("Down")`).click()]);
    const moved = [before[1]!, before[0]!, ...before.slice(2)];
    expect(await listed()).toEqual(moved);
    expect(await previewed()).toEqual(await Promise.all(moved.map(headlineOf)));

    // Dragging the last story onto the first does the same through the same form.
    const last = moved[moved.length - 1]!;
    await page.goto(`${deskUrl}/issues/${number}`);
    await Promise.all([page.waitForURL(/done=issueMoved/), page.dragAndDrop(`li[data-story="${last}"]`, `li[data-story="${moved[0]}"]`)]);
    const dragged = [last, ...moved.slice(0, -1)];
    expect(await listed()).toEqual(dragged);
    expect(await previewed()).toEqual(await Promise.all(dragged.map(headlineOf)));

    // The preview is the email exactly as `aiwins export N --format html` writes it.
    const exported = await runCli(['--config', project.configPath, '--db', project.dbPath, 'export', String(number), '--format', 'html']);
    expect(exported.code).toBe(0);
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    expect(await (await fetch(`${deskUrl}/issues/${number}/preview`, { headers: { cookie } })).text()).toBe(exported.stdout);
    await page.screenshot({ path: join(ROOT, 'docs', 'desk-issue.png') });

    await Promise.all([page.waitForURL(`${deskUrl}/issues/${number}/send`), page.click('a:has-text("Mark as sent…")')]);
    await Promise.all([page.waitForURL(/done=issueSent/), page.click('button:has-text("Mark as sent")')]);
    await expect(page.locator('.notice').textContent()).resolves.toContain('Marked as sent');
    const shown = await runCli(['--config', project.configPath, '--db', project.dbPath, 'issue', 'show', String(number), '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ number, status: 'sent' });
    expect(await page.locator('ol.issue-stories button').count()).toBe(0);
    await context.close();
  });

  it('/feed.xml needs no login and is what `aiwins export --format rss --status approved` writes', async () => {
    const r = await fetch(`${deskUrl}/feed.xml`, { redirect: 'manual' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const exported = await runCli(['--config', project.configPath, '--db', project.dbPath, 'export', '--format', 'rss', '--status', 'approved']);
    expect(exported.code).toBe(0);
    const xml = await r.text();
    expect(xml).toBe(exported.stdout);
    expect(xml).toContain('Cloud forecasts keep solar farms steady');
    expect(xml).not.toContain('Startup says its model will reach AGI next year');
  });

  it('"Log out" ends the session on the server: the old cookie no longer works', async () => {
    const { context, page } = await loggedIn('ann', 'ann-password-1');
    const [cookie] = await context.cookies();
    await Promise.all([page.waitForURL(deskUrl + '/login'), page.click('button:has-text("Log out")')]);
    const replay = await fetch(deskUrl + '/', { headers: { cookie: `${cookie!.name}=${cookie!.value}` }, redirect: 'manual' });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/login');
    await context.close();
  });
});
