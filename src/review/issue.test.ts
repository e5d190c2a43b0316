import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/helpers/stores.ts';
import { parseFeed } from '../parse/index.ts';
import { createDeskApp } from './app.tsx';
import { deskDb, deskLogin } from '../../test/helpers/desk.ts';
import { seedStories } from '../../test/helpers/stories.ts';

/** The public feed and the Issue page, through app.request(): a real database, the real app, no port. */
const ORIGIN = 'http://localhost';
const NOW = new Date('2026-12-01T09:00:00Z');
const NEWSLETTER = { name: 'AI Wins', timezone: 'UTC', sourceName: 'feed', subscribeLine: 'Get AI Wins in your inbox', siteUrl: 'https://aiwins.example/' } as const;
const HOSTILE = 'Robots <script>alert("x")</script> & "friends" win';

let env: Awaited<ReturnType<typeof deskDb>>;
let app: ReturnType<typeof createDeskApp>;
let ids: Record<'health' | 'climate' | 'hostile' | 'candidate' | 'rejected' | 'late', number>;

for (const backend of BACKENDS) {
  describe(`the newsletter in the desk (${backend})`, () => {
    beforeEach(async () => {
      env = await deskDb({ ann: 'ann-password-1' }, backend);
      app = createDeskApp({ store: env.store, now: () => NOW, newsletter: NEWSLETTER });
      const [health, climate, hostile, candidate, rejected, late] = await seedStories(env.store, [
        { title: 'Eye scans', draft: { headline: 'AI spots eye disease early', category: 'Health' } },
        { title: 'Flood maps', draft: { headline: 'Flood forecasts reach 40 countries', category: 'Climate' } },
        { title: 'Hostile', draft: { headline: HOSTILE, category: 'Health' } },
        { title: 'Still a candidate', draft: { headline: 'CANDIDATE headline, not reviewed', category: 'Health' } },
        { title: 'Rejected', draft: { headline: 'REJECTED headline', category: 'Health' } },
        { title: 'Approved later', draft: { headline: 'Translation model adds 200 languages', category: 'Research' } },
      ]);
      ids = { health: health!, climate: climate!, hostile: hostile!, candidate: candidate!, rejected: rejected!, late: late! };
      for (const id of [health!, climate!, hostile!, late!]) {
        await env.store.editorial.decide(id, { action: 'approve', note: 'EDITOR-ONLY approval note', by: 'ann', now: NOW });
      }
      await env.store.editorial.decide(rejected!, { action: 'reject', reason: 'spin', note: 'EDITOR-ONLY rejection note', by: 'ann', now: NOW });
    });
    afterEach(() => env.remove());

    function post(path: string, fields: Record<string, string>, cookie: string) {
      return app.request(path, {
        method: 'POST',
        body: new URLSearchParams(fields),
        headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', cookie },
      });
    }
    const get = (path: string, cookie?: string) => app.request(path, { headers: cookie ? { cookie } : {} });

    describe('/feed.xml', () => {
      it('is served without a session: approved stories only, escaped, no editor notes, cacheable with an ETag', async () => {
        const r = await get('/feed.xml');
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
        expect(r.headers.get('cache-control')).toBe('public, max-age=300');
        const xml = await r.text();
        expect(xml).not.toContain('CANDIDATE');
        expect(xml).not.toContain('REJECTED');
        expect(xml).not.toContain('EDITOR-ONLY');
        expect(xml).not.toContain('<script>');

        const parsed = await parseFeed(new TextEncoder().encode(xml), 'http://localhost/feed.xml', null, { now: NOW });
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        // The hostile headline comes back as the text it is, never as markup.
        expect(parsed.value.items.map((i) => i.title).sort()).toEqual(
          ['AI spots eye disease early', 'Flood forecasts reach 40 countries', HOSTILE, 'Translation model adds 200 languages'].sort(),
        );

        const etag = r.headers.get('etag')!;
        expect(etag).toBeTruthy();
        expect((await app.request('/feed.xml', { headers: { 'if-none-match': etag } })).status).toBe(304);
        // A decision changes the feed, and so its ETag.
        await env.store.editorial.decide(ids.candidate, { action: 'approve', by: 'ann', now: NOW });
        const after = await app.request('/feed.xml', { headers: { 'if-none-match': etag } });
        expect(after.status).toBe(200);
        expect(await after.text()).toContain('CANDIDATE headline');
      });

      it('a story sent in an issue stays in the feed at the version sent: a later rejection is refused', async () => {
        await env.store.issues.create({ title: null, storyIds: [ids.health], now: NOW });
        expect((await env.store.issues.send(1, NOW)).ok).toBe(true);
        await expect(env.store.editorial.decide(ids.health, { action: 'reject', reason: 'other', by: 'ann', now: NOW })).rejects.toMatchObject({
          code: 'sent',
          message: expect.stringMatching(/^Sent in issue 1 on 2026-12-01 09:00 UTC/),
        });
        expect(await (await get('/feed.xml')).text()).toContain('AI spots eye disease early');
      });

      it('without newsletter.siteUrl: a page saying what to set, HTTP 503, never cached', async () => {
        const bare = createDeskApp({ store: env.store, now: () => NOW, newsletter: { ...NEWSLETTER, siteUrl: undefined } });
        const r = await bare.request('/feed.xml');
        expect(r.status).toBe(503);
        expect(r.headers.get('cache-control')).toBe('no-store');
        const page = await r.text();
        expect(page).toContain('Not set up');
        expect(page).toContain('newsletter.siteUrl');
      });

      it('every other route still needs a session', async () => {
        const open = new Set(['/login', '/static/desk.css', '/feed.xml']);
        const routes = app.routes.filter((r) => r.method !== 'ALL' && !open.has(r.path));
        expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['GET /issue', 'GET /issues/:n/preview', 'POST /issues/:n/send']));
        for (const route of routes) {
          const path = route.path.replace(/:\w+/g, '1');
          const r = route.method === 'GET' ? await get(path) : await post(path, {}, '');
          expect([route.method, path, r.status]).toEqual([route.method, path, route.method === 'GET' ? 303 : 403]);
          if (route.method === 'GET') expect(r.headers.get('location')).toBe('/login');
        }
      });
    });

    describe('the Issue page', () => {
      const order = async () => (await env.store.issues.get(1))!.storyIds;

      it('without a draft issue, offers to open one with the stories `aiwins issue new` would propose; opening it shows them in order', async () => {
        const s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
        const nav = await (await get('/', s.cookie)).text();
        expect(nav).toContain('<a href="/issue">Issue</a>');
        const page = await (await get('/issue', s.cookie)).text();
        expect(page).toContain('No draft issue is open.');
        expect(page).not.toContain('CANDIDATE');
        expect(page).not.toContain('<script>alert');
        // Grouped by category, the group with the newest story first, newest first within it.
        const proposed = [...page.matchAll(/<li><a href="\/stories\/(\d+)">/g)].map((m) => Number(m[1]));
        expect(proposed).toEqual([ids.late, ids.hostile, ids.health, ids.climate]);

        const opened = await post('/issues', { _csrf: s.csrf, title: 'December' }, s.cookie);
        expect(opened.status).toBe(303);
        expect(opened.headers.get('location')).toBe('/issues/1?done=issueOpened');
        expect(await order()).toEqual(proposed);
        expect((await get('/issue', s.cookie)).headers.get('location')).toBe('/issues/1');
        const issuePage = await (await get('/issues/1', s.cookie)).text();
        expect([...issuePage.matchAll(/<li data-story="(\d+)"/g)].map((m) => Number(m[1]))).toEqual(proposed);
        expect(issuePage).toContain('Issue 1: December');
        expect(issuePage).toContain('Robots &lt;script&gt;');
      });

      it('up, down, remove and add are POST forms with the session token; a wrong token or origin changes nothing', async () => {
        const s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
        await env.store.issues.create({ title: null, storyIds: [ids.health, ids.climate, ids.hostile], now: NOW });
        const page = await (await get('/issues/1', s.cookie)).text();
        expect(page).toContain(`action="/issues/1/stories/${ids.climate}/move"`);

        expect((await post(`/issues/1/stories/${ids.climate}/move`, { _csrf: 'x'.repeat(s.csrf.length), to: '1' }, s.cookie)).status).toBe(403);
        const foreign = await app.request(`/issues/1/stories/${ids.climate}/move`, {
          method: 'POST',
          body: new URLSearchParams({ _csrf: s.csrf, to: '1' }),
          headers: { origin: 'http://localhost:9999', 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie },
        });
        expect(foreign.status).toBe(403);
        expect(await order()).toEqual([ids.health, ids.climate, ids.hostile]);

        const up = await post(`/issues/1/stories/${ids.climate}/move`, { _csrf: s.csrf, to: '1' }, s.cookie);
        expect(up.status).toBe(303);
        expect(up.headers.get('location')).toBe('/issues/1?done=issueMoved');
        expect(await order()).toEqual([ids.climate, ids.health, ids.hostile]);
        await post(`/issues/1/stories/${ids.climate}/move`, { _csrf: s.csrf, to: '3' }, s.cookie);
        expect(await order()).toEqual([ids.health, ids.hostile, ids.climate]);
        expect((await post(`/issues/1/stories/${ids.climate}/move`, { _csrf: s.csrf, to: '4' }, s.cookie)).status).toBe(409);

        expect((await post(`/issues/1/stories/${ids.hostile}/remove`, { _csrf: s.csrf }, s.cookie)).status).toBe(303);
        expect(await order()).toEqual([ids.health, ids.climate]);

        // Only approved stories not in the issue are offered, and only those are taken.
        const offered = await (await get('/issues/1', s.cookie)).text();
        const options = [...offered.matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]));
        expect(options.sort()).toEqual([ids.hostile, ids.late].sort());
        const refused = await post('/issues/1/stories', { _csrf: s.csrf, story: String(ids.candidate) }, s.cookie);
        expect(refused.status).toBe(409);
        expect(await refused.text()).toContain('not approved');
        expect((await post('/issues/1/stories', { _csrf: s.csrf, story: String(ids.late) }, s.cookie)).status).toBe(303);
        expect(await order()).toEqual([ids.health, ids.climate, ids.late]);
        expect((await post('/issues/7/stories', { _csrf: s.csrf, story: String(ids.late) }, s.cookie)).status).toBe(404);
      });

      it('the preview is the issue as email, in a sandboxed frame under its own policy: inline styles, no script', async () => {
        const s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
        await env.store.issues.create({ title: null, storyIds: [ids.hostile, ids.health], now: NOW });
        const page = await get('/issues/1', s.cookie);
        const html = await page.text();
        expect(html).toContain('<iframe src="/issues/1/preview" sandbox=""');
        const deskCsp = page.headers.get('content-security-policy')!;
        expect(deskCsp).toContain("frame-src 'self'");
        expect(deskCsp).not.toContain('unsafe-inline');
        expect(page.headers.get('x-frame-options')).toBe('DENY');

        const preview = await get('/issues/1/preview', s.cookie);
        expect(preview.status).toBe(200);
        const csp = preview.headers.get('content-security-policy')!;
        expect(csp.split('; ')).toEqual(expect.arrayContaining(["default-src 'none'", "style-src 'unsafe-inline'", "frame-ancestors 'self'", 'sandbox']));
        expect(csp).not.toContain('script-src');
        expect(preview.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        const email = await preview.text();
        expect(email).toMatch(/^<!DOCTYPE html>/);
        expect(email).not.toContain('<script');
        expect(email).toContain('Robots &lt;script&gt;');
        expect(email.indexOf('Robots &lt;script&gt;')).toBeLessThan(email.indexOf('AI spots eye disease early'));
        expect(email).not.toContain('EDITOR-ONLY');
      });

      it('"Mark as sent" asks first, then freezes the issue as `aiwins issue send` does; a sent issue has no controls', async () => {
        const s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
        await env.store.issues.create({ title: null, storyIds: [ids.health, ids.climate], now: NOW });
        expect(await (await get('/issues/1', s.cookie)).text()).toContain('href="/issues/1/send"');
        const confirm = await (await get('/issues/1/send', s.cookie)).text();
        expect(confirm).toContain('Mark issue 1 as sent?');
        expect((await env.store.issues.get(1))!.status).toBe('draft');

        expect((await post('/issues/1/send', { _csrf: s.csrf }, s.cookie)).status).toBe(400);
        expect((await post('/issues/1/send', { _csrf: s.csrf, confirm: '2' }, s.cookie)).status).toBe(400);
        expect((await env.store.issues.get(1))!.status).toBe('draft');
        const sent = await post('/issues/1/send', { _csrf: s.csrf, confirm: '1' }, s.cookie);
        expect(sent.status).toBe(303);
        expect(sent.headers.get('location')).toBe('/issues/1?done=issueSent');
        expect(await env.store.issues.get(1)).toMatchObject({ status: 'sent', sentAt: NOW });

        const frozen = await (await get('/issues/1?done=issueSent', s.cookie)).text();
        expect(frozen).toContain('Marked as sent');
        expect(frozen).not.toContain('/move"');
        expect(frozen).not.toContain('Mark as sent…');
        const again = await post(`/issues/1/stories/${ids.climate}/move`, { _csrf: s.csrf, to: '1' }, s.cookie);
        expect(again.status).toBe(409);
        expect(await again.text()).toContain('a sent issue does not change');
        expect((await post('/issues/1/send', { _csrf: s.csrf, confirm: '1' }, s.cookie)).status).toBe(409);
        // With no draft left, /issue offers a new one, listing the sent issue.
        const next = await (await get('/issue', s.cookie)).text();
        expect(next).toContain('No draft issue is open.');
        expect(next).toContain('href="/issues/1"');
      });
    });
  });
}
