/** What a desk that is not fully set up says: no model to re-draft with, no editor to log in. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeskApp } from './app.tsx';
import { deskDb, deskLogin } from '../../test/helpers/desk.ts';
import { seedStories } from '../../test/helpers/stories.ts';
import { REDRAFT_NEEDS_MODEL } from './views/story.tsx';

const ORIGIN = 'http://localhost';
let env: Awaited<ReturnType<typeof deskDb>>;
let id: number;
beforeAll(async () => {
  env = await deskDb({ ann: 'ann-password-1' });
  [id] = (await seedStories(env.store, [{}])) as [number];
});
afterAll(() => env.remove());

const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

async function redraftAs(app: ReturnType<typeof createDeskApp>) {
  const s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
  const page = await (await app.request(`/stories/${id}`, { headers: { cookie: s.cookie } })).text();
  const post = await app.request(`/stories/${id}/redraft`, {
    method: 'POST',
    body: new URLSearchParams({ _csrf: s.csrf }),
    headers: { origin: ORIGIN, cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
  });
  return { page, post };
}

describe('Re-draft on the desk', () => {
  it('without a model: no button, the reason instead; a POST says so and adds nothing', async () => {
    const before = (await env.store.editorial.versions(id)).length;
    const { page, post } = await redraftAs(createDeskApp({ store: env.store }));
    expect(page).not.toMatch(/Re-draft<\/button>/);
    expect(page).toContain(escaped(REDRAFT_NEEDS_MODEL));
    expect(post.status).toBe(503);
    const body = await post.text();
    expect(body).toContain('Re-draft needs a model');
    expect(body).toContain('Nothing was added.');
    expect((await env.store.editorial.versions(id)).length).toBe(before);
  });

  it('with a model: the button, and a failed re-draft shows its failure kind and message, never "Re-drafted"', async () => {
    const asked: number[] = [];
    const app = createDeskApp({
      store: env.store,
      redraft: async (storyId) => {
        asked.push(storyId);
        return { ok: false, message: 'llm.auth: Incorrect API key provided' };
      },
    });
    const { page, post } = await redraftAs(app);
    expect(page).toMatch(/Re-draft<\/button>/);
    expect(page).not.toContain(escaped(REDRAFT_NEEDS_MODEL));
    expect(asked).toEqual([id]);
    expect(post.status).toBe(502);
    expect(await post.text()).toContain('re-draft failed: llm.auth: Incorrect API key provided');
  });
});

describe('the login page of a database with no editor', () => {
  it('says how to add one, naming the database; once there is one, it says nothing of it', async () => {
    const empty = await deskDb({});
    try {
      const app = createDeskApp({ store: empty.store });
      const page = await (await app.request('/login')).text();
      expect(page).toContain(escaped(`No editor in this database (${empty.path}) yet: add one with \`aiwins users add NAME --password-stdin --db ${empty.path}\``));
      const refused = await app.request('/login', {
        method: 'POST',
        body: new URLSearchParams({ username: 'ann', password: 'ann-password-1' }),
        headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(refused.status).toBe(401);
      expect(await refused.text()).toContain('No editor in this database');
    } finally {
      await empty.remove();
    }
    const staffed = await (await createDeskApp({ store: env.store }).request('/login')).text();
    expect(staffed).not.toContain('No editor in this database');
  });
});
