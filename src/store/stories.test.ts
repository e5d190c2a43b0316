import { afterEach, beforeEach, expect, it } from 'vitest';
import pg from 'pg';
import { sqliteBinding } from './db.ts';
import { addDraft, sampleDraft, seedStories } from '../../test/helpers/stories.ts';
import { describeEachBackend, tempDatabase, type TempDatabase } from '../../test/helpers/stores.ts';

describeEachBackend('stories', (backend) => {
  let t: TempDatabase;
  beforeEach(async () => {
    t = await tempDatabase(backend);
  });
  afterEach(() => t.remove());

  /**
   * Writes rows the stories read but whose own store methods are not on PostgreSQL yet (decisions,
   * issues, coverage): the same SQL on both backends, beside the store's connection.
   */
  async function exec(statements: string): Promise<void> {
    if (backend === 'sqlite') {
      const Database = sqliteBinding();
      const db = new Database(t.location);
      try {
        db.exec(statements);
      } finally {
        db.close();
      }
      return;
    }
    const c = new pg.Client({ connectionString: t.location });
    await c.connect();
    try {
      await c.query(statements);
    } finally {
      await c.end();
    }
  }

  it('lists drafted stories newest first, the set-aside ones last; `all` and `status` widen or narrow it', async () => {
    const s = await t.open();
    const [a, b, c, d] = await seedStories(s, [
      { title: 'A' },
      { title: 'B', draft: { framing: { ...sampleDraft().framing, verdict: 'negative' } } },
      { title: 'C' },
      { title: 'D' },
    ]);
    await exec(`UPDATE stories SET status = 'failed', last_error_kind = 'fetch.http', last_error_message = 'HTTP 404' WHERE id = ${d}`);

    const listed = await s.stories.list();
    expect(listed.map((x) => [x.id, x.setAside])).toEqual([
      [c, false],
      [a, false],
      [b, true],
    ]);
    expect((await s.stories.list({ all: true })).map((x) => x.id)).toEqual([d, c, a, b]);
    expect(await s.stories.list({ status: 'failed' })).toMatchObject([{ id: d, status: 'failed', error: { kind: 'fetch.http', message: 'HTTP 404' } }]);
    expect(await s.stories.list({ status: 'approved' })).toEqual([]);
  });

  it('reads one story with its current draft and empty editorial state, and with its article', async () => {
    const s = await t.open();
    const [id] = await seedStories(s, [{ title: 'Eye scans', feed: 'Health Wire' }]);
    const story = (await s.stories.get(id!))!;
    expect(story).toMatchObject({
      id,
      title: 'Eye scans',
      feed: 'Health Wire',
      status: 'candidate',
      published: new Date('2026-11-30T10:00:00.000Z'),
      error: null,
      siteName: 'News Example',
      needsReview: false,
      setAside: false,
      review: { decision: null, approvedVersionId: null, changedSinceApproval: false },
      sent: null,
      duplicateOf: null,
      alsoCoveredBy: [],
      sourceItemId: null,
    });
    expect(story.draft).toMatchObject({ itemId: id, headline: sampleDraft().headline });
    expect(await s.stories.getWithArticle(id!)).toEqual({ story, article: await s.articles.get(id!) });
    expect((await s.stories.getWithArticle(id!))!.article).toMatchObject({ itemId: id, siteName: 'News Example' });
    expect(await s.stories.get(id! + 1000)).toBeNull();
    expect(await s.stories.getWithArticle(id! + 1000)).toBeNull();
  });

  it("shows editors' standing approval, the issue it went out in, its copies and the outlet chosen as source", async () => {
    const s = await t.open();
    const [a, b, c] = await seedStories(s, [
      { title: 'A', feed: 'One' },
      { title: 'B', feed: 'Two' },
      { title: 'C', feed: 'Three' },
    ]);
    const approved = (await s.drafts.current(a!))!.id;
    await exec(`
      INSERT INTO decisions (item_id, draft_id, action, decided_by, created_at) VALUES (${a}, ${approved}, 'approve', 'ann', '2026-12-01T09:00:00.000Z');
      UPDATE stories SET status = 'approved' WHERE id = ${a};
    `);
    // A re-draft after the approval (before the issue went out: a sent story is never drafted again).
    await addDraft(s, a!, sampleDraft({ headline: 'Re-drafted after approval' }));
    await exec(`
      INSERT INTO issues (id, title, status, created_at, sent_at) VALUES (4, 'Four', 'sent', '2026-12-03T17:00:00.000Z', '2026-12-03T17:45:00.000Z');
      INSERT INTO issue_stories (issue_id, item_id, position, sent_draft_id) VALUES (4, ${a}, 1, ${approved});
      INSERT INTO coverage (item_id, story_id, reason, similarity, at) VALUES (${c}, ${a}, 'same_text', 0.9, '2026-12-01T08:00:00.000Z');
      UPDATE stories SET status = 'duplicate' WHERE id = ${c};
      UPDATE stories SET source_item_id = ${c} WHERE id = ${a};
    `);

    const cOwn = (await s.stories.get(c!))!;
    const story = (await s.stories.get(a!))!;
    expect(story).toMatchObject({
      status: 'approved',
      title: 'A',
      // The chosen outlet's link and names; the story's own item is listed with the other outlets.
      url: cOwn.url,
      feed: 'Three',
      sourceItemId: c,
      alsoCoveredBy: [{ id: a, title: 'A', feed: 'One', siteName: 'News Example', reason: null, similarity: null }],
      review: { decision: { storyId: a, versionId: approved, action: 'approve', by: 'ann', at: new Date('2026-12-01T09:00:00.000Z') }, approvedVersionId: approved, changedSinceApproval: true },
      sent: { issue: 4, at: new Date('2026-12-03T17:45:00.000Z') },
      duplicateOf: null,
    });
    expect(story.draft!.headline).toBe('Re-drafted after approval');
    expect(cOwn).toMatchObject({ status: 'duplicate', duplicateOf: { id: a, reason: 'same_text', similarity: 0.9 }, alsoCoveredBy: [] });
    expect((await s.stories.get(b!))!).toMatchObject({ sent: null, alsoCoveredBy: [], sourceItemId: null, feed: 'Two' });
  });
});
