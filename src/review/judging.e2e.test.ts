/**
 * Judging offline drafts and reading flags at the desk, through the real app (`app.request`) over a
 * real SQLite file, and through the real CLI for what `show` and `stories` print.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeskApp } from './app.tsx';
import { deskDb, deskLogin } from '../../test/helpers/desk.ts';
import { seedStories } from '../../test/helpers/stories.ts';
import { runCli } from '../../test/helpers/project.ts';

const ORIGIN = 'http://localhost';
let env: Awaited<ReturnType<typeof deskDb>>;
let clock = Date.parse('2026-12-01T09:00:00Z');
let app: ReturnType<typeof createDeskApp>;

/** An offline draft: the verdict left to an editor. */
const OFFLINE = {
  engine: 'extractive' as const,
  model: null,
  deck: '',
  implications: [],
  framing: { verdict: 'uncertain' as const, score: 0.5, rationale: 'Offline draft: no model judged it.', concerns: [], angle: null, confidence: 0, recommendation: 'skip' as const },
};

beforeAll(async () => {
  env = await deskDb({ ann: 'ann-password-1', bob: 'bob-password-2' });
  app = createDeskApp({ store: env.store, now: () => new Date(clock), clientAddress: () => '10.0.0.1' });
});
afterAll(() => env.remove());

function post(path: string, fields: Record<string, string>, cookie: string) {
  return app.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', cookie } });
}

const page = async (path: string, cookie: string) => (await app.request(path, { headers: { cookie } })).text();

/** The edit form's fields for the current version, as the page fills them, with changes. */
async function editFields(id: number, csrf: string, over: Record<string, string> = {}): Promise<Record<string, string>> {
  const versions = await env.store.editorial.versions(id);
  const v = versions[versions.length - 1]!;
  const d = v.draft;
  return {
    _csrf: csrf,
    version: String(v.id),
    headline: d.headline,
    tldr: d.tldr,
    ...Object.fromEntries(d.takeaways.flatMap((t, i) => [[`takeaways.${i}.text`, t.text], [`takeaways.${i}.quote`, t.quote]])),
    deck: d.deck,
    body: d.body.join('\n\n'),
    whyItMatters: d.whyItMatters,
    implications: d.implications.join('\n'),
    readerNote: d.readerNote ?? '',
    category: d.category,
    ...over,
  };
}

