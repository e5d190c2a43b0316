import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeskApp } from './app.tsx';
import { startDesk } from './server.ts';
import { versionText } from './version-text.ts';
import { csrfOf, deskDb } from '../../test/helpers/desk.ts';
import { editFields, maxEdit } from '../../test/helpers/max-edit.ts';
import { seedStories } from '../../test/helpers/stories.ts';

/** The desk as an attacker tries it (issue 18): long diffs, hostile form input, login bursts, DNS rebinding. */

const ORIGIN = 'http://localhost';
let env: Awaited<ReturnType<typeof deskDb>>;
let clock: number;
let app: ReturnType<typeof createDeskApp>;

beforeAll(async () => {
  env = await deskDb({ ann: 'ann-password-1', bob: 'bob-password-2' });
});
afterAll(() => env.remove());
beforeEach(() => {
  clock = Date.parse('2026-12-01T09:00:00Z');
  app = createDeskApp({ store: env.store, now: () => new Date(clock), clientAddress: (c) => c.req.header('x-test-address') ?? '10.0.0.1' });
});

function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.request(path, {
    method: 'POST',
    body: new URLSearchParams(fields),
    headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

let nextAddress = 0;
/** A fresh client address per login, so these tests' own logins never count against each other. */
async function login(user = 'ann', password = 'ann-password-1'): Promise<{ cookie: string; csrf: string }> {
  const r = await post('/login', { username: user, password }, { 'x-test-address': `10.200.0.${++nextAddress}` });
  expect(r.status).toBe(303);
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  return { cookie, csrf: csrfOf(await (await app.request('/', { headers: { cookie } })).text()) };
}

describe('search and forms: bad input is a word or a 400, never an error', () => {
  it('control characters and FTS5 syntax in the search are searched as words', async () => {
    await seedStories(env.store, [{ title: 'Searchable story', draft: { headline: 'Searchable headline' } }]);
    const s = await login();
    for (const q of ['%00', '%00%01', 'eye%00disease', '%22', 'NEAR(', '*', '-x', 'a%20OR%20', '%E2%80%8B', '%ED%A0%80']) {
      const r = await app.request(`/?q=${q}`, { headers: { cookie: s.cookie } });
      expect(r.status, `q=${q}`).toBe(200);
    }
    expect(await (await app.request('/?q=Searchable%00', { headers: { cookie: s.cookie } })).text()).toContain('Searchable headline');
  });

  it('snooze refuses a date that does not exist', async () => {
    const [id] = await seedStories(env.store, [{ title: 'To snooze' }]);
    const s = await login();
    const bad = await post(`/stories/${id}/snooze`, { _csrf: s.csrf, until: '2030-02-31' }, { cookie: s.cookie });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('until: 2030-02-31 is not a date in the calendar');
    expect((await post(`/stories/${id}/snooze`, { _csrf: s.csrf, until: '2030-13-01' }, { cookie: s.cookie })).status).toBe(400);
    expect((await env.store.stories.get(id!))!.status).toBe('candidate');
    expect((await post(`/stories/${id}/snooze`, { _csrf: s.csrf, until: '2028-02-29' }, { cookie: s.cookie })).status).toBe(303);
  });

  it("the edit form's category must be one of the configured categories (or the story's own)", async () => {
    const [id] = await seedStories(env.store, [{ title: 'To categorize', draft: { category: 'Uncharted' } }]);
    const s = await login();
    const [v1] = await env.store.editorial.versions(id!);
    const fields = (category: string, version = v1!.id) => ({
      _csrf: s.csrf,
      version: String(version),
      headline: 'A headline',
      tldr: 'Short.',
      'takeaways.0.text': 'Most cases caught.',
      'takeaways.0.quote': 'found early signs of diabetic eye disease',
      whyItMatters: 'Because.',
      category,
      deck: '',
      body: '',
      implications: '',
      readerNote: '',
    });
    const bad = await post(`/stories/${id}/edit`, fields('Astrology'), { cookie: s.cookie });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('category: expected one of Business, Research, Health');
    expect((await env.store.editorial.versions(id!)).length).toBe(1);
    // The form offers the story's own category even when the config no longer lists it.
    expect((await post(`/stories/${id}/edit`, fields('Uncharted'), { cookie: s.cookie })).status).toBe(303);
    const [, v2] = await env.store.editorial.versions(id!);
    expect((await post(`/stories/${id}/edit`, fields('Research', v2!.id), { cookie: s.cookie })).status).toBe(303);
  });
});

/** A body paragraph as one whole line inside one <del> or <ins> of the diff (its words are letters only). */
const inside = (tag: 'del' | 'ins', paragraph: string) => new RegExp(`<${tag}>[^<]*  ${paragraph}\\n[^<]*</${tag}>`);

describe('the version diff is bounded', () => {
  it('two versions as long as the form admits, differing throughout: the history and the 409 page answer with whole changed blocks', async () => {
    const [id] = await seedStories(env.store, [{ title: 'Long versions' }]);
    const s = await login();
    const [v1] = await env.store.editorial.versions(id!);
    const a = maxEdit(1);
    const b = maxEdit(2);
    expect(versionText(a).length).toBeGreaterThan(48_000);
    expect((await post(`/stories/${id}/edit`, editFields(a, v1!.id, s.csrf), { cookie: s.cookie })).status).toBe(303);
    const [, v2] = await env.store.editorial.versions(id!);
    expect((await post(`/stories/${id}/edit`, editFields(b, v2!.id, s.csrf), { cookie: s.cookie })).status).toBe(303);
    const [, , v3] = await env.store.editorial.versions(id!);

    const page = await app.request(`/stories/${id}?from=${v2!.id}&to=${v3!.id}`, { headers: { cookie: s.cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    // Whole paragraphs removed and added, not a word-by-word interleaving.
    expect(html).toMatch(inside('del', a.body[2]!));
    expect(html).toMatch(inside('ins', b.body[2]!));

    // A save based on v2 now conflicts; the 409 page shows the same kind of diff.
    const conflict = await post(`/stories/${id}/edit`, editFields(maxEdit(3), v2!.id, s.csrf), { cookie: s.cookie });
    expect(conflict.status).toBe(409);
    expect(await conflict.text()).toMatch(inside('del', b.body[2]!));
  });
});

describe('login limits', () => {
  // Through the proxy path the desk really uses for client addresses: the last X-Forwarded-For hop, trusted.
  const proxied = () => createDeskApp({ store: env.store, now: () => new Date(clock), trustProxy: true });
  const attempt = (desk: ReturnType<typeof createDeskApp>, username: string, password: string, address: string) =>
    desk.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ username, password }),
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `203.0.113.9, ${address}` },
    });
  const statuses = async (rs: (Response | Promise<Response>)[]) => {
    const counts: Record<number, number> = {};
    for (const r of await Promise.all(rs)) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return counts;
  };

  it('a burst of 30 wrong passwords for one account from one address: 5 are checked, 25 refused', async () => {
    const desk = proxied();
    const counts = await statuses(Array.from({ length: 30 }, () => attempt(desk, 'bob', 'guess', '10.50.0.1')));
    expect(counts).toEqual({ 401: 5, 429: 25 });
  });

  it('a burst of 40 wrong passwords for 40 accounts from one address: 20 are checked, 20 refused', async () => {
    const desk = proxied();
    const counts = await statuses(Array.from({ length: 40 }, (_, i) => attempt(desk, `someone${i}`, 'guess', '10.51.0.1')));
    expect(counts).toEqual({ 401: 20, 429: 20 });
  });

  it("an attacker's failures lock their own address out of the account, not the editor at another address (slowed down)", async () => {
    const desk = proxied();
    expect(await statuses(Array.from({ length: 6 }, () => attempt(desk, 'ann', 'guess', '10.52.0.1')))).toEqual({ 401: 5, 429: 1 });
    expect((await attempt(desk, 'ann', 'ann-password-1', '10.52.0.1')).status).toBe(429);
    const started = Date.now();
    const editor = await attempt(desk, 'ann', 'ann-password-1', '10.52.0.2');
    expect(editor.status).toBe(303);
    // Five failures on the account: the editor's login waited the first step of the slowdown.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // The editor's success does not unlock the attacker's address.
    expect((await attempt(desk, 'ann', 'guess', '10.52.0.1')).status).toBe(429);
    clock += 16 * 60_000;
    expect((await attempt(desk, 'ann', 'ann-password-1', '10.52.0.1')).status).toBe(303);
  });
});

