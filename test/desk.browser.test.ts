import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { fixtureConfig, ROOT, runCli, tempProject, type TempProject } from './helpers/project.ts';
import { startSiteServer, type SiteServer } from './helpers/site-server.ts';
import { startOpenAiServer, type OpenAiServer } from './helpers/openai-server.ts';
import { hashTestPassword, seedDeskWorld } from './helpers/desk.ts';
import { serveDesk, type ServedDesk } from './helpers/serve.ts';

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
let desk: ServedDesk;
let deskUrl: string;
let browser: Browser;
let canary: SiteServer;
let attacker: SiteServer;
// The model the desk re-drafts with (a desk without one offers no Re-draft).
let llm: OpenAiServer;
const ids: Record<string, number> = {};


async function loggedIn(user: string, password: string, opts: { bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, ...opts });
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

const AXE_SOURCE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * What axe-core (WCAG 2 A/AA and best practice) finds on the page, one line per rule with the
 * elements. Its context must bypass the desk's CSP: axe is injected for the test only.
 */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** The desk's keys answer once the page has loaded and settled (the script marks <html data-keys="ready">). */
const keysReady = (page: Page) => page.locator('html[data-keys="ready"]').waitFor({ state: 'attached' });

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
    llm = await startOpenAiServer();
    project = tempProject();
    project.writeConfig(
      fixtureConfig({
        feeds: [{ name: 'Test Feed', url: 'https://feeds.example/0.xml' }],
        allow: [],
        llmBaseURL: llm.url,
        extra: 'newsletter:\n  siteUrl: https://aiwins.example/\n  tagline: Good news about AI, checked against the source\n',
      }),
    );
    const db = await openStore(project.dbPath);
    await db.users.addUser('ann', await hashTestPassword('ann-password-1'), new Date());
    await db.users.addUser('bob', await hashTestPassword('bob-password-2'), new Date());
    Object.assign(ids, await seedDeskWorld(db, canary.origin));
    await db.close();
    attacker = await startSiteServer({});
    desk = await serveDesk(project);
    deskUrl = desk.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // launch() gives every browser a fresh temporary profile (--user-data-dir) of its own.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
    await canary?.close();
    await attacker?.close();
    await llm?.close();
    project?.remove();
  });

  it('log in, see the queue (clean candidates before flagged ones), open a story', async () => {
    const { context, page } = await loggedIn('ann', 'ann-password-1');
    const headlines = await page.locator('ol.queue li .headline').allTextContents();
    expect(headlines.indexOf('Startup says its model will reach AGI next year')).toBeGreaterThan(headlines.indexOf('Robots help sort recycling'));
    await page.screenshot({ path: join(project.dir, 'desk-queue.png') });
    await Promise.all([page.waitForURL(`${deskUrl}/stories/${ids.grid}`), page.click('text=Forecasting model trims power grid reserve costs')]);
    await expect(page.locator('mark#quote-1').textContent()).resolves.toContain('cut reserve costs by 12 percent');
    await page.screenshot({ path: join(project.dir, 'desk-story.png'), fullPage: false });
    await context.close();
  });

  it('edit, approve, re-draft (the approval stays on its version), reject with a reason', async () => {
    const { context, page } = await loggedIn('ann', 'ann-password-1');
    await page.goto(`${deskUrl}/stories/${ids.eyes}`);
    await page.click('#edit summary');
    // Opening the form focuses the headline with the caret at its end (the page's 'toggle'
    // handler); filling before that lands lets the handler move the caret mid-fill, and the new
    // headline is typed after the old one (seen on a loaded CI machine).
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'headline');
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
    // Bob's context lets axe in, to check the conflict page too.
    const bob = await loggedIn('bob', 'bob-password-2', { bypassCSP: true });
    for (const p of [ann.page, bob.page]) await p.goto(`${deskUrl}/stories/${ids.conflict}#edit`);
    await ann.page.fill('input[name=headline]', 'Ann: recycling robots sort faster');
    await bob.page.fill('input[name=headline]', 'Bob: robots speed up recycling');
    await Promise.all([ann.page.waitForURL(/done=saved/), ann.page.click('button:has-text("Save")')]);
    const [response] = await Promise.all([bob.page.waitForResponse((r) => r.url().endsWith('/edit')), bob.page.click('button:has-text("Save")')]);
    expect(response.status()).toBe(409);
    const text = await bob.page.locator('main').textContent();
    expect(text).toContain('Ann: recycling robots sort faster');
    expect(text).toContain('Bob: robots speed up recycling');
    expect((await statusOf(ids.conflict!)).draft!.headline).toBe('Ann: recycling robots sort faster');
    expect(await axeViolations(bob.page)).toEqual([]);
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
    await keysReady(page);
    await page.keyboard.press('?');
    await expect(page.locator('#keys').isVisible()).resolves.toBe(true);
    const second = await page.locator('ol.queue li .headline').nth(1).getAttribute('href');
    await page.keyboard.press('j');
    await Promise.all([page.waitForURL(deskUrl + second), page.keyboard.press('o')]);
    await context.close();
  });

  /** Presses `j` until the queue's selected row is the story's; the row's index. */
  async function selectRow(page: Page, id: number): Promise<number> {
    await keysReady(page);
    const hrefs = await page.locator('ol.queue li .headline').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    const at = hrefs.indexOf(`/stories/${id}`);
    expect(at).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < at; i++) await page.keyboard.press('j');
    await page.locator(`ol.queue li.selected .headline[href="/stories/${id}"]`).waitFor();
    return at;
  }

  it('keys: j, e, then typing: the headline field holds the text and nothing is approved; o and r throw nothing', async () => {
    const { context, page } = await loggedIn('bob', 'bob-password-2');
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const posts: string[] = [];
    page.on('request', (r) => void (r.method() === 'POST' && posts.push(r.url())));
    await selectRow(page, ids.typed!);
    // The story page is held back while `a` is pressed: the queue is still shown, and `a` there
    // would approve its selected row, but a key that has started to leave the page ends its keys.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let asked!: () => void;
    const requested = new Promise<void>((r) => (asked = r));
    const storyPath = (url: URL) => url.pathname === `/stories/${ids.typed}`;
    await page.route(storyPath, async (route) => {
      asked();
      await held;
      await route.continue();
    });
    await page.keyboard.press('e');
    await requested;
    await page.keyboard.press('a');
    release();
    await page.waitForURL(`${deskUrl}/stories/${ids.typed}#edit`);
    await page.unroute(storyPath);
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'headline');
    // Every shortcut letter is in it: none may act while the field has focus.
    const typed = ' for all: a story of j, k, o, r and e';
    await page.keyboard.type(typed);
    await expect(page.inputValue('input[name=headline]')).resolves.toBe('Live captions open lectures to deaf students' + typed);
    await expect(page.locator('input[name=headline]').isVisible()).resolves.toBe(true);
    const story = await statusOf(ids.typed!);
    expect(story.status).toBe('candidate');
    expect(story.review.decision).toBeNull();

    // `r` on the queue: the story's reject form, its reason focused.
    await page.goto(deskUrl + '/');
    await selectRow(page, ids.typed!);
    await Promise.all([page.waitForURL(`${deskUrl}/stories/${ids.typed}#reject`), page.keyboard.press('r')]);
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'reason');
    // `e` on the story page itself unfolds the edit form and focuses the headline.
    await keysReady(page);
    await page.locator('select[name=reason]').evaluate((el) => (el as HTMLElement).blur());
    await page.keyboard.press('e');
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'headline');
    // `o` on the queue opens the story.
    await page.goto(deskUrl + '/');
    await selectRow(page, ids.typed!);
    await Promise.all([page.waitForURL(`${deskUrl}/stories/${ids.typed}`), page.keyboard.press('o')]);
    expect(errors).toEqual([]);
    expect(posts).toEqual([]);
    expect((await statusOf(ids.typed!)).review.decision).toBeNull();
    await context.close();
  });

  it('a on the queue: the notice names the story and offers Undo (u; a reopen, on record); the selection moves to the next row', async () => {
    const { context, page } = await loggedIn('bob', 'bob-password-2');
    const at = await selectRow(page, ids.undone!);
    const next = await page.locator('ol.queue li .headline').nth(at + 1).getAttribute('href');
    await Promise.all([page.waitForURL(/done=approved/), page.keyboard.press('a')]);
    const notice = page.getByRole('status');
    await expect(notice.textContent()).resolves.toContain('Cameras with AI spot wildfires within minutes');
    await expect(page.locator('ol.queue li.selected .headline').getAttribute('href')).resolves.toBe(next);
    expect((await statusOf(ids.undone!)).status).toBe('approved');

    // "Undo" is a button in the notice, and `u` presses it.
    await expect(notice.locator('button:has-text("Undo")').count()).resolves.toBe(1);
    await keysReady(page);
    await Promise.all([page.waitForURL(/done=undone/), page.keyboard.press('u')]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Cameras with AI spot wildfires within minutes');
    // The story is back in the queue, selected.
    await expect(page.locator('ol.queue li.selected .headline').getAttribute('href')).resolves.toBe(`/stories/${ids.undone}`);
    const store = await openStore(project.dbPath);
    try {
      expect((await store.stories.get(ids.undone!))!.status).toBe('candidate');
      // Append-only: the approval stays on record, followed by the reopen.
      expect((await store.editorial.decisions(ids.undone!)).map((d) => [d.action, d.by])).toEqual([
        ['approve', 'bob'],
        ['reopen', 'bob'],
      ]);
    } finally {
      await store.close();
    }
    await context.close();
  });

  it('queue rows show date, source and TL;DR, each flag once; an empty search says how to widen it; Escape closes the keys', async () => {
    const { context, page } = await loggedIn('ann', 'ann-password-1');
    const grid = page.locator(`ol.queue li:has(a[href="/stories/${ids.grid}"])`);
    const text = (await grid.textContent())!;
    expect(text).toContain('2026-11-30');
    expect(text).toContain('MIT News');
    expect(text).toContain('A demand-forecasting model cut reserve costs by 12 percent in a year-long trial.');
    const unsure = (await page.locator(`ol.queue li:has(a[href="/stories/${ids.unsure}"])`).textContent())!;
    expect(unsure.match(/uncertain/g)).toHaveLength(1);
    expect(unsure.match(/skip/g)).toHaveLength(1);

    await keysReady(page);
    await page.keyboard.press('?');
    await expect(page.locator('#keys').isVisible()).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await expect(page.locator('#keys').isVisible()).resolves.toBe(false);

    await page.goto(`${deskUrl}/?q=${encodeURIComponent('zebra unicorn')}&feed=${encodeURIComponent('MIT News')}`);
    const empty = (await page.locator('main').textContent())!;
    expect(empty).toContain('Nothing matched');
    await Promise.all([page.waitForURL(/status=all/), page.click('a:has-text("all statuses")')]);
    await context.close();
  });

  it('the story page: the edit form is folded until Edit opens it', async () => {
    const { context, page } = await loggedIn('ann', 'ann-password-1');
    await page.goto(`${deskUrl}/stories/${ids.grid}`);
    await expect(page.locator('input[name=headline]').isVisible()).resolves.toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(2000);
    await page.click('#edit summary');
    // Opening the form focuses the headline with the caret at its end (the page's 'toggle'
    // handler); filling before that lands lets the handler move the caret mid-fill, and the new
    // headline is typed after the old one (seen on a loaded CI machine).
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'headline');
    await expect(page.locator('input[name=headline]').isVisible()).resolves.toBe(true);
    await context.close();
  });

  it('the Issue page: the approved stories proposed, reorder with the buttons and by dragging, the preview follows; mark as sent', async () => {
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
    await page.screenshot({ path: join(project.dir, 'desk-issue.png') });

    await Promise.all([page.waitForURL(`${deskUrl}/issues/${number}/send`), page.click('a:has-text("Mark as sent…")')]);
    await Promise.all([page.waitForURL(/done=issueSent/), page.click('button:has-text("Mark as sent")')]);
    await expect(page.locator('.notice').textContent()).resolves.toContain('Marked as sent');
    const shown = await runCli(['--config', project.configPath, '--db', project.dbPath, 'issue', 'show', String(number), '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ number, status: 'sent' });
    expect(await page.locator('ol.issue-stories button').count()).toBe(0);
    await context.close();
  });

  it('every page of the desk has no axe-core violations (WCAG 2 A/AA and best practice)', async () => {
    // The desk's policy allows only its own nonce'd script; axe is injected past it, for the test only.
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const check = async (what: string) => ({ what, found: await axeViolations(page) });
    const results = [];
    await page.goto(deskUrl + '/');
    results.push(await check('login'));
    await page.fill('input[name=username]', 'ann');
    await page.fill('input[name=password]', 'ann-password-1');
    await Promise.all([page.waitForURL(deskUrl + '/'), page.click('button:has-text("Log in")')]);
    results.push(await check('queue'));
    await keysReady(page);
    await page.keyboard.press('?');
    await page.locator('#keys').waitFor();
    results.push(await check('queue with the keys'));
    await Promise.all([page.waitForURL(/done=approved/), page.locator(`ol.queue li:has(a[href="/stories/${ids.typed}"]) button:has-text("Approve")`).click()]);
    await expect(page.getByRole('status').locator('button:has-text("Undo")').count()).resolves.toBe(1);
    results.push(await check('queue, the notice with Undo'));
    await page.goto(`${deskUrl}/?q=nothing-at-all`);
    results.push(await check('empty search'));
    for (const [what, path] of [
      ['story', `/stories/${ids.grid}`],
      ['story, edit open', `/stories/${ids.grid}#edit`],
      ['story with versions to compare', `/stories/${ids.eyes}`],
      ['coverage', `/stories/${ids.covered}`],
      ["a copy's page", `/stories/${ids.copy}`],
      ['issue', '/issue'],
      ['not found', '/nowhere'],
    ] as const) {
      await page.goto(deskUrl + path);
      results.push(await check(what));
    }
    expect(results.filter((r) => r.found.length > 0)).toEqual([]);
    await context.close();
  });

  it('/feed.xml needs no login and is what `aiwins export --format rss --status approved --feed-url` writes', async () => {
    const r = await fetch(`${deskUrl}/feed.xml`, { redirect: 'manual' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const exported = await runCli(['--config', project.configPath, '--db', project.dbPath, 'export', '--format', 'rss', '--status', 'approved', '--feed-url', `${deskUrl}/feed.xml`]);
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
