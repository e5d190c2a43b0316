import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, type ScryptCost } from '../../src/review/password.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { seedStories, type SeedStory } from './stories.ts';
import { tempDatabase, type Backend } from './stores.ts';

/**
 * A lower scrypt cost for test editors (about 1 MiB and a millisecond instead of 128 MiB and a
 * large fraction of a second each); the hash records it, so logging in verifies at the same cost.
 */
export const TEST_SCRYPT_COST: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };

/** A password hash for a test editor, at TEST_SCRYPT_COST. */
export const hashTestPassword = (password: string): Promise<string> => hashPassword(password, TEST_SCRYPT_COST);

/**
 * A temp database with editors added through the store, as `aiwins users add` does (at the test
 * cost): a SQLite file, or a PostgreSQL database of its own (`path` is then its URL).
 */
export async function deskDb(users: Record<string, string>, backend: Backend = 'sqlite'): Promise<{ store: Store; path: string; remove(): Promise<void> }> {
  if (backend === 'postgres') {
    const db = await tempDatabase('postgres');
    const store = await db.open();
    for (const [name, password] of Object.entries(users)) await store.users.addUser(name, await hashTestPassword(password), new Date());
    return { store, path: db.location, remove: () => db.remove() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'aiwins-desk-'));
  const path = join(dir, 'aiwins.db');
  const store = await openStore(path);
  for (const [name, password] of Object.entries(users)) await store.users.addUser(name, await hashTestPassword(password), new Date());
  return {
    store,
    path,
    remove: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The CSRF token of a page's forms. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1]!;
}

/** Logs in through the desk's own form, as a browser on its origin would: the session cookie and its CSRF token. */
export async function deskLogin(
  app: { request(path: string, init?: RequestInit): Response | Promise<Response> },
  origin: string,
  username: string,
  password: string,
): Promise<{ cookie: string; csrf: string }> {
  const r = await app.request('/login', {
    method: 'POST',
    body: new URLSearchParams({ username, password }),
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (r.status !== 303) throw new Error(`login as ${username}: HTTP ${r.status}`);
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  const page = await app.request('/', { headers: { cookie } });
  return { cookie, csrf: csrfOf(await page.text()) };
}

/**
 * The stories the browser tests and `npm run docs:screenshots` work on, as [key, story] pairs.
 * `canary` is the origin a hostile story tries to reach (a test's canary server; any closed port
 * for the screenshots).
 */
export function deskWorld(canary: string): [string, SeedStory][] {
  const c = canary;
  return [
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
    ['reject', { feed: 'MIT News', title: 'Chatbot writes a press release', draft: { headline: 'Chatbot writes its own press release', tldr: 'A company had a chatbot announce its own launch.', category: 'Business' } }],
    [
      'flagged',
      {
        feed: 'The Verge — AI',
        title: 'Startup claims AGI next year',
        draft: {
          headline: 'Startup says its model will reach AGI next year',
          tldr: 'A startup claims its model will reach AGI next year, without evidence.',
          framing: { verdict: 'mixed', score: 0.1, rationale: 'Claims without evidence.', concerns: ['speculative claims'], angle: null, confidence: 0.5, recommendation: 'include_with_note' },
          takeaways: [{ text: 'AGI is coming.', quote: 'we will reach AGI next year', grounded: false, supported: false }],
          category: 'Products',
        },
      },
    ],
    [
      'unsure',
      {
        feed: 'MIT News',
        title: 'Model predicts crop yields',
        draft: {
          headline: 'Crop model may help farmers plan, if the trial holds',
          tldr: 'An early trial of a crop-yield model reports gains its authors have not yet checked.',
          framing: { verdict: 'uncertain', score: 0.2, rationale: 'Early and unchecked.', concerns: [], angle: null, confidence: 0.4, recommendation: 'skip' },
          category: 'Research',
        },
      },
    ],
    ['conflict', { feed: 'MIT News', title: 'Two editors, one story', draft: { headline: 'Robots help sort recycling', tldr: 'Sorting robots at a recycling plant pick out twice as much plastic.', category: 'Climate' } }],
    ['crossorigin', { feed: 'MIT News', title: 'Cross-origin target', draft: { headline: 'Translation model adds 200 languages', tldr: 'An open translation model now covers 200 languages, many with few speakers online.', category: 'Research' } }],
    ['typed', { feed: 'MIT News', title: 'Captions for lectures', draft: { headline: 'Live captions open lectures to deaf students', tldr: 'A university captions every lecture live, and deaf students follow along in real time.', category: 'Education' } }],
    ['undone', { feed: 'The Verge — AI', title: 'Wildfire cameras', draft: { headline: 'Cameras with AI spot wildfires within minutes', tldr: 'Hilltop cameras flag smoke within minutes, before the first call comes in.', category: 'Climate' } }],
    [
      'covered',
      {
        feed: 'MIT News',
        title: 'Weather model',
        // Long enough that the source pane scrolls: it must be reachable by keyboard.
        text: Array.from({ length: 14 }, (_, i) => `Paragraph ${i + 1}: the weather model was compared with the national forecast over a season of storms, and it gave warnings earlier.`).join('\n\n'),
        draft: { headline: 'Weather model forecasts storms a day sooner', tldr: 'Over a season of storms, a weather model gave warnings a day before the national forecast.', category: 'Climate', takeaways: [{ text: 'Warnings came earlier.', quote: 'it gave warnings earlier', grounded: true, supported: true }] },
      },
    ],
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
    ['solar', { feed: 'MIT News', title: 'Solar forecasts', draft: { headline: 'Cloud forecasts keep solar farms steady', tldr: 'Short-term cloud forecasts let solar farms smooth their output.', category: 'Climate' } }],
    ['reading', { feed: 'The Verge — AI', title: 'Reading tutor', draft: { headline: 'A reading tutor helps children catch up', tldr: 'Children who read aloud to a tutoring app caught up a school term in reading.', category: 'Education' } }],
    ['proteins', { feed: 'MIT News', title: 'Protein model', draft: { headline: 'Protein model speeds up enzyme design', tldr: 'A protein model cut the time to design a working enzyme from months to weeks.', category: 'Research' } }],
  ];
}

/**
 * Seeds `deskWorld` into a store, approves the three Issue stories, rejects the hostile one (out
 * of the default queue, so the queue looks the same on every run: the canary's port is in its
 * text), and attaches another outlet's copy to "covered". Returns the ids by key (the copy's as `copy`).
 */
export async function seedDeskWorld(store: Store, canary: string): Promise<Record<string, number>> {
  const world = deskWorld(canary);
  const ids: Record<string, number> = {};
  (await seedStories(store, world.map(([, s]) => s))).forEach((id, i) => (ids[world[i]![0]] = id));
  const now = new Date('2026-11-30T11:00:00.000Z');
  for (const key of ['solar', 'reading', 'proteins']) await store.editorial.decide(ids[key]!, { action: 'approve', by: 'setup', now });
  await store.editorial.decide(ids.hostile!, { action: 'reject', reason: 'other', by: 'setup', now });
  ids.copy = await attachCopy(store, ids.covered!, { feed: 'The Verge — AI', title: 'Storm forecasts arrive a day earlier', url: 'https://verge.example/storms' });
  return ids;
}

/** Another outlet's copy of a story, attached as the pipeline's coverage step does (under a run's claim). */
export async function attachCopy(store: Store, storyId: number, copy: { feed: string; title: string; url: string }): Promise<number> {
  const now = new Date('2026-11-30T10:30:00.000Z');
  const feed = (await store.feeds.active()).find((f) => f.name === copy.feed);
  if (!feed) throw new Error(`no feed ${copy.feed}`);
  const fetched = { status: 200, notModified: false, etag: null, lastModified: null, contentHash: `copy-${copy.url}`, permanentUrl: null, nextCheckAt: now };
  const item = { key: copy.url, url: copy.url, canonicalUrl: copy.url, title: copy.title, published: now.toISOString(), author: null, summary: null, content: null };
  const [id] = (await store.feeds.recordFetch(feed.id, fetched, [item], now)).newIds;
  if (id === undefined) throw new Error(`copy ${copy.url} not recorded`);
  const lease = await store.runs.start({ pid: process.pid, host: 'test', now, expiresAt: new Date(now.getTime() + 600_000), isAlive: () => true });
  if (!lease.acquired) throw new Error('a run holds the lease');
  try {
    if (!(await store.items.claim(id, lease.runId, new Date(Date.now() + 600_000), new Date()))) throw new Error(`cannot claim ${id}`);
    const r = await store.coverage.signOrAttach({ itemId: id, runId: lease.runId, signature: {}, bands: [], since: now, now }, () => ({ storyId, reason: 'same_text', similarity: 0.93 }));
    if (!('attached' in r)) throw new Error(`copy ${id} not attached: ${JSON.stringify(r)}`);
  } finally {
    await store.runs.finish(lease.runId, { status: 'completed', error: null, summary: {} }, new Date());
  }
  return id;
}
