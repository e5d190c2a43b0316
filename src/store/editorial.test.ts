import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { type ReasonCode, type Store } from './index.ts';
import { sentRefusal, sentSentence, standingApproval } from './editorial.ts';
import { addDraft, sampleDraft, seedStories } from '../../test/helpers/stories.ts';
import { probeDb } from '../../test/helpers/db.ts';
import { describeEachBackend, tempDatabase, type TempDatabase } from '../../test/helpers/stores.ts';

/** Runs a statement on the test's database beside the store, as an editor's SQL shell would. */
async function runOutsideStore(t: TempDatabase, statement: string): Promise<void> {
  if (t.backend === 'sqlite') {
    const probe = probeDb(t.location);
    try {
      probe.run(statement);
    } finally {
      probe.close();
    }
    return;
  }
  const c = new pg.Client({ connectionString: t.location });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

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

describeEachBackend('versions and decisions', (backend) => {
  let t: TempDatabase;
  let store: Store;
  beforeEach(async () => {
    t = await tempDatabase(backend);
    store = await t.open();
  });
  afterEach(() => t.remove());
  /** A story's status, as the queue shows it. */
  const statusOf = async (id: number) => (await store.editorial.queue({ status: 'all', now })).entries.find((e) => e.id === id)?.status;

  it('an approval pins its version: a re-draft adds a version and leaves the approval on the old one', async () => {
    const [id] = await seedStories(store, [{}]);
    const [v1] = await store.editorial.versions(id!);
    await store.editorial.decide(id!, { action: 'approve', by: 'ann', now });
    await addDraft(store, id!, sampleDraft({ headline: 'A different headline' }));
    expect(await statusOf(id!)).toBe('approved');
    expect(await store.editorial.review(id!)).toMatchObject({ approvedVersionId: v1!.id, changedSinceApproval: true });
    const versions = await store.editorial.versions(id!);
    expect(versions.map((v) => v.draft.headline)).toEqual(['AI spots eye disease early in rural clinics', 'A different headline']);
  });

  it('no version can be changed in place, approved or not; decisions are append-only', async () => {
    const [id] = await seedStories(store, [{}]);
    await store.editorial.decide(id!, { action: 'approve', by: 'ann', now });
    await expect(runOutsideStore(t, `UPDATE drafts SET headline = 'rewritten' WHERE item_id = ${id}`)).rejects.toThrow(/never changed/);
    await expect(runOutsideStore(t, `UPDATE decisions SET note = 'x'`)).rejects.toThrow(/append-only/);
    await expect(runOutsideStore(t, 'DELETE FROM decisions')).rejects.toThrow(/append-only/);
  });

  it('status is the latest decision; reject needs a known reason code; snooze hides until its date', async () => {
    const [a, b] = await seedStories(store, [{}, {}]);
    await expect(store.editorial.decide(a!, { action: 'reject', by: 'ann', now })).rejects.toThrow(/reason/);
    await expect(store.editorial.decide(a!, { action: 'reject', reason: 'boring' as ReasonCode, by: 'ann', now })).rejects.toThrow(/expected one of/);
    await store.editorial.decide(a!, { action: 'reject', reason: 'spin', note: 'hype', by: 'ann', now });
    expect(await statusOf(a!)).toBe('rejected');
    await store.editorial.decide(a!, { action: 'reopen', by: 'bob', now });
    expect(await statusOf(a!)).toBe('candidate');
    expect((await store.editorial.decisions(a!)).map((d) => [d.action, d.reason, d.by])).toEqual([
      ['reject', 'spin', 'ann'],
      ['reopen', null, 'bob'],
    ]);
    await store.editorial.decide(b!, { action: 'snooze', until: new Date('2026-12-03T00:00:00Z'), by: 'ann', now });
    expect((await store.editorial.queue({ now })).entries.map((e) => e.id)).toEqual([a]);
    expect((await store.editorial.queue({ now: new Date('2026-12-04T00:00:00Z') })).entries.map((e) => e.id).sort()).toEqual([a, b].sort());
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
    const { entries: q } = await store.editorial.queue({ now });
    expect(q.map((e) => e.id)).toEqual([other, clean, flagged]);
    expect(q[2]!.flags).toEqual(['verdict mixed']);
    expect((await store.editorial.queue({ feed: 'Other Feed', now })).entries.map((e) => e.id)).toEqual([clean]);
    expect((await store.editorial.queue({ category: 'Science', now })).entries.map((e) => e.id)).toEqual([other]);
    expect((await store.editorial.queue({ verdict: 'mixed', now })).entries.map((e) => e.id)).toEqual([flagged]);
    expect((await store.editorial.queue({ q: 'charges seconds', now })).entries.map((e) => e.id)).toEqual([other]);
    // FTS syntax in what an editor types is just text.
    expect(await store.editorial.queue({ q: '"unbalanced AND (', now })).toEqual({ entries: [], next: null, prev: null, total: 0, totalCapped: false });
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
    const q = (await store.editorial.queue({ now })).entries.filter((e) => ids.includes(e.id));
    const byTitle = Object.fromEntries(q.map((e) => [e.title, e]));
    expect(byTitle.Clean!.flags).toEqual([]);
    expect(byTitle['With a note']!).toMatchObject({ flags: [], recommendation: 'include_with_note' });
    expect(byTitle.Uncertain!.flags).toEqual(['verdict uncertain', 'recommends skip']);
    expect(byTitle.Skip!).toMatchObject({ flags: ['recommends skip'], recommendation: 'skip' });
    expect(byTitle.Claims!.flags).toEqual(['needs review', '1 ungrounded quote', '1 unsupported takeaway', '2 unsupported claims']);
    // Clean candidates first, then the flagged ones, each group newest first.
    expect(q.map((e) => e.title)).toEqual(['With a note', 'Clean', 'Claims', 'Skip', 'Uncertain']);
  });

  it("an editor's judgement stands over the model's framing in the queue, its filter and facets; labels and per-feed counts follow the latest decision", async () => {
    const [a, b, c] = await seedStories(store, [{ title: 'A' }, { title: 'B', feed: 'Second Feed' }, { title: 'C' }]);
    const [v1] = await store.editorial.versions(a!);
    const saved = await store.editorial.saveEdit(a!, v1!.id, { ...v1!.draft, headline: 'Edited', judgement: { verdict: 'mixed', recommendation: 'include_with_note' } }, 'ann', now);
    expect(saved).toMatchObject({ ok: true, version: { origin: 'editor', editedBy: 'ann', basedOn: v1!.id, draft: { headline: 'Edited', judgement: { verdict: 'mixed', by: 'ann' } } } });
    const entryOfA = (await store.editorial.queue({ now })).entries.find((e) => e.id === a)!;
    expect(entryOfA).toMatchObject({ headline: 'Edited', verdict: 'mixed', recommendation: 'include_with_note', judgedBy: 'ann', flags: ['verdict mixed'] });
    expect((await store.editorial.queue({ verdict: 'mixed', now })).entries.map((e) => e.id)).toEqual([a]);
    expect((await store.editorial.queue({ verdict: 'positive', now })).entries.map((e) => e.id).sort()).toEqual([b, c].sort());
    expect(await store.editorial.queueFacets()).toEqual({ feeds: ['Second Feed', 'Test Feed'], categories: ['Health'], engines: ['llm'], verdicts: ['mixed', 'positive'] });

    await store.editorial.decide(a!, { action: 'approve', by: 'ann', now });
    await store.editorial.decide(b!, { action: 'reject', reason: 'spin', by: 'ann', now });
    await store.editorial.decide(c!, { action: 'approve', by: 'ann', now });
    await store.editorial.decide(c!, { action: 'reopen', by: 'bob', now });
    await store.editorial.decide(b!, { action: 'snooze', until: new Date('2026-12-05T00:00:00Z'), by: 'bob', now: new Date('2026-12-02T00:00:00Z') });
    const labels = await store.editorial.labels();
    expect(labels.map((l) => [l.storyId, l.decision, l.reason, l.approved?.headline ?? null])).toEqual([
      [a, 'approve', null, 'Edited'],
      [b, 'reject', 'spin', null],
    ]);
    expect((await store.editorial.labels({ ids: [b!] })).map((l) => l.storyId)).toEqual([b]);
    expect(await store.editorial.labels({ ids: [] })).toEqual([]);
    expect(await store.editorial.labels({ decidedSince: new Date('2026-12-02T00:00:00Z') })).toEqual([]);
    const feeds = new Map((await store.feeds.active()).map((f) => [f.name, f.id]));
    expect(await store.editorial.decisionsByFeed()).toEqual(
      new Map([
        [feeds.get('Test Feed')!, { approved: 1, rejected: 0 }],
        [feeds.get('Second Feed')!, { approved: 0, rejected: 1 }],
      ]),
    );
    expect(await store.editorial.review(a!)).toMatchObject({ decision: { action: 'approve' }, approvedVersionId: saved.ok ? saved.version.id : -1, changedSinceApproval: false });
    expect(await store.editorial.review(c!)).toMatchObject({ decision: { action: 'reopen', by: 'bob' }, approvedVersionId: null, changedSinceApproval: false });
  });
});

describeEachBackend('the queue in pages', (backend) => {
  let t: TempDatabase;
  let store: Store;
  beforeEach(async () => {
    t = await tempDatabase(backend);
    store = await t.open();
  });
  afterEach(() => t.remove());

  const mixed = { verdict: 'mixed' as const, score: 0.2, rationale: 'r', concerns: [], angle: null, confidence: 0.5, recommendation: 'include_with_note' as const };
  /** 120 stories over two feeds, a minute apart, every third one flagged, some at the very same minute (the id breaks the tie). */
  const seed120 = () =>
    seedStories(
      store,
      Array.from({ length: 120 }, (_, i) => ({
        title: `Story ${i}`,
        feed: i % 2 ? 'Odd Feed' : 'Even Feed',
        published: new Date(Date.UTC(2026, 10, 1, 0, Math.floor(i / 4) * 4)),
        ...(i % 3 === 0 && { draft: { framing: mixed } }),
      })),
    );
  const ids = (p: { entries: { id: number }[] }) => p.entries.map((e) => e.id);
  /** Every page from the first, following `next`. */
  async function allPages(f: Parameters<Store['editorial']['queue']>[0] = {}) {
    const pages = [await store.editorial.queue({ now, ...f })];
    while (pages.at(-1)!.next) pages.push(await store.editorial.queue({ now, ...f, after: pages.at(-1)!.next! }));
    return pages;
  }

  it('pages of 50 in queue order, no story twice and none left out; back again with prev; a count of all', async () => {
    await seed120();
    const whole = await store.editorial.queue({ now, limit: 500 });
    expect(whole.entries).toHaveLength(120);
    // Clean first, then flagged, each newest first, then by id.
    const flaggedAt = whole.entries.map((e) => e.flags.length > 0);
    expect(flaggedAt.indexOf(true)).toBe(80);
    expect(flaggedAt.slice(80).every(Boolean)).toBe(true);

    const pages = await allPages();
    expect(pages.map((p) => p.entries.length)).toEqual([50, 50, 20]);
    expect(pages.flatMap(ids)).toEqual(ids(whole));
    expect(pages.map((p) => p.total)).toEqual([120, 120, 120]);
    expect(pages[0]!.prev).toBeNull();
    expect(pages[2]!.next).toBeNull();

    const back2 = await store.editorial.queue({ now, before: pages[2]!.prev! });
    expect(ids(back2)).toEqual(ids(pages[1]!));
    expect(back2.next).toBe(pages[1]!.next);
    const back1 = await store.editorial.queue({ now, before: back2.prev! });
    expect(ids(back1)).toEqual(ids(pages[0]!));
    expect(back1.prev).toBeNull();
  });

  it('a story that arrives between two page loads neither repeats a story nor hides one', async () => {
    await seed120();
    const first = await store.editorial.queue({ now });
    const expectedSecond = ids(await store.editorial.queue({ now, after: first.next! }));
    const [fresh] = await seedStories(store, [{ title: 'Just in', published: new Date('2026-11-02T00:00:00Z') }]);
    const second = await store.editorial.queue({ now, after: first.next! });
    expect(ids(second)).toEqual(expectedSecond);
    expect(second.total).toBe(121);
    // The newcomer is on the first page, where a reload shows it.
    expect(ids(await store.editorial.queue({ now }))[0]).toBe(fresh);
  });

  it('filters and search hold on every page; decided and snoozed stories leave page and count', async () => {
    const seeded = await seed120();
    await store.editorial.decide(seeded[1]!, { action: 'approve', by: 'ann', now });
    await store.editorial.decide(seeded[3]!, { action: 'snooze', until: new Date('2026-12-09T00:00:00Z'), by: 'ann', now });
    const odd = (await store.editorial.queue({ now, feed: 'Odd Feed', limit: 500 })).entries;
    expect(odd.every((e) => e.feed === 'Odd Feed')).toBe(true);
    expect(odd).toHaveLength(58);
    const pages = await allPages({ feed: 'Odd Feed', limit: 25 });
    expect(pages.map((p) => p.entries.length)).toEqual([25, 25, 8]);
    expect(pages.flatMap(ids)).toEqual(odd.map((e) => e.id));
    expect(pages[1]!.total).toBe(58);
    const found = await allPages({ q: 'Story', verdict: 'mixed', limit: 15 });
    // Every third story is mixed: 40, less the one snoozed.
    expect(found.map((p) => p.entries.length)).toEqual([15, 15, 9]);
    expect(found.flatMap((p) => p.entries).every((e) => e.verdict === 'mixed')).toBe(true);
    expect(found[0]!.total).toBe(39);
    expect((await store.editorial.queue({ now, status: 'all' })).total).toBe(120);
  });

  it('the count stops at its cap and says there are more', async () => {
    await seed120();
    expect(await store.editorial.queue({ now, countUpTo: 100 })).toMatchObject({ total: 100, totalCapped: true });
    expect(await store.editorial.queue({ now, countUpTo: 120 })).toMatchObject({ total: 120, totalCapped: false });
    expect(await store.editorial.queue({ now, q: 'Story', countUpTo: 119 })).toMatchObject({ total: 119, totalCapped: true });
  });

  it("the database's grouping is reviewFlags': each reason alone puts a story among the flagged, an editor's positive verdict clears the model's", async () => {
    const positive = { verdict: 'positive' as const, score: 0.8, rationale: 'r', concerns: [], angle: 'a', confidence: 0.8, recommendation: 'include' as const };
    const grounded = { text: 'Early signs.', quote: 'found early signs of diabetic eye disease', grounded: true, supported: true };
    const ids = await seedStories(store, [
      { title: 'clean', draft: { framing: positive, takeaways: [grounded] } },
      { title: 'needs review', draft: { framing: positive, needsReview: true } },
      { title: 'uncertain', draft: { framing: { ...positive, verdict: 'uncertain' } } },
      { title: 'skip', draft: { framing: { ...positive, recommendation: 'skip' } } },
      { title: 'ungrounded', draft: { framing: positive, takeaways: [grounded, { ...grounded, grounded: false, supported: false }] } },
      { title: 'unsupported takeaway', draft: { framing: positive, takeaways: [{ ...grounded, supported: false }] } },
      { title: 'claim', draft: { framing: positive, unsupportedClaims: [{ field: 'tldr', claim: '300' }] } },
      { title: 'judged positive', draft: { framing: { ...positive, verdict: 'mixed' } } },
    ]);
    const [v] = await store.editorial.versions(ids[7]!);
    await store.editorial.saveEdit(ids[7]!, v!.id, { ...v!.draft, judgement: { verdict: 'positive', recommendation: 'include' } }, 'ann', now);
    // One story a page, so each page's group comes from the database alone.
    const order = (await allPages({ limit: 1 })).flatMap((p) => p.entries.map((e) => [e.title, e.flags.length > 0]));
    expect(order).toEqual([
      ['judged positive', false],
      ['clean', false],
      ['claim', true],
      ['unsupported takeaway', true],
      ['ungrounded', true],
      ['skip', true],
      ['uncertain', true],
      ['needs review', true],
    ]);
  });

  it('a page link that is not one the queue made is refused, never read as SQL', async () => {
    await seed120();
    const { next } = await store.editorial.queue({ now });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of ['x', '!!!', next!.slice(0, -3), b64([0, "2026-11-01' OR 1=1 --", 5]), b64([2, '2026-11-01T00:00:00.000Z', 5]), b64([0, '2026-11-01T00:00:00.000Z', -1]), b64({ id: 1 }), 'A'.repeat(500)]) {
      await expect(store.editorial.queue({ now, after: bad })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/page link is not valid/) });
      await expect(store.editorial.queue({ now, before: bad })).rejects.toMatchObject({ code: 'invalid' });
    }
  });
});

