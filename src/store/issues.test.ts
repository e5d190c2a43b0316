import { afterEach, beforeEach, expect, it } from 'vitest';
import pg from 'pg';
import type { Store } from './store.ts';
import { redraft, seedStories, tenStories } from '../../test/helpers/newsletter.ts';
import { probeDb } from '../../test/helpers/db.ts';
import { describeEachBackend, tempDatabase, type TempDatabase } from '../../test/helpers/stores.ts';

const NOW = new Date('2026-12-01T10:00:00.000Z');

/** Runs one statement (no parameters) beside the store, on its backend: for what the store does not show. */
async function beside(t: TempDatabase, text: string): Promise<unknown[]> {
  if (t.backend === 'sqlite') {
    const probe = probeDb(t.location);
    try {
      if (!/^\s*SELECT/i.test(text)) {
        probe.run(text);
        return [];
      }
      return probe.all(text);
    } finally {
      probe.close();
    }
  }
  const c = new pg.Client({ connectionString: t.location });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

const fail = (message: RegExp) => ({ ok: false, message: expect.stringMatching(message) });

describeEachBackend('issues in the store', (backend) => {
  let t: TempDatabase;
  let path: string;
  let ids: number[];
  let store: Store;
  beforeEach(async () => {
    t = await tempDatabase(backend);
    path = t.location;
    ids = await seedStories(path, tenStories().map((s, i) => (i === 1 ? { ...s, approved: false } : s)));
    store = await t.open();
  });
  afterEach(() => t.remove());

  it('refuses each change that would break an issue, changing nothing', async () => {
    const issues = store.issues;
    const created = await issues.create({ title: null, storyIds: [ids[0]!, ids[2]!], now: NOW });
    expect(created).toMatchObject({ ok: true, issue: { number: 1, storyIds: [ids[0], ids[2]] } });
    expect(await issues.create({ title: null, storyIds: [ids[1]!], now: NOW })).toEqual(fail(/not approved/));
    expect(await issues.add(1, [ids[3]!, ids[0]!])).toEqual(fail(/already in issue 1/));
    expect(await issues.add(1, [999])).toEqual(fail(/no story 999/));
    expect(await issues.add(7, [ids[3]!])).toEqual(fail(/no issue 7/));
    expect(await issues.move(1, ids[0]!, 3)).toEqual(fail(/from 1 to 2, got 3/));
    expect(await issues.move(1, ids[4]!, 1)).toEqual(fail(/not in issue 1/));
    expect(await issues.remove(1, ids[4]!)).toEqual(fail(/not in issue 1/));
    expect((await issues.get(1))!.storyIds).toEqual([ids[0], ids[2]]);
    expect((await issues.list()).map((i) => i.number)).toEqual([1]);
    await issues.create({ title: null, storyIds: [], now: NOW });
    expect(await issues.send(2, NOW)).toEqual(fail(/issue 2 has no stories/));
  });

  it('keeps positions 1..n through moves and removals', async () => {
    const issues = store.issues;
    await issues.create({ title: 'T', storyIds: [ids[0]!, ids[2]!, ids[3]!, ids[4]!], now: NOW });
    await issues.move(1, ids[4]!, 1);
    await issues.remove(1, ids[2]!);
    await issues.move(1, ids[0]!, 3);
    expect((await issues.get(1))!.storyIds).toEqual([ids[4], ids[3], ids[0]]);
    expect(await beside(t, 'SELECT position FROM issue_stories WHERE issue_id = 1 ORDER BY position')).toEqual([{ position: 1 }, { position: 2 }, { position: 3 }]);
  });

  it('a sent issue keeps the approved version, does not change, and a story goes out once', async () => {
    const issues = store.issues;
    await issues.create({ title: null, storyIds: [ids[0]!], now: NOW });
    await issues.create({ title: null, storyIds: [ids[0]!, ids[2]!], now: NOW });
    expect((await issues.currentDraft())!.number).toBe(2);
    const sent = await issues.send(1, NOW);
    expect(sent).toMatchObject({ ok: true, issue: { status: 'sent', sentAt: NOW } });
    const approvedHeadline = (await issues.withStories(1))!.stories[0]!.draft!.headline;

    // A sent story is final: no run drafts it again.
    await expect(redraft(path, ids[0]!, 'Re-drafted after sending')).rejects.toThrow(/could not claim/);
    expect((await issues.withStories(1))!.stories[0]!.draft!.headline).toBe(approvedHeadline);
    expect((await issues.feedStories({ since: null })).find((s) => s.id === ids[0])!.draft!.headline).toBe(approvedHeadline);

    expect(await issues.add(1, [ids[3]!])).toEqual(fail(/issue 1 was sent on 2026-12-01T10:00:00.000Z/));
    expect(await issues.move(1, ids[0]!, 1)).toEqual(fail(/a sent issue does not change/));
    expect(await issues.remove(1, ids[0]!)).toEqual(fail(/a sent issue does not change/));
    expect(await issues.send(2, NOW)).toEqual(fail(new RegExp(`story ${ids[0]} already went out in issue 1; remove it`)));
    expect((await issues.get(2))!.status).toBe('draft');
    expect((await issues.unsentApproved()).map((s) => s.id)).not.toContain(ids[0]);
    // The database itself refuses a second sent copy, whatever the code above it does.
    await expect(beside(t, `UPDATE issue_stories SET sent_draft_id = 1 WHERE issue_id = 2 AND item_id = ${ids[0]!}`)).rejects.toThrow(/unique/i);
  });

  it('feed stories are the approved and sent ones only, since a date', async () => {
    const issues = store.issues;
    const all = await issues.feedStories({ since: null });
    expect(all.map((s) => s.id)).not.toContain(ids[1]);
    expect(all).toHaveLength(9);
    const recent = await issues.feedStories({ since: new Date('2026-11-27T00:00:00Z') });
    expect(recent.map((s) => s.id)).toEqual([ids[9], ids[8], ids[7]]);
  });

  it('a feed shows the version the editors approved, not a re-draft made after approval', async () => {
    // An editor's approval pins the version it approved.
    await store.editorial.decide(ids[0]!, { action: 'approve', by: 'ann', now: NOW });
    const approvedHeadline = (await store.stories.get(ids[0]!))!.draft!.headline;
    await redraft(path, ids[0]!, 'Re-drafted after approval, not yet reviewed');
    expect((await store.stories.get(ids[0]!))!.draft!.headline).toBe('Re-drafted after approval, not yet reviewed');
    const shown = (await store.issues.feedStories({ since: null })).find((s) => s.id === ids[0])!;
    expect(shown.draft!.headline).toBe(approvedHeadline);
  });

  it('proposes approved stories at the version approved, not a re-draft made after approval', async () => {
    await store.editorial.decide(ids[0]!, { action: 'approve', by: 'ann', now: NOW });
    const approvedHeadline = (await store.stories.get(ids[0]!))!.draft!.headline;
    await redraft(path, ids[0]!, 'Re-drafted after approval, not yet reviewed');
    const proposed = (await store.issues.unsentApproved()).find((s) => s.id === ids[0])!;
    expect(proposed.draft!.headline).toBe(approvedHeadline);
  });
});
