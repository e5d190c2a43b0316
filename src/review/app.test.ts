import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/helpers/stores.ts';
import { createDeskApp } from './app.tsx';
import { hashPassword } from './password.ts';
import { csrfOf, deskDb, TEST_SCRYPT_COST } from '../../test/helpers/desk.ts';
import { seedStories } from '../../test/helpers/stories.ts';
import { newsletterStory, renderHtml } from '../render/index.ts';

const ORIGIN = 'http://localhost';
let env: Awaited<ReturnType<typeof deskDb>>;
let clock: number;
let app: ReturnType<typeof createDeskApp>;

for (const backend of BACKENDS) {
  describe(`the desk (${backend})`, () => {
    beforeAll(async () => {
      env = await deskDb({ ann: 'ann-password-1', bob: 'bob-password-2' }, backend);
    });
    afterAll(() => env.remove());
    beforeEach(() => {
      clock = Date.parse('2026-12-01T09:00:00Z');
      app = createDeskApp({ store: env.store, now: () => new Date(clock), clientAddress: (c) => c.req.header('x-test-address') ?? '10.0.0.1' });
    });

    function form(fields: Record<string, string>): URLSearchParams {
      return new URLSearchParams(fields);
    }

    /** POSTs a form as a browser on the desk's own page would. */
    function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
      return app.request(path, { method: 'POST', body: form(fields), headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    }

    async function login(user = 'ann', password = 'ann-password-1', address = '10.0.0.1'): Promise<{ cookie: string; csrf: string }> {
      const r = await post('/login', { username: user, password }, { 'x-test-address': address });
      expect(r.status).toBe(303);
      const setCookie = r.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/SameSite=Lax/);
      const cookie = setCookie.split(';')[0]!;
      const page = await app.request('/', { headers: { cookie } });
      return { cookie, csrf: csrfOf(await page.text()) };
    }

    describe('sessions', () => {
      it('every page but /login and the stylesheet needs a session', async () => {
        expect((await app.request('/')).status).toBe(303);
        expect((await app.request('/')).headers.get('location')).toBe('/login');
        expect((await app.request('/stories/1')).status).toBe(303);
        expect((await app.request('/login')).status).toBe(200);
        expect((await app.request('/static/desk.css')).status).toBe(200);
        expect((await post('/stories/1/approve', {})).status).toBe(403);
      });

      // Each real attempt costs a full scrypt; earlier failures are recorded through the store instead.
      const failedBefore = async (username: string, address: string, n: number) => {
        const users = env.store.users;
        for (let i = 0; i < n; i++) {
          const now = new Date(clock);
          const r = await users.reserveLoginAttempt({ username, address, now, since: new Date(0), perPair: Infinity, perAddress: Infinity, forgetBefore: new Date(0) });
          if (!r.reserved) throw new Error('no limit was set, yet the attempt was refused');
          await users.settleLoginAttempt(r.id, false);
        }
      };

      it('wrong passwords are refused; after 5 failures the account is locked at that address for the window, right password or not', async () => {
        expect((await post('/login', { username: 'bob', password: 'nope' }, { 'x-test-address': '10.1.0.1' })).status).toBe(401);
        expect((await post('/login', { username: 'nobody', password: 'nope' })).status).toBe(401);
        await failedBefore('bob', '10.1.0.2', 4);
        expect((await post('/login', { username: 'bob', password: 'nope' }, { 'x-test-address': '10.1.0.2' })).status).toBe(401);
        const locked = await post('/login', { username: 'bob', password: 'bob-password-2' }, { 'x-test-address': '10.1.0.2' });
        expect(locked.status).toBe(429);
        expect(await locked.text()).toContain('Too many failed logins');
        // From another address the account is slowed down, not refused.
        expect((await post('/login', { username: 'bob', password: 'bob-password-2' }, { 'x-test-address': '10.2.0.1' })).status).toBe(303);
        expect((await post('/login', { username: 'bob', password: 'bob-password-2' }, { 'x-test-address': '10.1.0.2' })).status).toBe(429);
        clock += 16 * 60_000;
        expect((await post('/login', { username: 'bob', password: 'bob-password-2' }, { 'x-test-address': '10.1.0.2' })).status).toBe(303);
      });

      it('one address guessing at many accounts is limited too', async () => {
        await failedBefore('someone', '10.9.9.9', 19);
        expect((await post('/login', { username: 'user20', password: 'x' }, { 'x-test-address': '10.9.9.9' })).status).toBe(401);
        expect((await post('/login', { username: 'ann', password: 'ann-password-1' }, { 'x-test-address': '10.9.9.9' })).status).toBe(429);
        expect((await post('/login', { username: 'ann', password: 'ann-password-1' }, { 'x-test-address': '10.9.9.8' })).status).toBe(303);
      });

      it('"Log out" ends the session on the server; idle and absolute expiry end it too', async () => {
        const { cookie, csrf } = await login();
        const page = await (await app.request('/', { headers: { cookie } })).text();
        expect(page).toContain('Log out');
        expect((await post('/logout', { _csrf: csrf }, { cookie })).status).toBe(303);
        // The old cookie, replayed, is worth nothing.
        expect((await app.request('/', { headers: { cookie } })).status).toBe(303);

        const idle = await login();
        clock += 121 * 60_000;
        expect((await app.request('/', { headers: { cookie: idle.cookie } })).status).toBe(303);

        // Removing an editor (aiwins users remove) ends their sessions.
        await env.store.users.addUser('cat', await hashPassword('cat-password-3', TEST_SCRYPT_COST), new Date());
        const cat = await login('cat', 'cat-password-3');
        await env.store.users.removeUser('cat');
        expect((await app.request('/', { headers: { cookie: cat.cookie } })).status).toBe(303);

        const busy = await login();
        for (let h = 0; h < 12; h++) {
          clock += 60 * 60_000;
          const r = await app.request('/', { headers: { cookie: busy.cookie } });
          expect(r.status).toBe(h < 11 ? 200 : 303);
        }
      });
    });

    describe('actions', () => {
      let ids: number[];
      let s: { cookie: string; csrf: string };
      beforeEach(async () => {
        ids = await seedStories(env.store, [{ title: 'First story' }, { title: 'Second story' }]);
        s = await login();
      });

      it('approve: only a POST with the session token from the desk origin changes anything', async () => {
        const id = ids[0]!;
        const status = async () => (await env.store.stories.get(id))!.status;
        expect((await app.request(`/stories/${id}/approve`, { headers: { cookie: s.cookie } })).status).toBe(404);
        expect((await post(`/stories/${id}/approve`, {}, { cookie: s.cookie })).status).toBe(403);
        expect((await post(`/stories/${id}/approve`, { _csrf: 'x'.repeat(s.csrf.length) }, { cookie: s.cookie })).status).toBe(403);
        expect((await post(`/stories/${id}/approve`, { _csrf: s.csrf }, { cookie: s.cookie, origin: 'http://localhost:9999' })).status).toBe(403);
        expect((await post(`/stories/${id}/approve`, { _csrf: s.csrf }, { cookie: s.cookie, origin: '' })).status).toBe(403);
        expect(await status()).toBe('candidate');
        const ok = await post(`/stories/${id}/approve`, { _csrf: s.csrf }, { cookie: s.cookie });
        expect(ok.status).toBe(303);
        expect(ok.headers.get('location')).toBe(`/stories/${id}?done=approved`);
        expect(await status()).toBe('approved');
        expect((await env.store.stories.get(id))!.review.decision).toMatchObject({ action: 'approve', by: 'ann' });
      });

      it('reject needs a known reason; unknown stories are 404', async () => {
        const id = ids[1]!;
        const bad = await post(`/stories/${id}/reject`, { _csrf: s.csrf, reason: 'boring' }, { cookie: s.cookie });
        expect(bad.status).toBe(400);
        expect(await bad.text()).toContain('reason: expected one of not_ai');
        const ok = await post(`/stories/${id}/reject`, { _csrf: s.csrf, reason: 'low_quality', note: 'thin' }, { cookie: s.cookie });
        expect(ok.status).toBe(303);
        expect((await env.store.stories.get(id))!.review.decision).toMatchObject({ action: 'reject', reason: 'low_quality', note: 'thin' });
        expect((await post('/stories/99999/approve', { _csrf: s.csrf }, { cookie: s.cookie })).status).toBe(404);
        expect((await app.request('/stories/abc', { headers: { cookie: s.cookie } })).status).toBe(404);
      });

      it('edit saves a new version with quotes checked again; a second save of the same version is a 409 showing both texts', async () => {
        const id = ids[0]!;
        const [v1] = await env.store.editorial.versions(id);
        const fields = (headline: string, quote: string) => ({
          _csrf: s.csrf,
          version: String(v1!.id),
          headline,
          tldr: 'Short.',
          'takeaways.0.text': 'Most cases caught.',
          'takeaways.0.quote': quote,
          'takeaways.1.text': '',
          'takeaways.1.quote': '',
          whyItMatters: 'Because.',
          category: 'Health',
          deck: '',
          body: '',
          implications: '',
          readerNote: '',
        });
        const first = await post(`/stories/${id}/edit`, fields('Ann’s headline', 'found early signs of diabetic eye disease'), { cookie: s.cookie });
        expect(first.status).toBe(303);
        // An editor's version cost no model call: its provenance shows the tokens it came from, no cost.
        const priced = createDeskApp({ store: env.store, now: () => new Date(clock), pricing: { 'test-model': { input: 1, output: 2 } } });
        const editedPage = await (await priced.request(`/stories/${id}`, { headers: { cookie: s.cookie } })).text();
        expect(editedPage).toContain('1200 + 300 tokens, ');
        expect(editedPage).toContain('; edited by ann');
        expect(editedPage).not.toMatch(/est\. \$|cost unknown/);
        const bob = await login('bob', 'bob-password-2');
        const second = await post(`/stories/${id}/edit`, { ...fields('Bob’s headline', 'a quote nobody wrote'), _csrf: bob.csrf }, { cookie: bob.cookie });
        expect(second.status).toBe(409);
        const page = await second.text();
        expect(page).toContain('Bob’s headline');
        expect(page).toContain('Ann’s headline');
        const versions = await env.store.editorial.versions(id);
        expect(versions.map((v) => [v.draft.headline, v.editedBy])).toEqual([
          [v1!.draft.headline, null],
          ['Ann’s headline', 'ann'],
        ]);
        expect(versions[1]!.draft.takeaways).toEqual([{ text: 'Most cases caught.', quote: 'found early signs of diabetic eye disease', grounded: true, supported: true, missingFromQuote: [] }]);
        const invalid = await post(`/stories/${id}/edit`, { ...fields('', 'q'), version: String(versions[1]!.id) }, { cookie: s.cookie });
        expect(invalid.status).toBe(400);
        expect(await invalid.text()).toContain('headline: required');
        const diff = await (await app.request(`/stories/${id}?from=${v1!.id}&to=${versions[1]!.id}`, { headers: { cookie: s.cookie } })).text();
        expect(diff).toContain('<ins>Ann’s headline</ins>');
        expect(diff).toContain('<del>AI spots eye disease early in rural clinics</del>');
      });

      it('edit covers every story field: deck, body, implications and reader note reach the new version (and `aiwins show --json`: test/desk-edit.e2e.test.ts)', async () => {
        const id = ids[1]!;
        const [v1] = await env.store.editorial.versions(id);
        const page = await (await app.request(`/stories/${id}`, { headers: { cookie: s.cookie } })).text();
        // The form offers each field, filled with the current text.
        expect(page).toContain(`<input name="deck" value="${v1!.draft.deck}"`);
        expect(page).toContain(`<textarea name="body" rows="8">${v1!.draft.body.join('\n\n')}</textarea>`);
        expect(page).toContain(`<textarea name="implications" rows="4">${v1!.draft.implications.join('\n')}</textarea>`);
        expect(page).toContain(`<textarea name="readerNote" rows="3"></textarea>`);
        const saved = await post(
          `/stories/${id}/edit`,
          {
            _csrf: s.csrf,
            version: String(v1!.id),
            headline: v1!.draft.headline,
            tldr: v1!.draft.tldr,
            'takeaways.0.text': 'Most cases caught.',
            'takeaways.0.quote': 'found early signs of diabetic eye disease',
            whyItMatters: v1!.draft.whyItMatters,
            category: 'Health',
            deck: 'A new deck line',
            // Paragraphs are separated by a blank line; implications are one per line.
            body: 'First paragraph, edited.\r\n\r\nSecond paragraph\r\nwith a line break.\r\n\r\n',
            implications: 'One consequence.\r\n\r\n  Another consequence for 300 clinics.  \r\n',
            readerNote: 'The trial had 94 percent recall and no control group.',
          },
          { cookie: s.cookie },
        );
        expect(saved.status, await saved.clone().text()).toBe(303);
        const v2 = (await env.store.editorial.versions(id))[1]!;
        const edited = {
          deck: 'A new deck line',
          body: ['First paragraph, edited.', 'Second paragraph\nwith a line break.'],
          implications: ['One consequence.', 'Another consequence for 300 clinics.'],
          readerNote: 'The trial had 94 percent recall and no control group.',
        };
        expect(v2.draft).toMatchObject({ ...edited, origin: 'editor', editedBy: 'ann' });
        // The edited prose is checked as a model's is: "94 percent" is in the article, 300 is not.
        expect(v2.draft.unsupportedClaims).toEqual([{ field: 'implications[1]', claim: '300' }]);
        expect(v2.draft.needsReview).toBe(true);

        // An empty reader note is none at all; deck, body and implications may be empty (the offline engine leaves them so).
        const cleared = await post(
          `/stories/${id}/edit`,
          { _csrf: s.csrf, version: String(v2.id), headline: 'H', tldr: 'T', 'takeaways.0.text': 'A', 'takeaways.0.quote': 'B', whyItMatters: 'W', category: 'Health', deck: '', body: '', implications: ' ', readerNote: '  ' },
          { cookie: s.cookie },
        );
        expect(cleared.status).toBe(303);
        expect((await env.store.editorial.versions(id))[2]!.draft).toMatchObject({ deck: '', body: [], implications: [], readerNote: null });
      });

      it('the story page shows the draft as readers see it, the source with quotes marked, and the action buttons', async () => {
        const id = ids[0]!;
        const page = await (await app.request(`/stories/${id}`, { headers: { cookie: s.cookie } })).text();
        expect(page).toContain('<mark id="quote-1"');
        // The preview is the newsletter's own layout, byte for byte what `aiwins show --format html` prints.
        const story = (await env.store.stories.get(id))!;
        const newsletter = renderHtml(newsletterStory(story, { timezone: 'UTC', sourceName: 'feed' })!).trimEnd();
        expect(newsletter).toContain(story.draft!.implications[0]);
        expect(page).toContain(`<div class="reader">${newsletter}</div>`);
        // Provenance: tokens, and their cost when llm.pricing prices the model (1200 in, 300 out).
        expect(page).toContain('1200 + 300 tokens, cost unknown (no llm.pricing for test-model)');
        const priced = createDeskApp({ store: env.store, now: () => new Date(clock), pricing: { 'test-model': { input: 1, output: 2 } } });
        const pricedPage = await (await priced.request(`/stories/${id}`, { headers: { cookie: s.cookie } })).text();
        expect(pricedPage).toContain('1200 + 300 tokens, cost est. $0.0018');
        expect(page).toMatch(/Approve<\/button>/);
        expect(page).toMatch(/Reject<\/button>/);
        expect(page).toMatch(/Save<\/button>/);
        // This desk has no model: it says so instead of offering Re-draft (src/review/redraft.test.ts).
        expect(page).not.toMatch(/Re-draft<\/button>/);
      });
    });

    describe('the draft checks', () => {
      it('the story page and the queue show the recommendation, uncertain framing, concerns and unsupported claims', async () => {
        const [id] = await seedStories(env.store, [
          {
            title: 'Flags on show',
            draft: {
              headline: 'A model that may or may not help',
              needsReview: true,
              framing: { verdict: 'uncertain', score: 0.5, rationale: 'The article is vague.', concerns: ['single-source claim'], angle: null, confidence: 0.4, recommendation: 'skip' },
              unsupportedClaims: [{ field: 'deck', claim: 'Stanford' }],
            },
          },
        ]);
        const s = await login();
        const page = await (await app.request(`/stories/${id}`, { headers: { cookie: s.cookie } })).text();
        expect(page).toMatch(/Verdict <strong class="flag">uncertain<\/strong>/);
        expect(page).toMatch(/recommendation <strong class="flag">skip<\/strong>/);
        expect(page).toContain('<li>single-source claim</li>');
        expect(page).toContain('<code>deck</code>: Stanford');
        // The preview's editors' notes say why, as `aiwins show --format html` does.
        expect(page).toContain('needs review: checks failed after the repair turn (not in the article: deck: &quot;Stanford&quot;)');
        const queue = await (await app.request('/', { headers: { cookie: s.cookie } })).text();
        const row = queue.slice(queue.indexOf('A model that may or may not help'));
        // Each flag once: the verdict and the recommendation are not repeated beside their flags.
        const li = row.slice(0, row.indexOf('</li>'));
        expect(li).toMatch(/<span class="flag">needs review<\/span><span class="flag">verdict uncertain<\/span><span class="flag">recommends skip<\/span><span class="flag">1 unsupported claim<\/span>/);
        expect(li.match(/uncertain/g)).toHaveLength(1);
        expect(li.match(/skip/g)).toHaveLength(1);
      });
    });

    describe('hostile text', () => {
      it('titles, article HTML and model output are escaped or sanitized; links are http(s) only; strict CSP with a nonce', async () => {
        const [id] = await seedStories(env.store, [
          {
            title: '<img src=x onerror=alert(1)>',
            url: 'javascript:alert(2)',
            html: '<p>Hi<script>alert(3)</script><a href="javascript:alert(4)">click</a><img src="http://127.0.0.1:1/canary"></p>',
            draft: { headline: '<b onmouseover=alert(5)>Bold</b>', tldr: '</textarea><script>alert(6)</script>' },
          },
        ]);
        const s = await login();
        for (const path of ['/?status=all', `/stories/${id}`]) {
          const r = await app.request(path, { headers: { cookie: s.cookie } });
          const html = await r.text();
          expect(html).not.toMatch(/<img src=x/);
          expect(html).not.toMatch(/<b onmouseover/);
          expect(html).not.toMatch(/<script>alert/);
          expect(html).not.toMatch(/href="javascript:/);
          expect(html).not.toContain('127.0.0.1:1/canary');
          const csp = r.headers.get('content-security-policy')!;
          const nonce = /'nonce-([^']+)'/.exec(csp)![1];
          expect(csp).toContain("object-src 'none'");
          expect(csp).toContain("base-uri 'none'");
          expect(csp).toContain("frame-ancestors 'none'");
          // The only scripts on the page are the desk's own, carrying this response's nonce.
          const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
          expect(scripts).toEqual([` nonce="${nonce}"`]);
        }
      });
    });

    describe('behind a reverse proxy', () => {
      it('with --public-origin https://…, the cookie is __Host- and Secure, and only that origin may post', async () => {
        const proxied = createDeskApp({ store: env.store, publicOrigin: 'https://desk.example.org', clientAddress: () => '10.3.0.1' });
        const send = (origin: string) =>
          proxied.request('/login', {
            method: 'POST',
            body: form({ username: 'ann', password: 'ann-password-1' }),
            headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
          });
        expect((await send('http://localhost')).status).toBe(403);
        const r = await send('https://desk.example.org');
        expect(r.status).toBe(303);
        expect(r.headers.get('set-cookie')).toMatch(/^__Host-aiwins_session=[^;]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax/);
      });

      it('X-Forwarded-* are ignored unless proxies are trusted', async () => {
        const headers = { origin: 'https://evil.example', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', 'content-type': 'application/x-www-form-urlencoded' };
        const body = () => form({ username: 'nobody', password: 'x' });
        expect((await app.request('/login', { method: 'POST', body: body(), headers })).status).toBe(403);
        const trusting = createDeskApp({ store: env.store, trustProxy: true });
        expect((await trusting.request('/login', { method: 'POST', body: body(), headers })).status).toBe(401);
      });
    });
  });
}
