import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as store from './index.ts';
import { sampleDraft, seedStories } from '../../test/helpers/stories.ts';

let dir: string;
let db: store.Db;
let editorial: store.EditorialStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aiwins-editorial-'));
  db = store.openDb(join(dir, 'a.db'));
  editorial = new store.EditorialStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const now = new Date('2026-12-01T09:00:00.000Z');

describe('versions and decisions', () => {
  it('an approval pins its version: a re-draft adds a version and leaves the approval on the old one', async () => {
    const [id] = seedStories(db, [{}]);
    const [v1] = await editorial.versions(id!);
    await editorial.decide(id!, { action: 'approve', by: 'ann', now });
    store.saveDraft(db, id!, null, sampleDraft({ headline: 'A different headline' }), now.toISOString());
    const story = store.getStory(db, id!)!;
    expect(story.status).toBe('approved');
    expect(story.review.approvedVersion).toBe(v1!.id);
    expect(story.review.changedSinceApproval).toBe(true);
    const versions = await editorial.versions(id!);
    expect(versions.map((v) => v.draft.headline)).toEqual(['AI spots eye disease early in rural clinics', 'A different headline']);
  });

  it('no version can be changed in place, approved or not', async () => {
    const [id] = seedStories(db, [{}]);
    await editorial.decide(id!, { action: 'approve', by: 'ann', now });
    expect(() => db.prepare(`UPDATE drafts SET headline = 'rewritten' WHERE item_id = ?`).run(id)).toThrow(/never changed/);
    expect(() => db.prepare('UPDATE decisions SET note = ?').run('x')).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM decisions').run()).toThrow(/append-only/);
  });

  it('status is the latest decision; reject needs a known reason code; snooze hides until its date', async () => {
    const [a, b] = seedStories(db, [{}, {}]);
    await expect(editorial.decide(a!, { action: 'reject', by: 'ann', now })).rejects.toThrow(/reason/);
    await expect(editorial.decide(a!, { action: 'reject', reason: 'boring' as store.ReasonCode, by: 'ann', now })).rejects.toThrow(/expected one of/);
    await editorial.decide(a!, { action: 'reject', reason: 'spin', note: 'hype', by: 'ann', now });
    expect(store.getStory(db, a!)!.status).toBe('rejected');
    await editorial.decide(a!, { action: 'reopen', by: 'bob', now });
    expect(store.getStory(db, a!)!.status).toBe('candidate');
    expect((await editorial.decisions(a!)).map((d) => [d.action, d.reason, d.by])).toEqual([
      ['reject', 'spin', 'ann'],
      ['reopen', null, 'bob'],
    ]);
    await editorial.decide(b!, { action: 'snooze', until: new Date('2026-12-03T00:00:00Z'), by: 'ann', now });
    expect((await editorial.queue({ now })).map((e) => e.id)).toEqual([a]);
    expect((await editorial.queue({ now: new Date('2026-12-04T00:00:00Z') })).map((e) => e.id).sort()).toEqual([a, b].sort());
    await expect(editorial.decide(999, { action: 'approve', by: 'ann', now })).rejects.toMatchObject({ code: 'unknown_story' });
  });

  it('an edit of a version that is no longer current is refused and nothing is saved', async () => {
    const [id] = seedStories(db, [{}]);
    const [v1] = await editorial.versions(id!);
    const edit = (headline: string) => ({ ...v1!.draft, headline });
    const first = await editorial.saveEdit(id!, v1!.id, edit('First editor'), 'ann', now);
    expect(first.ok).toBe(true);
    const second = await editorial.saveEdit(id!, v1!.id, edit('Second editor'), 'bob', now);
    expect(second).toMatchObject({ ok: false, current: { draft: { headline: 'First editor' }, editedBy: 'ann', origin: 'editor' } });
    expect((await editorial.versions(id!)).map((v) => v.draft.headline)).toEqual([
      'AI spots eye disease early in rural clinics',
      'First editor',
    ]);
  });

  it('the queue: clean candidates first, then flagged; filters and full-text search', async () => {
    const [flagged, clean, other] = seedStories(db, [
      { title: 'Flagged one', draft: { framing: { verdict: 'mixed', score: 0.2, rationale: 'r', concerns: [] } } },
      { title: 'Clean one', feed: 'Other Feed' },
      { title: 'Quantum batteries', text: 'A battery made with quantum tricks charges in seconds.', draft: { category: 'Science' } },
    ]);
    const q = await editorial.queue({ now });
    expect(q.map((e) => e.id)).toEqual([other, clean, flagged]);
    expect(q[2]!.flags).toEqual(['verdict mixed']);
    expect((await editorial.queue({ feed: 'Other Feed', now })).map((e) => e.id)).toEqual([clean]);
    expect((await editorial.queue({ category: 'Science', now })).map((e) => e.id)).toEqual([other]);
    expect((await editorial.queue({ verdict: 'mixed', now })).map((e) => e.id)).toEqual([flagged]);
    expect((await editorial.queue({ q: 'charges seconds', now })).map((e) => e.id)).toEqual([other]);
    // FTS syntax in what an editor types is just text.
    expect(await editorial.queue({ q: '"unbalanced AND (', now })).toEqual([]);
  });
});