describe("an editor's verdict and recommendation", () => {
  it('the edit form offers them, named as in the story JSON, set to the standing ones', async () => {
    const [id] = await seedStories(env.store, [{ title: 'Offline one', draft: OFFLINE }]);
    const ann = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    const html = await page(`/stories/${id}`, ann.cookie);
    expect(html).toMatch(/<select name="verdict">.*<option value="uncertain" selected="">uncertain<\/option>/s);
    expect(html).toMatch(/<select name="recommendation">.*<option value="skip" selected="">skip<\/option>/s);
    expect(html).not.toContain('Verdict set by');
  });

  it("saves them as the editor's judgement, with who and when, shown as such; later edits keep it; the model's framing stays", async () => {
    const [id] = await seedStories(env.store, [{ title: 'Offline two', draft: OFFLINE }]);
    const ann = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    expect((await env.store.stories.get(id!))!.setAside).toBe(true);
    const saved = await post(`/stories/${id}/edit`, await editFields(id!, ann.csrf, { verdict: 'positive', recommendation: 'include' }), ann.cookie);
    expect(saved.status, await saved.clone().text()).toBe(303);
    const story = (await env.store.stories.get(id!))!;
    expect(story.draft!.judgement).toEqual({ verdict: 'positive', recommendation: 'include', by: 'ann', at: new Date('2026-12-01T09:00:00Z') });
    expect(story.draft!.framing).toMatchObject({ verdict: 'uncertain', recommendation: 'skip' });
    expect(story.setAside).toBe(false);

    const html = await page(`/stories/${id}`, ann.cookie);
    expect(html).toContain('Verdict set by ann on 2026-12-01 09:00 UTC');
    expect(html).toContain('The model&#39;s framing: ');
    expect(html).toMatch(/<select name="verdict">.*<option value="positive" selected="">positive<\/option>/s);
    const queue = await page('/', ann.cookie);
    expect(queue).toMatch(/positive · <span class="recommendation include">include<\/span> · <span class="judged-by">set by ann<\/span>/);

    // Bob edits the text only, an hour later: Ann's judgement stands, still hers and dated as before.
    clock += 3_600_000;
    const bob = await deskLogin(app, ORIGIN, 'bob', 'bob-password-2');
    expect((await post(`/stories/${id}/edit`, await editFields(id!, bob.csrf, { headline: 'Edited by Bob', verdict: 'positive', recommendation: 'include' }), bob.cookie)).status).toBe(303);
    expect((await env.store.stories.get(id!))!.draft).toMatchObject({ headline: 'Edited by Bob', editedBy: 'bob', judgement: { by: 'ann', at: new Date('2026-12-01T09:00:00Z') } });

    // `show --json` and `stories --json` carry it (dates as ISO strings); the text says whose it is.
    const shown = await runCli(['--db', env.path, 'show', String(id), '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).draft.judgement).toEqual({ verdict: 'positive', recommendation: 'include', by: 'ann', at: '2026-12-01T09:00:00.000Z' });
    const text = await runCli(['--db', env.path, 'show', String(id)]);
    expect(text.stdout).toContain('Judgement: positive, recommendation include; verdict set by ann on 2026-12-01T09:00:00.000Z');
    expect(text.stdout).toContain("The model's framing: uncertain");
    const listed = await runCli(['--db', env.path, 'stories']);
    expect(listed.stdout).toMatch(new RegExp(`${id}  candidate  .*Edited by Bob .*positive/include \\(set by ann\\)`));
  });

  it('refuses values outside the draft schema, and a pair the rubric forbids, with 400 naming the field; nothing is saved', async () => {
    const [id] = await seedStories(env.store, [{ title: 'Offline three', draft: OFFLINE }]);
    const ann = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    const bad = await post(`/stories/${id}/edit`, await editFields(id!, ann.csrf, { verdict: 'great', recommendation: 'publish' }), ann.cookie);
    expect(bad.status).toBe(400);
    const message = await bad.text();
    expect(message).toContain('verdict: expected one of positive, mixed, negative, not_ai, uncertain');
    expect(message).toContain('recommendation: expected one of include, include_with_note, skip');
    const forbidden = await post(`/stories/${id}/edit`, await editFields(id!, ann.csrf, { verdict: 'uncertain', recommendation: 'include' }), ann.cookie);
    expect(forbidden.status).toBe(400);
    expect(await forbidden.text()).toContain('recommendation: &quot;include&quot; is not allowed with the verdict &quot;uncertain&quot; (allowed: skip)');
    expect(await env.store.editorial.versions(id!)).toHaveLength(1);
    // A form without the two fields (the documented edit form before them) still saves, judging nothing.
    expect((await post(`/stories/${id}/edit`, await editFields(id!, ann.csrf, { headline: 'No judgement' }), ann.cookie)).status).toBe(303);
    expect((await env.store.stories.get(id!))!.draft).toMatchObject({ headline: 'No judgement', judgement: null });
  });

  it('an approved story is never set aside, in the store, `stories` or the preview', async () => {
    const [id] = await seedStories(env.store, [{ title: 'Offline four', draft: OFFLINE }]);
    const ann = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    expect((await post(`/stories/${id}/approve`, { _csrf: ann.csrf }, ann.cookie)).status).toBe(303);
    const story = (await env.store.stories.get(id!))!;
    expect([story.status, story.setAside]).toEqual(['approved', false]);
    const listed = await runCli(['--db', env.path, 'stories', '--status', 'approved']);
    const line = listed.stdout.split('\n').find((l) => l.trim().startsWith(`${id}  approved`));
    expect(line).toContain('uncertain/skip');
    expect(line).not.toContain('[set aside]');
    expect(await page(`/stories/${id}`, ann.cookie)).not.toContain('set aside:');
  });
});

describe("flags in an editor's words", () => {
  it('names what a takeaway adds ("90%"), marks it in the preview, and says the edited text fails its checks, not a repair turn', async () => {
    const [id] = await seedStories(env.store, [{ title: 'Flagged' }]);
    const ann = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    const saved = await post(`/stories/${id}/edit`, await editFields(id!, ann.csrf, { 'takeaways.0.text': 'The model caught most cases, a 90% cure rate.' }), ann.cookie);
    expect(saved.status).toBe(303);
    const html = await page(`/stories/${id}`, ann.cookie);
    expect(html).toContain('the takeaway says &quot;90%&quot;, which its quote does not');
    expect(html).toContain('<li>The model caught most cases, a <mark class="claim" title="not in its quote">90%</mark> cure rate.</li>');
    expect(html).toContain('needs review: the edited text fails its checks against the article (not in its quote: takeaways[0]: &quot;90%&quot;)');
    expect(html).not.toContain('repair turn');
    const shown = await runCli(['--db', env.path, 'show', String(id)]);
    expect(shown.stdout).toContain('NEEDS REVIEW: the edited text fails a check against the article');
    expect(shown.stdout).toContain('(says "90%", which its quote does not)');
    expect(JSON.parse((await runCli(['--db', env.path, 'show', String(id), '--json'])).stdout).draft.takeaways[0].missingFromQuote).toEqual(['90%']);
  });

  it('highlights in the source a quote the check accepted with punctuation differences', async () => {
    const [id] = await seedStories(env.store, [{ title: 'Punctuation' }]);
    const ann = await deskLogin(app, ORIGIN, 'ann', 'ann-password-1');
    const quote = '"The model found early signs of diabetic eye disease in 94% of cases"';
    expect((await post(`/stories/${id}/edit`, await editFields(id!, ann.csrf, { 'takeaways.0.quote': quote }), ann.cookie)).status).toBe(303);
    expect((await env.store.stories.get(id!))!.draft!.takeaways[0]).toMatchObject({ grounded: true, supported: true });
    const html = await page(`/stories/${id}`, ann.cookie);
    expect(html).toContain('<mark id="quote-1" title="Takeaway 1">The model found early signs of diabetic eye disease in 94 percent of cases<sup>1</sup></mark>');
    expect(html).not.toContain('not located in this text');
  });
});
