import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeskApp } from './app.tsx';
import { deskDb, deskLogin } from '../../test/helpers/desk.ts';
import { seedStories } from '../../test/helpers/stories.ts';

const ORIGIN = 'http://localhost';
let env: Awaited<ReturnType<typeof deskDb>>;
let clock: number;
let app: ReturnType<typeof createDeskApp>;
let ids: number[];

beforeAll(async () => {
  env = await deskDb({ ann: 'ann-password-1', bob: 'bob-password-2' });
  ids = await seedStories(env.store, [
    { title: 'One', draft: { headline: 'Wind farms <b>share</b> forecasts' } },
    { title: 'Two', draft: { headline: 'Second story' } },
  ]);
});
afterAll(() => env.remove());
beforeEach(() => {
  clock = Date.parse('2026-12-01T09:00:00Z');
  app = createDeskApp({ store: env.store, now: () => new Date(clock) });
});

const post = (path: string, fields: Record<string, string>, cookie: string) =>
  app.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { origin: ORIGIN, cookie, 'content-type': 'application/x-www-form-urlencoded' } });
const get = async (path: string, cookie: string) => (await app.request(path, { headers: { cookie } })).text();
const actions = async (id: number) => (await env.store.editorial.decisions(id)).map((d) => [d.action, d.by, d.note]);

describe('the notice after an approval, and Undo', () => {
  it('names the story, offers Undo for a minute, and Undo records a reopen (decisions stay append-only)', async () => {
    const s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    const [a, b] = ids as [number, number];
    const approved = await post(`/stories/${a}/approve`, { _csrf: s.csrf, back: 'queue', next: String(b) }, s.cookie);
    expect(approved.status).toBe(303);
    expect(approved.headers.get('location')).toBe(`/?done=approved&story=${a}&next=${b}`);
    const queue = await get(approved.headers.get('location')!, s.cookie);
    const notice = /<div class="notice" role="status">([\s\S]*?)<\/div>/.exec(queue)?.[1] ?? '';
    // The headline is the store's text, escaped like any other.
    expect(notice).toContain(`Approved #${a} “Wind farms &lt;b&gt;share&lt;/b&gt; forecasts”.`);
    const decision = (await env.store.editorial.decisions(a))[0]!;
    expect(notice).toContain(`action="/stories/${a}/undo"`);
    expect(notice).toContain(`name="decision" value="${decision.id}"`);
    // The row after the approved one is the one selected.
    expect(queue).toMatch(new RegExp(`<li data-row="true" data-selected=""[^>]*><div class="what"><a href="/stories/${b}"`));

    clock += 30_000;
    const undone = await post(`/stories/${a}/undo`, { _csrf: s.csrf, decision: String(decision.id), back: 'queue' }, s.cookie);
    expect(undone.status).toBe(303);
    expect(undone.headers.get('location')).toBe(`/?done=undone&story=${a}&next=${a}`);
    expect((await env.store.stories.get(a))!.status).toBe('candidate');
    expect(await actions(a)).toEqual([
      ['approve', 'ann', null],
      ['reopen', 'ann', `undo of decision ${decision.id}`],
    ]);
    const after = await get(undone.headers.get('location')!, s.cookie);
    expect(after).toContain(`Undone: #${a} “Wind farms &lt;b&gt;share&lt;/b&gt; forecasts” is a candidate again.`);
    // A second Undo of the same decision changes nothing.
    const again = await post(`/stories/${a}/undo`, { _csrf: s.csrf, decision: String(decision.id), back: 'queue' }, s.cookie);
    expect(again.status).toBe(409);
    expect(await actions(a)).toHaveLength(2);
  });

  it('after a minute: no Undo offered, and an Undo sent anyway is refused with a message saying what to do', async () => {
    const s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    const b = ids[1]!;
    const approved = await post(`/stories/${b}/approve`, { _csrf: s.csrf }, s.cookie);
    // The story page's redirect is the documented one, unchanged.
    expect(approved.headers.get('location')).toBe(`/stories/${b}?done=approved`);
    const decision = (await env.store.editorial.decisions(b)).at(-1)!;
    expect(await get(`/stories/${b}?done=approved`, s.cookie)).toContain(`action="/stories/${b}/undo"`);
    clock += 61_000;
    expect(await get(`/stories/${b}?done=approved`, s.cookie)).not.toContain(`/undo"`);
    const late = await post(`/stories/${b}/undo`, { _csrf: s.csrf, decision: String(decision.id) }, s.cookie);
    expect(late.status).toBe(409);
    expect(await late.text()).toContain('too late to undo: the approval was made at 2026-12-01T09:00:00.000Z, more than 60 seconds ago. Open the story and use Reopen');
    expect((await env.store.stories.get(b))!.status).toBe('approved');
    expect(await actions(b)).toEqual([['approve', 'ann', null]]);
  });

  it('an approval from a filtered queue comes back to the same filters (known keys only)', async () => {
    const s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    const a = ids[0]!;
    const filters = new URLSearchParams({ q: 'wind', feed: 'Test Feed', status: 'all', evil: 'https://evil.example/' }).toString();
    const approved = await post(`/stories/${a}/approve`, { _csrf: s.csrf, back: 'queue', filters }, s.cookie);
    expect(approved.headers.get('location')).toBe(`/?done=approved&story=${a}&q=wind&feed=Test+Feed&status=all`);
    const queue = await get(approved.headers.get('location')!, s.cookie);
    // The queue's own approve forms carry its filters on.
    expect(queue).toContain('name="filters" value="q=wind&amp;feed=Test+Feed&amp;status=all"');
    clock += 1000;
    await post(`/stories/${a}/reopen`, { _csrf: s.csrf }, s.cookie);
  });

  it("another editor is offered no Undo, and one sent anyway is refused", async () => {
    const ann = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    const bob = await deskLogin(app, ORIGIN, 'bob', 'bob-password-2');
    const a = ids[0]!;
    await post(`/stories/${a}/approve`, { _csrf: ann.csrf, back: 'queue' }, ann.cookie);
    const decision = (await env.store.editorial.decisions(a)).at(-1)!;
    expect(await get(`/?done=approved&story=${a}`, ann.cookie)).toContain(`action="/stories/${a}/undo"`);
    expect(await get(`/?done=approved&story=${a}`, bob.cookie)).not.toContain(`action="/stories/${a}/undo"`);
    const refused = await post(`/stories/${a}/undo`, { _csrf: bob.csrf, decision: String(decision.id) }, bob.cookie);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('the approval was made by ann: only they can undo it');
    expect((await env.store.stories.get(a))!.status).toBe('approved');
  });

  it('an Undo without the CSRF token is refused', async () => {
    const s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    const r = await post(`/stories/${ids[0]}/undo`, { decision: '1' }, s.cookie);
    expect(r.status).toBe(403);
  });
});
