/**
 * An edit saved through the desk is what the CLI shows: `aiwins show --json` run as a child
 * process on the same database (moved here from src/review/app.test.ts, which spawns nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeskApp } from '../src/review/app.tsx';
import { deskDb, deskLogin } from './helpers/desk.ts';
import { runCli } from './helpers/project.ts';
import { seedStories } from './helpers/stories.ts';

const ORIGIN = 'http://localhost';
let env: Awaited<ReturnType<typeof deskDb>>;

beforeAll(async () => {
  env = await deskDb({ ann: 'ann-password-1' });
});
afterAll(() => env.remove());

describe('a desk edit', () => {
  it('deck, body, implications and reader note reach `aiwins show --json`', async () => {
    const app = createDeskApp({ store: env.store });
    const [id] = await seedStories(env.store, [{ title: 'A story to edit' }]);
    const s = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    const [v1] = await env.store.editorial.versions(id!);
    const saved = await app.request(`/stories/${id}/edit`, {
      method: 'POST',
      headers: { origin: ORIGIN, cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: s.csrf,
        version: String(v1!.id),
        headline: v1!.draft.headline,
        tldr: v1!.draft.tldr,
        'takeaways.0.text': 'Most cases caught.',
        'takeaways.0.quote': 'found early signs of diabetic eye disease',
        whyItMatters: v1!.draft.whyItMatters,
        category: 'Health',
        deck: 'A new deck line',
        body: 'First paragraph, edited.\r\n\r\nSecond paragraph\r\nwith a line break.\r\n\r\n',
        implications: 'One consequence.\r\n\r\n  Another consequence.  \r\n',
        readerNote: 'The trial had no control group.',
      }),
    });
    expect(saved.status, await saved.clone().text()).toBe(303);

    const shown = await runCli(['--db', env.path, 'show', String(id), '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).draft).toMatchObject({
      deck: 'A new deck line',
      body: ['First paragraph, edited.', 'Second paragraph\nwith a line break.'],
      implications: ['One consequence.', 'Another consequence.'],
      readerNote: 'The trial had no control group.',
      origin: 'editor',
      editedBy: 'ann',
    });
  });
});