describeEachBackend('queue search: the same words find the same stories on both backends', (backend) => {
  let t: TempDatabase;
  let store: Store;
  let ids: Record<'retina' | 'battery' | 'reversed' | 'redrafted', number>;
  beforeEach(async () => {
    t = await tempDatabase(backend);
    store = await t.open();
    const [retina, battery, reversed, redrafted] = await seedStories(store, [
      { title: 'GPT-4o reads retinal scans', text: 'An ophthalmologist in Zürich said the doctors "don\'t" trust it yet.' },
      { title: 'Battery news', text: 'Built with GPT 4o at a café.' },
      { title: 'Reversed', text: 'First 4o, then GPT.' },
      { title: 'Redrafted', draft: { headline: 'An old zebra headline' } },
    ]);
    ids = { retina: retina!, battery: battery!, reversed: reversed!, redrafted: redrafted! };
    await addDraft(store, redrafted!, sampleDraft({ headline: 'A new giraffe headline' }));
  });
  afterEach(() => t.remove());

  const search = async (q: string) => (await store.editorial.queue({ q, now })).entries.map((e) => e.id).sort((x, y) => x - y);
  const of = (...names: (keyof typeof ids)[]) => names.map((n) => ids[n]).sort((x, y) => x - y);

  it('every word must occur, in the title, the newest version or the article text', async () => {
    expect(await search('ophthalmologist')).toEqual(of('retina'));
    expect(await search('retinal ophthalmologist')).toEqual(of('retina'));
    expect(await search('ophthalmologist battery')).toEqual([]);
    expect(await search('battery')).toEqual(of('battery'));
    expect(await search('giraffe')).toEqual(of('redrafted'));
    // Only the newest version is searched: an older one's words find nothing.
    expect(await search('zebra')).toEqual([]);
  });

  it('a word of several tokens is a phrase: its tokens adjacent and in order', async () => {
    expect(await search('GPT-4o')).toEqual(of('retina', 'battery'));
    expect(await search('gpt 4o')).toEqual(of('retina', 'battery', 'reversed'));
    expect(await search("don't")).toEqual(of('retina'));
    expect(await search('dont')).toEqual([]);
  });

  it('case and diacritics are ignored', async () => {
    expect(await search('zurich')).toEqual(of('retina'));
    expect(await search('ZÜRICH')).toEqual(of('retina'));
    expect(await search('Cafe')).toEqual(of('battery'));
    expect(await search('café')).toEqual(of('battery'));
  });

  it('quotes and search syntax are text; a word without letters or digits is ignored beside others, and alone finds nothing', async () => {
    expect(await search('"don\'t"')).toEqual(of('retina'));
    expect(await search('ophthalmologist "')).toEqual(of('retina'));
    expect(await search('"')).toEqual([]);
    expect(await search('* - ( ) ^ : & | ! <->')).toEqual([]);
    expect(await search('ophthalmologist & !zurich')).toEqual(of('retina'));
    expect(await search("'ophthalmologist':*")).toEqual(of('retina'));
    expect(await search('   ')).toHaveLength(4);
  });
});
