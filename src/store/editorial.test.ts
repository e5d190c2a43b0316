import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type ReasonCode, type Store } from './index.ts';
import { sentRefusal, sentSentence, standingApproval } from './editorial.ts';
import { addDraft, sampleDraft, seedStories } from '../../test/helpers/stories.ts';
import { probeDb } from '../../test/helpers/db.ts';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aiwins-editorial-'));
  store = await openStore(join(dir, 'a.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const now = new Date('2026-12-01T09:00:00.000Z');

describe('standingApproval: the version that goes out', () => {
  const d = (action: 'approve' | 'reject' | 'reopen' | 'snooze', versionId: number | null = 1) => ({ action, versionId });
  it('is the latest approve, whatever snoozes follow it', () => {
    expect(standingApproval([])).toBeNull();
    expect(standingApproval([d('approve', 1)])).toBe(1);
    expect(standingApproval([d('approve', 1), d('snooze', 2)])).toBe(1);
    expect(standingApproval([d('approve', 1), d('approve', 3), d('snooze', 3), d('snooze', 4)])).toBe(3);
    // An editor may approve an older version than one approved before: the latest approve counts.
    expect(standingApproval([d('approve', 3), d('approve', 1)])).toBe(1);
  });
  it('a later reject or reopen withdraws it; only a new approve brings one back', () => {
    expect(standingApproval([d('approve', 1), d('reject')])).toBeNull();
    expect(standingApproval([d('approve', 1), d('reopen')])).toBeNull();
    expect(standingApproval([d('approve', 1), d('reopen'), d('snooze', 2)])).toBeNull();
    expect(standingApproval([d('approve', 1), d('reject'), d('approve', 2), d('snooze', 5)])).toBe(2);
    expect(standingApproval([d('snooze', 1), d('reject')])).toBeNull();
  });
  it('the sentence of a sent story names the issue and its date', () => {
    const sent = { issue: 4, at: new Date('2026-12-03T17:45:12.000Z') };
    expect(sentSentence(sent)).toBe('Sent in issue 4 on 2026-12-03 17:45 UTC');
    expect(sentRefusal(sent)).toMatch(/^Sent in issue 4 on 2026-12-03 17:45 UTC: /);
  });
});

describe('versions and decisions', () => {
  it('an approval pins its version: a re-draft adds a version and leaves the approval on the old one', async () => {
    const [id] = await seedStories(store, [{}]);
    const [v1] = await store.editorial.versions(id!);
    await store.editorial.decide(id!, { action: 'approve', by: 'ann', now });
    await addDraft(store, id!, sampleDraft({ headline: 'A different headline' }));
    const story = (await store.stories.get(id!))!;
    expect(story.status).toBe('approved');
    expect(story.review.approvedVersionId).toBe(v1!.id);
    expect(story.review.changedSinceApproval).toBe(true);
    const versions = await store.editorial.versions(id!);
    expect(versions.map((v) => v.draft.headline)).toEqual(['AI spots eye disease early in rural clinics', 'A different headline']);
  });

  it('no version can be changed in place, approved or not; decisions are append-only', async () => {
    const [id] = await seedStories(store, [{}]);
    await store.editorial.decide(id!, { action: 'approve', by: 'ann', now });
    const probe = probeDb(join(dir, 'a.db'));
    try {
      expect(() => probe.run(`UPDATE drafts SET headline = 'rewritten' WHERE item_id = ?`, id)).toThrow(/never changed/);
      expect(() => probe.run('UPDATE decisions SET note = ?', 'x')).toThrow(/append-only/);
      expect(() => probe.run('DELETE FROM decisions')).toThrow(/append-only/);
    } finally {
      probe.close();
    }
  });

  it('status is the latest decision; reject needs a known reason code; snooze hides until its date', async () => {
    const [a, b] = await seedStories(store, [{}, {}]);
    await expect(store.editorial.decide(a!, { action: 'reject', by: 'ann', now })).rejects.toThrow(/reason/);
    await expect(store.editorial.decide(a!, { action: 'reject', reason: 'boring' as ReasonCode, by: 'ann', now })).rejects.toThrow(/expected one of/);
    await store.editorial.decide(a!, { action: 'reject', reason: 'spin', note: 'hype', by: 'ann', now });
    expect((await store.stories.get(a!))!.status).toBe('rejected');
    await store.editorial.decide(a!, { action: 'reopen', by: 'bob', now });
    expect((await store.stories.get(a!))!.status).toBe('candidate');
    expect((await store.editorial.decisions(a!)).map((d) => [d.action, d.reason, d.by])).toEqual([
      ['reject', 'spin', 'ann'],
      ['reopen', null, 'bob'],
    ]);
    await store.editorial.decide(b!, { action: 'snooze', until: new Date('2026-12-03T00:00:00Z'), by: 'ann', now });
    expect((await store.editorial.queue({ now })).map((e) => e.id)).toEqual([a]);
    expect((await store.editorial.queue({ now: new Date('2026-12-04T00:00:00Z') })).map((e) => e.id).sort()).toEqual([a, b].sort());
    await expect(store.editorial.decide(999, { action: 'approve', by: 'ann', now })).rejects.toMatchObject({ code: 'unknown_story' });
  });

  it('an edit of a version that is no longer current is refused and nothing is saved', async () => {
    const [id] = await seedStories(store, [{}]);
    const [v1] = await store.editorial.versions(id!);
    const edit = (headline: string) => ({ ...v1!.draft, headline });
    const first = await store.editorial.saveEdit(id!, v1!.id, edit('First editor'), 'ann', now);
    expect(first.ok).toBe(true);
    const second = await store.editorial.saveEdit(id!, v1!.id, edit('Second editor'), 'bob', now);
    expect(second).toMatchObject({ ok: false, current: { draft: { headline: 'First editor', origin: 'editor', editedBy: 'ann' }, editedBy: 'ann', origin: 'editor' } });
    expect((await store.editorial.versions(id!)).map((v) => v.draft.headline)).toEqual(['AI spots eye disease early in rural clinics', 'First editor']);
  });

  it('the queue: clean candidates first, then flagged; filters and full-text search', async () => {
    const [flagged, clean, other] = await seedStories(store, [
      { title: 'Flagged one', draft: { framing: { verdict: 'mixed', score: 0.2, rationale: 'r', concerns: [], angle: null, confidence: 0.5, recommendation: 'include_with_note' } } },
      { title: 'Clean one', feed: 'Other Feed' },
      { title: 'Quantum batteries', text: 'A battery made with quantum tricks charges in seconds.', draft: { category: 'Science' } },
    ]);
    const q = await store.editorial.queue({ now });
    expect(q.map((e) => e.id)).toEqual([other, clean, flagged]);
    expect(q[2]!.flags).toEqual(['verdict mixed']);
    expect((await store.editorial.queue({ feed: 'Other Feed', now })).map((e) => e.id)).toEqual([clean]);
    expect((await store.editorial.queue({ category: 'Science', now })).map((e) => e.id)).toEqual([other]);
    expect((await store.editorial.queue({ verdict: 'mixed', now })).map((e) => e.id)).toEqual([flagged]);
    expect((await store.editorial.queue({ q: 'charges seconds', now })).map((e) => e.id)).toEqual([other]);
    // FTS syntax in what an editor types is just text.
    expect(await store.editorial.queue({ q: '"unbalanced AND (', now })).toEqual([]);
  });

  it('flagged: uncertain verdicts, skip recommendations, unsupported claims and takeaways, ungrounded quotes, failed checks', async () => {
    const positive = { verdict: 'positive' as const, score: 0.8, rationale: 'r', concerns: [], angle: 'a', confidence: 0.8 };
    const ids = await seedStories(store, [
      { title: 'Clean', draft: { framing: { ...positive, recommendation: 'include' } } },
      { title: 'Uncertain', draft: { framing: { ...positive, verdict: 'uncertain', score: 0.5, recommendation: 'skip' } } },
      { title: 'Skip', draft: { framing: { ...positive, recommendation: 'skip' } } },
      {
        title: 'Claims',
        draft: {
          needsReview: true,
          unsupportedClaims: [{ field: 'tldr', claim: '300' }, { field: 'deck', claim: 'Stanford' }],
          takeaways: [
            { text: 'It caught 99 percent.', quote: 'found early signs of diabetic eye disease in 94 percent of cases', grounded: true, supported: false },
            { text: 'Made up.', quote: 'nobody wrote this', grounded: false, supported: false },
          ],
        },
      },
      { title: 'With a note', draft: { readerNote: 'One trial.', framing: { ...positive, recommendation: 'include_with_note' } } },
    ]);
    const q = (await store.editorial.queue({ now })).filter((e) => ids.includes(e.id));
    const byTitle = Object.fromEntries(q.map((e) => [e.title, e]));
    expect(byTitle.Clean!.flags).toEqual([]);
    expect(byTitle['With a note']!).toMatchObject({ flags: [], recommendation: 'include_with_note' });
    expect(byTitle.Uncertain!.flags).toEqual(['verdict uncertain', 'recommends skip']);
    expect(byTitle.Skip!).toMatchObject({ flags: ['recommends skip'], recommendation: 'skip' });
    expect(byTitle.Claims!.flags).toEqual(['needs review', '1 ungrounded quote', '1 unsupported takeaway', '2 unsupported claims']);
    // Clean candidates first, then the flagged ones, each group newest first.
    expect(q.map((e) => e.title)).toEqual(['With a note', 'Clean', 'Claims', 'Skip', 'Uncertain']);
  });
});
