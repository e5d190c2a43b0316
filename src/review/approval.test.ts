import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/helpers/stores.ts';
import { createDeskApp } from './app.tsx';
import { attachCopy, deskDb, deskLogin } from '../../test/helpers/desk.ts';
import { seedStories } from '../../test/helpers/stories.ts';

/**
 * Issue 18 through the real desk routes (app.request, a real database): what goes out is what an
 * editor approved, whatever came after, and a story sent in an issue is final.
 */
const ORIGIN = 'http://localhost';
const NOW = new Date('2026-12-01T09:00:00Z');
const NEWSLETTER = { name: 'AI Wins', timezone: 'UTC', sourceName: 'feed', subscribeLine: 'Get AI Wins in your inbox', siteUrl: 'https://aiwins.example/' } as const;

let env: Awaited<ReturnType<typeof deskDb>>;
let app: ReturnType<typeof createDeskApp>;
let s: { cookie: string; csrf: string };
let id: number;
let other: number;

for (const backend of BACKENDS) {
  describe(`approval through the desk (${backend})`, () => {
    beforeEach(async () => {
      env = await deskDb({ ann: 'ann-password-1' }, backend);
      app = createDeskApp({ store: env.store, now: () => NOW, newsletter: NEWSLETTER });
      [id, other] = (await seedStories(env.store, [
        { title: 'Eye scans', draft: { headline: 'APPROVED headline of the eye scans' } },
        { title: 'Flood maps', draft: { headline: 'Flood forecasts reach 40 countries' } },
      ])) as [number, number];
      s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    });
    afterEach(() => env.remove());

    const post = (path: string, fields: Record<string, string>) =>
      app.request(path, {
        method: 'POST',
        body: new URLSearchParams({ _csrf: s.csrf, ...fields }),
        headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie },
      });
    const get = (path: string) => app.request(path, { headers: { cookie: s.cookie } });

    /** The desk's edit form, filled in: a new headline on the current version. */
    async function editHeadline(storyId: number, headline: string): Promise<Response> {
      const current = (await env.store.editorial.versions(storyId)).at(-1)!;
      return post(`/stories/${storyId}/edit`, {
        version: String(current.id),
        headline,
        tldr: current.draft.tldr,
        'takeaways.0.text': current.draft.takeaways[0]!.text,
        'takeaways.0.quote': current.draft.takeaways[0]!.quote,
        whyItMatters: current.draft.whyItMatters,
        category: current.draft.category,
        deck: current.draft.deck ?? '',
        body: current.draft.body.join('\n\n'),
        implications: current.draft.implications.join('\n'),
        readerNote: '',
      });
    }

    describe('approve, edit, snooze: the approved text is what goes out', () => {
      it('the feed, the issue preview and the sent issue keep the approved headline, never the edit', async () => {
        expect((await post(`/stories/${id}/approve`, {})).status).toBe(303);
        expect((await editHeadline(id, 'EDITED headline, never approved')).status).toBe(303);
        expect((await post(`/stories/${id}/snooze`, { until: '2030-01-01' })).status).toBe(303);

        const feed = await (await app.request('/feed.xml')).text();
        expect(feed).toContain('APPROVED headline of the eye scans');
        expect(feed).not.toContain('EDITED headline');
        // The story page says which version is approved, and that it changed since.
        const page = await (await get(`/stories/${id}`)).text();
        expect(page).toContain('re-drafted since approval');

        // Open an issue as the desk proposes it, preview it, send it.
        expect((await post('/issues', {})).status).toBe(303);
        const preview = await (await get('/issues/1/preview')).text();
        expect(preview).toContain('APPROVED headline of the eye scans');
        expect(preview).not.toContain('EDITED headline');
        expect((await post('/issues/1/send', { confirm: '1' })).status).toBe(303);
        const sent = await (await get('/issues/1/preview')).text();
        expect(sent).toContain('APPROVED headline of the eye scans');
        expect(sent).not.toContain('EDITED headline');
      });

      it('a story whose approval was withdrawn leaves the feed and the draft issue preview', async () => {
        for (const x of [id, other]) expect((await post(`/stories/${x}/approve`, {})).status).toBe(303);
        expect((await post('/issues', {})).status).toBe(303);
        expect((await post(`/stories/${id}/reopen`, {})).status).toBe(303);
        expect(await (await app.request('/feed.xml')).text()).not.toContain('APPROVED headline of the eye scans');
        const preview = await (await get('/issues/1/preview')).text();
        expect(preview).not.toContain('APPROVED headline of the eye scans');
        expect(preview).toContain('Flood forecasts reach 40 countries');
        // The editor still sees it on the Issue page, flagged, and sending is refused until it is out.
        expect(await (await get('/issues/1')).text()).toContain('no longer approved');
        expect((await post('/issues/1/send', { confirm: '1' })).status).toBe(409);
      });
    });

    describe('a sent story is final', () => {
      beforeEach(async () => {
        expect((await post(`/stories/${id}/approve`, {})).status).toBe(303);
        expect((await post('/issues', {})).status).toBe(303);
        expect((await post('/issues/1/send', { confirm: '1' })).status).toBe(303);
      });

      it('every action that would change its decision or text answers 409 with "Sent in issue N on DATE", changing nothing', async () => {
        const before = await env.store.editorial.decisions(id);
        const versions = await env.store.editorial.versions(id);
        const refusals = [
          await post(`/stories/${id}/approve`, {}),
          await post(`/stories/${id}/reject`, { reason: 'spin' }),
          await post(`/stories/${id}/reopen`, {}),
          await post(`/stories/${id}/snooze`, { until: '2030-01-01' }),
          await post(`/stories/${id}/redraft`, {}),
          await editHeadline(id, 'EDITED after sending'),
        ];
        for (const r of refusals) {
          expect(r.status).toBe(409);
          expect(await r.text()).toContain('Sent in issue 1 on 2026-12-01 09:00 UTC');
        }
        expect(await env.store.editorial.decisions(id)).toEqual(before);
        expect(await env.store.editorial.versions(id)).toEqual(versions);
      });

      it('its outlets are final too: "Make primary" and "Split off" answer 409, its source link stays, and its page offers neither', async () => {
        const feed = (await env.store.stories.get(id))!.feed;
        const copy = await attachCopy(env.store, id, { feed, title: 'Eye scans, elsewhere', url: 'https://other.example/eye-scans' });
        for (const r of [await post(`/stories/${id}/coverage/${copy}/primary`, {}), await post(`/stories/${id}/coverage/${copy}/split`, {})]) {
          expect(r.status).toBe(409);
          expect(await r.text()).toContain('Sent in issue 1 on 2026-12-01 09:00 UTC');
        }
        const after = (await env.store.stories.get(id))!;
        expect(after.sourceItemId).toBeNull();
        expect(after.alsoCoveredBy.map((c) => c.id)).toEqual([copy]);
        const page = await (await get(`/stories/${id}`)).text();
        expect(page).not.toContain(`/coverage/${copy}/primary`);
        expect(page).not.toContain(`/coverage/${copy}/split`);
      });

      it('its page and its queue row say "Sent in issue N" with the date, and offer no action that would change it', async () => {
        const page = await (await get(`/stories/${id}`)).text();
        expect(page).toContain('Sent in issue 1 on 2026-12-01 09:00 UTC');
        for (const action of ['approve', 'reject', 'reopen', 'snooze', 'redraft', 'edit']) {
          expect(page, action).not.toContain(`action="/stories/${id}/${action}"`);
        }
        // The other story, not sent, still offers them.
        const unsent = await (await get(`/stories/${other}`)).text();
        expect(unsent).not.toContain('Sent in issue');
        expect(unsent).toContain(`action="/stories/${other}/approve"`);

        const queue = await (await get('/?status=all')).text();
        const row = queue.split('<li data-row').find((r) => r.includes(`href="/stories/${id}"`))!;
        expect(row).toContain('Sent in issue 1 on 2026-12-01 09:00 UTC');
        expect(row).not.toContain(`action="/stories/${id}/approve"`);
        expect(row).not.toContain(`/stories/${id}#reject`);
        expect(row).not.toContain(`/stories/${id}#edit`);
        const otherRow = queue.split('<li data-row').find((r) => r.includes(`href="/stories/${other}"`))!;
        expect(otherRow).toContain(`action="/stories/${other}/approve"`);
      });
    });
  });
}