/** A raw HTTP request with the Host header as given (fetch would not let a test set it). */
function raw(url: string, path: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((done, fail) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => done({ status: res.statusCode!, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

describe('DNS rebinding', () => {
  it('without --public-origin, only the listening address and loopback names (with the port) are answered; others get 421', async () => {
    const desk = await startDesk({ host: '127.0.0.1', port: 0, store: env.store });
    try {
      const port = new URL(desk.url).port;
      const form = new URLSearchParams({ username: 'ann', password: 'ann-password-1' }).toString();
      const loginAs = (host: string) =>
        raw(desk.url, '/login', 'POST', { host, origin: `http://${host}`, 'content-type': 'application/x-www-form-urlencoded' }, form);
      const evil = await loginAs(`evil.example:${port}`);
      expect(evil.status).toBe(421);
      expect(evil.text).toContain('--public-origin');
      expect((await raw(desk.url, '/feed.xml', 'GET', { host: `evil.example:${port}` })).status).toBe(421);
      expect((await raw(desk.url, '/login', 'GET', { host: `localhost:${Number(port) + 1}` })).status).toBe(421);
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
        expect((await raw(desk.url, '/login', 'GET', { host })).status, host).toBe(200);
      }
      expect((await loginAs(`localhost:${port}`)).status).toBe(303);
    } finally {
      await desk.close();
    }
  });

  it('with --public-origin, its host is answered as before', async () => {
    const desk = await startDesk({ host: '127.0.0.1', port: 0, store: env.store, publicOrigin: 'https://desk.example.org' });
    try {
      expect((await raw(desk.url, '/login', 'GET', { host: 'desk.example.org' })).status).toBe(200);
    } finally {
      await desk.close();
    }
  });
});
