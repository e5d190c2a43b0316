/**
 * The same story from two outlets, through the real CLI: two loopback sites whose feeds carry one
 * press release, each in its own page template and under its own headline, beside a different
 * story on the same topic. One LLM call for the shared story, the other outlet listed on it; the
 * different story drafted on its own. An editor's split on the desk makes the copy draftable, and
 * "Make primary" names the other outlet as the story's source.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeskApp } from '../src/review/app.tsx';
import { openStore } from '../src/store/index.ts';
import { OTHER_HOSPITAL, OTHER_HOSPITAL_TITLE, OUTLET_A, OUTLET_B, OUTLET_B_TITLE, RELEASE_TITLE } from '../src/coverage/__fixtures__/stories.ts';
import { csrfOf, hashTestPassword } from './helpers/desk.ts';
import { startOpenAiServer, type OpenAiServer } from './helpers/openai-server.ts';
import { fixtureConfig, lastJsonLine, runCli, tempProject, type TempProject } from './helpers/project.ts';
import { startSiteServer, type SiteServer } from './helpers/site-server.ts';

const html = (site: string, title: string, text: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${title} | ${site}</title>
<meta property="og:site_name" content="${site}"></head><body>
<nav><a href="/">Home</a> <a href="/health">Health</a> <a href="/tech">Technology</a></nav>
<article><h1>${title}</h1>${text
  .split('\n\n')
  .map((p) => `<p>${p}</p>`)
  .join('\n')}</article>
<aside><h2>More from ${site}</h2><ul><li><a href="/a">Council budget passes</a></li><li><a href="/b">Weekend weather</a></li></ul></aside>
<footer>© 2026 ${site}</footer></body></html>`;

const rss = (origin: string, name: string, items: { slug: string; title: string; date: string }[]) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>${name}</title><link>${origin}/</link>
${items.map((i) => `<item><title>${i.title}</title><guid>${origin}/${i.slug}</guid><link>${origin}/${i.slug}</link><pubDate>${i.date}</pubDate></item>`).join('\n')}
</channel></rss>`;

const page = (body: string) => ({ body, headers: { 'content-type': 'text/html; charset=utf-8' } });

let gazette: SiteServer;
let courier: SiteServer;
let llm: OpenAiServer;
let project: TempProject;

beforeEach(async () => {
  [gazette, courier, llm] = await Promise.all([startSiteServer(), startSiteServer(), startOpenAiServer()]);
  project = tempProject();
  gazette.setRoute('/sepsis', page(html('The Gazette', RELEASE_TITLE, OUTLET_A)));
  gazette.setRoute('/feed.xml', {
    body: rss(gazette.origin, 'The Gazette', [{ slug: 'sepsis', title: RELEASE_TITLE, date: 'Tue, 01 Dec 2026 08:00:00 GMT' }]),
    headers: { 'content-type': 'application/rss+xml' },
  });
  courier.setRoute('/nurses-ai', page(html('Health Courier', OUTLET_B_TITLE, OUTLET_B)));
  courier.setRoute('/xray', page(html('Health Courier', OTHER_HOSPITAL_TITLE, OTHER_HOSPITAL)));
  courier.setRoute('/feed.xml', {
    body: rss(courier.origin, 'Health Courier', [
      { slug: 'nurses-ai', title: OUTLET_B_TITLE, date: 'Tue, 01 Dec 2026 09:00:00 GMT' },
      { slug: 'xray', title: OTHER_HOSPITAL_TITLE, date: 'Tue, 01 Dec 2026 07:00:00 GMT' },
    ]),
    headers: { 'content-type': 'application/rss+xml' },
  });
  project.writeConfig(
    fixtureConfig({
      feeds: [
        { name: 'The Gazette', url: `${gazette.origin}/feed.xml` },
        { name: 'Health Courier', url: `${courier.origin}/feed.xml` },
      ],
      allow: [gazette.hostPort, courier.hostPort],
      llmBaseURL: llm.url,
    }),
  );
});

afterEach(async () => {
  await Promise.all([gazette.close(), courier.close(), llm.close()]);
  project.remove();
});

const cli = (args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, ...args], {}, 180_000);
const allStories = async () => JSON.parse((await cli(['stories', '--all', '--json'])).stdout) as any[];

/** The desk in-process on the run's database, with an editor logged in. */
async function desk() {
  const store = await openStore(project.dbPath);
  await store.users.addUser('ann', await hashTestPassword('ann-password-1'), new Date());
  const app = createDeskApp({ store });
  const headers = { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' };
  const login = await app.request('/login', { method: 'POST', headers, body: new URLSearchParams({ username: 'ann', password: 'ann-password-1' }) });
  expect(login.status).toBe(303);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const get = (path: string) => app.request(path, { headers: { cookie } });
  const csrf = csrfOf(await (await get('/')).text());
  const post = (path: string, fields: Record<string, string> = {}) =>
    app.request(path, { method: 'POST', headers: { ...headers, cookie }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });
  return { get, post, close: () => store.close() };
}

describe('the same story from several outlets', () => {
  it('drafts it once, lists the other outlet, and never merges a different story', async () => {
    const run = await cli(['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJsonLine(run.stdout)).toMatchObject({ items: { new: 3 }, drafts: { made: 2, duplicates: 1, failed: 0 } });
    // One call per drafted story: the copy cost none.
    expect(llm.calls).toBe(2);

    const stories = await allStories();
    expect(stories).toHaveLength(3);
    const copy = stories.find((s) => s.status === 'duplicate');
    const story = stories.find((s) => s.id === copy.duplicateOf.id);
    const other = stories.find((s) => s.url.endsWith('/xray'));
    expect(copy).toMatchObject({ draft: null, error: null, alsoCoveredBy: [] });
    expect(copy.duplicateOf.reason).toMatch(/^(same_text|quoted_text|same_title_and_lead)$/);
    expect(story).toMatchObject({ status: 'candidate', sourceItemId: null, duplicateOf: null });
    expect(story.draft.engine).toBe('llm');
    expect(story.alsoCoveredBy).toEqual([
      { id: copy.id, url: copy.url, title: copy.title, feed: copy.feed, siteName: copy.siteName, reason: copy.duplicateOf.reason, similarity: copy.duplicateOf.similarity },
    ]);
    // The two outlets are the two sites, whichever was drafted.
    expect(new Set([new URL(story.url).origin, new URL(copy.url).origin])).toEqual(new Set([gazette.origin, courier.origin]));
    expect(other).toMatchObject({ status: 'candidate', duplicateOf: null, alsoCoveredBy: [] });

    // The default listing shows drafted stories only; `show` says what became of the copy.
    expect((JSON.parse((await cli(['stories', '--json'])).stdout) as any[]).map((s) => s.id).sort()).toEqual([story.id, other.id].sort());
    const shown = await cli(['show', String(copy.id)]);
    expect(shown.stdout).toContain(`a copy of story ${story.id}`);
    expect((await cli(['show', String(story.id)])).stdout).toContain(`Also covered by: `);
    expect((await cli(['stories', '--status', 'duplicate', '--json'])).stdout).toContain(`"id": ${copy.id}`);

    // A second run finds nothing to do: the copy is not drafted later either.
    const again = await cli(['run', '--json']);
    expect(lastJsonLine(again.stdout)).toMatchObject({ drafts: { made: 0, duplicates: 0 } });
    expect(llm.calls).toBe(2);
  });

  it('an editor can make the other outlet the primary source, and split a copy off so the next run drafts it', async () => {
    expect((await cli(['run', '--json'])).code).toBe(0);
    const copy = (await allStories()).find((s) => s.status === 'duplicate');
    const storyId: number = copy.duplicateOf.id;

    const d = await desk();
    try {
      const pageHtml = await (await d.get(`/stories/${storyId}`)).text();
      expect(pageHtml).toContain('Also covered by');
      expect(pageHtml).toContain(`action="/stories/${storyId}/coverage/${copy.id}/split"`);
      expect(pageHtml).toContain(`href="${copy.url}"`);
      expect(await (await d.get(`/stories/${copy.id}`)).text()).toContain(`href="/stories/${storyId}"`);

      // Without the CSRF token nothing changes.
      const forged = await d.post(`/stories/${storyId}/coverage/${copy.id}/primary`, { _csrf: 'forged' });
      expect(forged.status).toBe(403);

      const primary = await d.post(`/stories/${storyId}/coverage/${copy.id}/primary`);
      expect(primary.status).toBe(303);
      let story = (await allStories()).find((s) => s.id === storyId);
      expect(story).toMatchObject({ sourceItemId: copy.id, url: copy.url, feed: copy.feed });
      expect(story.alsoCoveredBy.map((c: any) => c.id)).toEqual([storyId]);

      const split = await d.post(`/stories/${storyId}/coverage/${copy.id}/split`);
      expect(split.status).toBe(303);
      expect(split.headers.get('location')).toBe(`/stories/${storyId}?done=split`);
      // Not a copy of that story any more: a second split is a 404.
      expect((await d.post(`/stories/${storyId}/coverage/${copy.id}/split`)).status).toBe(404);
      const after = await allStories();
      story = after.find((s) => s.id === storyId);
      expect(story).toMatchObject({ sourceItemId: null, alsoCoveredBy: [] });
      expect(story.url).not.toBe(copy.url);
      expect(after.find((s) => s.id === copy.id)).toMatchObject({ status: 'pending', duplicateOf: null });
    } finally {
      await d.close();
    }

    const next = await cli(['run', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(lastJsonLine(next.stdout)).toMatchObject({ drafts: { made: 1, duplicates: 0 } });
    expect(llm.calls).toBe(3);
    expect((await allStories()).find((s) => s.id === copy.id)).toMatchObject({ status: 'candidate', duplicateOf: null });
  });
});
