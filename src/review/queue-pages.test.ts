import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeskApp } from './app.tsx';
import { csrfOf, deskDb } from '../../test/helpers/desk.ts';
import { seedStories } from '../../test/helpers/stories.ts';

const ORIGIN = 'http://localhost';
let env: Awaited<ReturnType<typeof deskDb>>;
let app: ReturnType<typeof createDeskApp>;
let cookie: string;

/** The links of the page: Newer (rel=prev) and Older (rel=next), as hrefs with entities decoded. */
function pageLinks(html: string): { newer?: string; older?: string } {
  const href = (rel: string) => html.match(new RegExp(`<a href="([^"]+)" rel="${rel}"`))?.[1]?.replaceAll('&amp;', '&');
  return { newer: href('prev'), older: href('next') };
}
const rowIds = (html: string) => [...html.matchAll(/<a href="\/stories\/(\d+)" data-key="o"/g)].map((m) => Number(m[1]));
const get = async (path: string) => {
  const r = await app.request(path, { headers: { cookie } });
  return { status: r.status, html: await r.text() };
};

beforeAll(async () => {
  env = await deskDb({ ann: 'ann-password-1' });
  app = createDeskApp({ store: env.store, now: () => new Date('2026-12-01T09:00:00Z'), clientAddress: () => '10.0.0.1' });
  // 120 stories over two feeds, each TL;DR as long as a draft may have it (600 characters).
  await seedStories(
    env.store,
    Array.from({ length: 120 }, (_, i) => ({
      title: `Story ${i}`,
      feed: i % 2 ? 'Odd Feed' : 'Even Feed',
      published: new Date(Date.UTC(2026, 10, 1, 0, i)),
      draft: { tldr: `Story ${i}: ${'a long summary of what happened '.repeat(20)}`.slice(0, 600) },
    })),
  );
  const r = await app.request('/login', {
    method: 'POST',
    body: new URLSearchParams({ username: 'ann', password: 'ann-password-1' }),
    headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
  });
  cookie = r.headers.get('set-cookie')!.split(';')[0]!;
});
afterAll(() => env.remove());

describe('the queue a page at a time', () => {
  it('50 stories a page with the count of all; Older and Newer walk every story once, in order', async () => {
    const first = await get('/');
    expect(first.status).toBe(200);
    expect(first.html).toContain('50 of 120 candidates');
    // Well under 300 KB for a full page of the longest TL;DRs.
    expect(first.html.length).toBeLessThan(300_000);
    expect(pageLinks(first.html).newer).toBeUndefined();
    const seen = rowIds(first.html);
    let page = first;
    const pages = [first];
    while (pageLinks(page.html).older) {
      page = await get(pageLinks(page.html).older!);
      expect(page.status).toBe(200);
      pages.push(page);
      seen.push(...rowIds(page.html));
    }
    expect(pages.map((p) => rowIds(p.html).length)).toEqual([50, 50, 20]);
    expect(new Set(seen).size).toBe(120);
    expect(pages[2]!.html).toContain('20 of 120 candidates');
    // Newest first: the seeded stories' ids rise with their time.
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    // And back: Newer from the last page is the middle one.
    const back = await get(pageLinks(pages[2]!.html).newer!);
    expect(rowIds(back.html)).toEqual(rowIds(pages[1]!.html));
  });

  it('filters and search are kept in the page links; the count is of the matching stories', async () => {
    const first = await get('/?feed=Odd+Feed&q=story&status=candidate');
    expect(first.html).toContain('50 of 60 candidates');
    const older = pageLinks(first.html).older!;
    const olderParams = new URLSearchParams(older.slice(2));
    expect([olderParams.get('feed'), olderParams.get('q'), olderParams.get('status')]).toEqual(['Odd Feed', 'story', 'candidate']);
    const second = await get(older);
    expect(second.html).toContain('10 of 60 candidates');
    expect(pageLinks(second.html).older).toBeUndefined();
    const newer = new URLSearchParams(pageLinks(second.html).newer!.slice(2));
    expect([newer.get('feed'), newer.get('q'), newer.get('status')]).toEqual(['Odd Feed', 'story', 'candidate']);
    // One page of everything that matches: the count says how many, no page links.
    const few = await get('/?feed=Odd+Feed&q=%22Story+7%22');
    expect(few.html).toMatch(/\d+ candidates? · press/);
    expect(pageLinks(few.html)).toEqual({ newer: undefined, older: undefined });
  });

  it('an approve form on a later page comes back to that page', async () => {
    const first = await get('/?feed=Even+Feed');
    const older = pageLinks(first.html).older!;
    const second = await get(older);
    const cursor = new URLSearchParams(older.slice(2)).get('after')!;
    expect(second.html).toContain(`name="filters" value="feed=Even+Feed&amp;after=${cursor}"`);
    const id = rowIds(second.html)[0]!;
    const r = await app.request(`/stories/${id}/approve`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrfOf(second.html), back: 'queue', filters: `feed=Even+Feed&after=${cursor}` }),
      headers: { cookie, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toContain(`feed=Even+Feed&after=${cursor}`);
    const back = await get(r.headers.get('location')!);
    expect(rowIds(back.html)).not.toContain(id);
    expect(back.html).toContain('9 of 59 candidates');
  });

  it('a page link that was cut or made up is a 400 saying so, never a 500', async () => {
    for (const bad of ['nonsense', '%27%20OR%201%3D1', Buffer.from('[0,"x",1]').toString('base64url'), 'A'.repeat(300)]) {
      for (const k of ['after', 'before']) {
        const r = await get(`/?${k}=${bad}`);
        expect(r.status).toBe(400);
        expect(r.html).toContain('this page link is not valid');
      }
    }
  });
});
