import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from './db.ts';
import { issueStore } from './issues.ts';
import { redraft, seedStories, tenStories } from '../../test/helpers/newsletter.ts';

let dir: string;
let path: string;
let ids: number[];
let db: Db;
const NOW = new Date('2026-12-01T10:00:00.000Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aiwins-issues-'));
  path = join(dir, 'a.db');
  ids = seedStories(path, tenStories().map((s, i) => (i === 1 ? { ...s, approved: false } : s)));
  db = openDb(path);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const fail = (message: RegExp) => ({ ok: false, message: expect.stringMatching(message) });

describe('issues in the store', () => {
  it('refuses each change that would break an issue, changing nothing', async () => {
    const issues = issueStore(db);
    const created = await issues.createIssue({ title: null, storyIds: [ids[0]!, ids[2]!], now: NOW });
    expect(created).toMatchObject({ ok: true, issue: { number: 1, storyIds: [ids[0], ids[2]] } });
    expect(await issues.createIssue({ title: null, storyIds: [ids[1]!], now: NOW })).toEqual(fail(/not approved/));
    expect(await issues.addToIssue(1, [ids[3]!, ids[0]!])).toEqual(fail(/already in issue 1/));
    expect(await issues.addToIssue(1, [999])).toEqual(fail(/no story 999/));
    expect(await issues.addToIssue(7, [ids[3]!])).toEqual(fail(/no issue 7/));
    expect(await issues.moveInIssue(1, ids[0]!, 3)).toEqual(fail(/from 1 to 2, got 3/));
    expect(await issues.moveInIssue(1, ids[4]!, 1)).toEqual(fail(/not in issue 1/));
    expect(await issues.removeFromIssue(1, ids[4]!)).toEqual(fail(/not in issue 1/));
    expect((await issues.getIssue(1))!.storyIds).toEqual([ids[0], ids[2]]);
    expect((await issues.listIssues()).map((i) => i.number)).toEqual([1]);
    await issues.createIssue({ title: null, storyIds: [], now: NOW });
    expect(await issues.sendIssue(2, NOW)).toEqual(fail(/issue 2 has no stories/));
  });

  it('keeps positions 1..n through moves and removals', async () => {
    const issues = issueStore(db);
    await issues.createIssue({ title: 'T', storyIds: [ids[0]!, ids[2]!, ids[3]!, ids[4]!], now: NOW });
    await issues.moveInIssue(1, ids[4]!, 1);
    await issues.removeFromIssue(1, ids[2]!);
    await issues.moveInIssue(1, ids[0]!, 3);
    expect((await issues.getIssue(1))!.storyIds).toEqual([ids[4], ids[3], ids[0]]);
    const positions = db.prepare('SELECT position FROM issue_stories WHERE issue_id = 1 ORDER BY position').all();
    expect(positions).toEqual([{ position: 1 }, { position: 2 }, { position: 3 }]);
  });

  it('a sent issue keeps the approved version, does not change, and a story goes out once', async () => {
    const issues = issueStore(db);
    await issues.createIssue({ title: null, storyIds: [ids[0]!], now: NOW });
    await issues.createIssue({ title: null, storyIds: [ids[0]!, ids[2]!], now: NOW });
    expect((await issues.currentDraftIssue())!.number).toBe(2);
    const sent = await issues.sendIssue(1, NOW);
    expect(sent).toMatchObject({ ok: true, issue: { status: 'sent', sentAt: NOW } });
    const approvedHeadline = (await issues.issueWithStories(1))!.stories[0]!.draft!.headline;

    redraft(path, ids[0]!, 'Re-drafted after sending');
    expect((await issues.issueWithStories(1))!.stories[0]!.draft!.headline).toBe(approvedHeadline);
    expect((await issues.feedStories({ since: null })).find((s) => s.id === ids[0])!.draft!.headline).toBe(approvedHeadline);

    expect(await issues.addToIssue(1, [ids[3]!])).toEqual(fail(/issue 1 was sent on 2026-12-01T10:00:00.000Z/));
    expect(await issues.moveInIssue(1, ids[0]!, 1)).toEqual(fail(/a sent issue does not change/));
    expect(await issues.removeFromIssue(1, ids[0]!)).toEqual(fail(/a sent issue does not change/));
    expect(await issues.sendIssue(2, NOW)).toEqual(fail(new RegExp(`story ${ids[0]} already went out in issue 1; remove it`)));
    expect((await issues.getIssue(2))!.status).toBe('draft');
    expect((await issues.unsentApprovedStories()).map((s) => s.id)).not.toContain(ids[0]);
    // The database itself refuses a second sent copy, whatever the code above it does.
    expect(() => db.prepare('UPDATE issue_stories SET sent_draft_id = 1 WHERE issue_id = 2 AND item_id = ?').run(ids[0])).toThrow(/UNIQUE/);
  });

  it('feed stories are the approved and sent ones only, since a date', async () => {
    const issues = issueStore(db);
    const all = await issues.feedStories({ since: null });
    expect(all.map((s) => s.id)).not.toContain(ids[1]);
    expect(all).toHaveLength(9);
    const recent = await issues.feedStories({ since: new Date('2026-11-27T00:00:00Z') });
    expect(recent.map((s) => s.id)).toEqual([ids[9], ids[8], ids[7]]);
  });
});
