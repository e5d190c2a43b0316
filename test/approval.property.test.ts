/**
 * "Nothing goes out that an editor did not approve": random sequences of the editors' actions
 * (approve, reject, reopen, snooze, edit, re-draft, split off, make primary) and of `issue add`
 * and `issue send` over a few stories, through the store on a real SQLite file. After every step,
 * each text that goes out (the feed, `export --status approved`, the draft issue's preview, every
 * sent issue) must be the version named by the story's standing approval: the latest approve no
 * later reject or reopen withdrew. A sent story's decision is final: every action that would
 * change it is refused. The model below restates that rule on its own, so the store is checked
 * against it rather than against itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EditorialError, type Store, type Story } from '../src/store/index.ts';
import { issueDocument, renderExport } from '../src/export/index.ts';
import { ConfigSchema } from '../src/config/schema.ts';
import { addDraft, sampleDraft, seedStories } from './helpers/stories.ts';
import { seededRandom } from './helpers/random.ts';
import { BACKENDS, tempDatabase, type TempDatabase } from './helpers/stores.ts';

const NL = ConfigSchema.shape.newsletter.parse({ name: 'AI Wins', siteUrl: 'https://aiwins.example/' });
const UNTIL = new Date('2030-01-01T00:00:00.000Z');

/** What the test believes of one story (or split-off copy). */
interface Model {
  id: number;
  /** Its versions, oldest first, with the headline each carries (unique across the test). */
  versions: { id: number; headline: string }[];
  /** The version the standing approval names; null when there is none. */
  standing: number | null;
  /** The issue it went out in, and the version sent. */
  sent: { issue: number; version: number } | null;
  /** For a story: its copy while still attached; for a copy: the story it is attached to. */
  copy: number | null;
  copyOf: number | null;
}

let db: TempDatabase;
let store: Store;

/** Attaches a fresh item to `storyId` as another outlet's copy, as a run's coverage step does. */
async function attachCopy(storyId: number, key: string, now: Date): Promise<number> {
  const feed = (await store.feeds.active())[0]!;
  const fetched = { status: 200, notModified: false, etag: null, lastModified: null, contentHash: `copy-${key}`, permanentUrl: null, nextCheckAt: now };
  const url = `https://other.example/${key}`;
  const [id] = (await store.feeds.recordFetch(feed.id, fetched, [{ key: url, url, canonicalUrl: url, title: `Copy ${key}`, published: now.toISOString(), author: null, summary: null, content: null }], now)).newIds;
  expect(await store.items.claim(id!, 999, new Date(now.getTime() + 60_000), now)).not.toBeNull();
  const r = await store.coverage.signOrAttach({ itemId: id!, runId: 999, signature: {}, bands: [], since: now, now }, () => ({ storyId, reason: 'same_text', similarity: 0.95 }));
  expect(r).toMatchObject({ attached: { storyId } });
  return id!;
}

async function runSequence(seed: number, steps: number): Promise<void> {
  const rand = seededRandom(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let clock = Date.parse('2026-12-01T09:00:00.000Z');
  const now = () => new Date((clock += 60_000));
  let headlines = 0;
  const nextHeadline = (id: number) => `Headline ${++headlines} of story ${id}`;

  const seeded = await seedStories(store, [0, 1, 2].map((i) => ({ title: `Story ${i}`, draft: { headline: `Seeded headline ${i}` } })));
  const models = new Map<number, Model>();
  for (const [i, id] of seeded.entries()) {
    const [v] = await store.editorial.versions(id);
    models.set(id, { id, versions: [{ id: v!.id, headline: `Seeded headline ${i}` }], standing: null, sent: null, copy: null, copyOf: null });
  }
  for (const id of seeded) {
    const copy = await attachCopy(id, `c${id}`, now());
    models.set(copy, { id: copy, versions: [], standing: null, sent: null, copy: null, copyOf: id });
    models.get(id)!.copy = copy;
  }
  /** The draft issue being filled, as the model knows it. */
  let draft: { number: number; storyIds: number[] } | null = null;
  const sentIssues = new Map<number, number[]>();
  const log: string[] = [];

  /** A decision-changing action on a sent story is refused with the sentence naming the issue. */
  const expectSentRefusal = async (m: Model, act: () => Promise<unknown>) => {
    const err = await act().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, `story ${m.id} was sent in issue ${m.sent!.issue}; the action should be refused`).toBeInstanceOf(EditorialError);
    expect((err as EditorialError).code).toBe('sent');
    expect((err as Error).message).toMatch(new RegExp(`^Sent in issue ${m.sent!.issue} on \\d{4}-\\d{2}-\\d{2}`));
  };

  const actions: Record<string, () => Promise<void>> = {
    approve: async () => {
      const m = pick([...models.values()]);
      if (m.sent) return expectSentRefusal(m, () => store.editorial.decide(m.id, { action: 'approve', by: 'ann', now: now() }));
      if (m.versions.length === 0) return void (await expect(store.editorial.decide(m.id, { action: 'approve', by: 'ann', now: now() })).rejects.toMatchObject({ code: 'no_draft' }));
      // Sometimes an older version (the form names the version the editor saw).
      const v = rand() < 0.3 ? pick(m.versions) : m.versions[m.versions.length - 1]!;
      await store.editorial.decide(m.id, { action: 'approve', versionId: v.id, by: 'ann', now: now() });
      m.standing = v.id;
    },
    reject: async () => {
      const m = pick([...models.values()]);
      const d = { action: 'reject' as const, reason: 'spin' as const, by: 'ann', now: now() };
      if (m.sent) return expectSentRefusal(m, () => store.editorial.decide(m.id, d));
      if (m.versions.length === 0) return void (await expect(store.editorial.decide(m.id, d)).rejects.toMatchObject({ code: 'no_draft' }));
      await store.editorial.decide(m.id, d);
      m.standing = null;
    },
    reopen: async () => {
      const m = pick([...models.values()]);
      const d = { action: 'reopen' as const, by: 'ann', now: now() };
      if (m.sent) return expectSentRefusal(m, () => store.editorial.decide(m.id, d));
      if (m.versions.length === 0) return void (await expect(store.editorial.decide(m.id, d)).rejects.toMatchObject({ code: 'no_draft' }));
      await store.editorial.decide(m.id, d);
      m.standing = null;
    },
    snooze: async () => {
      const m = pick([...models.values()]);
      const d = { action: 'snooze' as const, until: UNTIL, by: 'ann', now: now() };
      if (m.sent) return expectSentRefusal(m, () => store.editorial.decide(m.id, d));
      if (m.versions.length === 0) return void (await expect(store.editorial.decide(m.id, d)).rejects.toMatchObject({ code: 'no_draft' }));
      // Snoozing changes nothing about which version goes out.
      await store.editorial.decide(m.id, d);
    },
    edit: async () => {
      const m = pick([...models.values()].filter((x) => x.versions.length > 0));
      const current = (await store.editorial.versions(m.id)).at(-1)!;
      const headline = nextHeadline(m.id);
      const save = () => store.editorial.saveEdit(m.id, current.id, { ...current.draft, headline }, 'ann', now());
      if (m.sent) return expectSentRefusal(m, save);
      const r = await save();
      if (!r.ok) throw new Error('the edit was based on the current version');
      m.versions.push({ id: r.version.id, headline });
    },
    redraft: async () => {
      const m = pick([...models.values()].filter((x) => x.copyOf === null || x.copyOf === -1));
      const headline = nextHeadline(m.id);
      const add = () => addDraft(store, m.id, sampleDraft({ headline }));
      // A sent story is not drafted again: the run cannot claim it.
      if (m.sent) return void (await expect(add()).rejects.toThrow(/cannot claim/));
      const id = await add();
      m.versions.push({ id, headline });
    },
    splitOff: async () => {
      const story = pick([...models.values()].filter((x) => x.copy !== null));
      if (!story) return;
      const copy = models.get(story.copy!)!;
      // A sent story's outlets are final, as its text is.
      if (story.sent) return expectSentRefusal(story, () => store.coverage.split(story.id, copy.id, 'ann', now()));
      expect(await store.coverage.split(story.id, copy.id, 'ann', now())).toBe(true);
      story.copy = null;
      // Split off, the copy becomes a story of its own (-1: no longer anyone's copy), drafted by a later run.
      copy.copyOf = -1;
    },
    makePrimary: async () => {
      const story = pick([...models.values()].filter((x) => x.copyOf === null));
      const outlet = story.copy !== null && rand() < 0.7 ? story.copy : story.id;
      if (story.sent) return expectSentRefusal(story, () => store.coverage.chooseSource(story.id, outlet, 'ann', now()));
      expect(await store.coverage.chooseSource(story.id, outlet, 'ann', now())).toBe(true);
    },
    issueAdd: async () => {
      if (!draft) {
        const created = await store.issues.create({ title: null, storyIds: [], now: now() });
        if (!created.ok) throw new Error(created.message);
        draft = { number: created.issue.number, storyIds: [] };
      }
      const m = pick([...models.values()]);
      const change = await store.issues.add(draft.number, [m.id]);
      const allowed = m.standing !== null && m.sent === null && !draft.storyIds.includes(m.id);
      expect(change.ok, `issue add ${m.id}: ${change.ok ? 'added' : change.message}`).toBe(allowed);
      if (allowed) draft.storyIds.push(m.id);
    },
    issueRemove: async () => {
      if (!draft || draft.storyIds.length === 0) return;
      const id = pick(draft.storyIds);
      expect((await store.issues.remove(draft.number, id)).ok).toBe(true);
      draft.storyIds = draft.storyIds.filter((x) => x !== id);
    },
    issueSend: async () => {
      if (!draft) return;
      const d: { number: number; storyIds: number[] } = draft;
      const change = await store.issues.send(d.number, now());
      const allowed = d.storyIds.length > 0 && d.storyIds.every((id) => models.get(id)!.standing !== null);
      expect(change.ok, `issue send ${d.number}: ${change.ok ? 'sent' : change.message}`).toBe(allowed);
      if (!allowed) return;
      for (const id of d.storyIds) {
        const m = models.get(id)!;
        m.sent = { issue: d.number, version: m.standing! };
      }
      sentIssues.set(d.number, d.storyIds);
      draft = null;
    },
  };
  // Weighted: editors decide more often than they send.
  const weighted = Object.entries({ approve: 5, reject: 2, reopen: 2, snooze: 3, edit: 4, redraft: 2, splitOff: 1, makePrimary: 2, issueAdd: 4, issueRemove: 1, issueSend: 1 }).flatMap(([k, w]) => Array<string>(w).fill(k));

  const allHeadlines = () => [...models.values()].flatMap((m) => m.versions.map((v) => v.headline));
  const headlineOf = (versionId: number) => [...models.values()].flatMap((m) => m.versions).find((v) => v.id === versionId)!.headline;
  /** The rendered text holds the headline of each allowed version and of no other version. */
  const onlyThese = (text: string, allowed: number[], where: string) => {
    const ok = new Set(allowed.map(headlineOf));
    for (const h of allHeadlines()) expect(text.includes(h), `${where}: "${h}" ${ok.has(h) ? 'missing' : 'was not approved (or no longer is)'}`).toBe(ok.has(h));
  };
  const shown = (stories: Story[]) => stories.map((s) => [s.id, s.draft?.id ?? null]);

  const check = async (where: string) => {
    const public_ = [...models.values()].filter((m) => m.standing !== null).sort((a, b) => a.id - b.id);
    // The feed and `export --status approved`: every story with a standing approval, at that version.
    const feed = await store.issues.feedStories({ since: null });
    expect(shown(feed).sort((a, b) => a[0]! - b[0]!), `${where}: feed`).toEqual(public_.map((m) => [m.id, m.standing]));
    const rss = renderExport('rss', null, { number: null, title: null, date: null, stories: feed }, NL);
    if (!rss.ok) throw new Error(rss.failure.message);
    onlyThese(rss.value, public_.map((m) => m.standing!), `${where}: rss`);
    // What a new issue would propose: the approved stories not sent yet, at the approved version.
    const unsent = await store.issues.unsentApproved();
    expect(shown(unsent).sort((a, b) => a[0]! - b[0]!), `${where}: unsent`).toEqual(public_.filter((m) => !m.sent).map((m) => [m.id, m.standing]));
    // The draft issue's preview (and `issue send`'s input): only its stories still approved, as approved.
    if (draft) {
      const full = (await store.issues.withStories(draft.number))!;
      const doc = issueDocument(full, full.stories);
      const standing = draft.storyIds.map((id) => models.get(id)!).filter((m) => m.standing !== null);
      expect(shown(doc.stories), `${where}: preview of issue ${draft.number}`).toEqual(standing.map((m) => [m.id, m.standing]));
      const html = renderExport('html', full, doc, NL);
      if (!html.ok) throw new Error(html.failure.message);
      onlyThese(html.value, standing.map((m) => m.standing!), `${where}: preview of issue ${draft.number}`);
    }
    // Every sent issue: the versions it sent, which are still the standing approvals.
    for (const [n, ids] of sentIssues) {
      const full = (await store.issues.withStories(n))!;
      const versions = ids.map((id) => models.get(id)!.sent!.version);
      expect(shown(full.stories), `${where}: sent issue ${n}`).toEqual(ids.map((id, i) => [id, versions[i]]));
      expect(ids.map((id) => models.get(id)!.standing), `${where}: sent issue ${n} still approved`).toEqual(versions);
      const md = renderExport('markdown', full, issueDocument(full, full.stories), NL);
      if (!md.ok) throw new Error(md.failure.message);
      onlyThese(md.value, versions, `${where}: sent issue ${n}`);
    }
    // Each story says whether it went out, and where.
    for (const m of models.values()) {
      expect((await store.stories.get(m.id))!.sent?.issue ?? null, `${where}: story ${m.id} sent`).toBe(m.sent?.issue ?? null);
    }
  };

  try {
    for (let step = 1; step <= steps; step++) {
      const name = pick(weighted);
      log.push(name);
      await actions[name]!();
      await check(`step ${step} (${name})`);
    }
  } catch (err) {
    (err as Error).message = `seed ${seed}, after ${log.join(' > ')}:\n${(err as Error).message}`;
    throw err;
  }
  // The sequence did reach the states worth checking.
  expect(sentIssues.size, `seed ${seed}: no issue was sent`).toBeGreaterThan(0);
  expect(log.filter((a) => a === 'snooze').length).toBeGreaterThan(0);
}

for (const backend of BACKENDS) {
  describe(`on ${backend}`, () => {
    beforeEach(async () => {
      db = await tempDatabase(backend);
      store = await db.open();
    });
    afterEach(() => db.remove());

    describe('what goes out is what an editor approved', () => {
      // PostgreSQL runs one seed: each step is a few transactions, a round trip each (about six
      // times SQLite's time), and the rules it checks are the same SQL on both backends.
      for (const seed of backend === 'sqlite' ? [20261207, 42, 7] : [20261207]) {
        it(`holds over 250 random steps (seed ${seed})`, async () => {
          await runSequence(seed, 250);
        });
      }

      it('the reproduction: approve, edit the headline, snooze; every output keeps the approved text', async () => {
        const [id] = await seedStories(store, [{ title: 'Eye scans', draft: { headline: 'APPROVED headline' } }]);
        await store.editorial.decide(id!, { action: 'approve', by: 'ann', now: new Date('2026-12-01T09:00:00Z') });
        const current = (await store.editorial.versions(id!)).at(-1)!;
        const saved = await store.editorial.saveEdit(id!, current.id, { ...current.draft, headline: 'EDITED headline, not approved' }, 'ann', new Date('2026-12-01T09:01:00Z'));
        expect(saved.ok).toBe(true);
        await store.editorial.decide(id!, { action: 'snooze', until: UNTIL, by: 'ann', now: new Date('2026-12-01T09:02:00Z') });

        const feed = await store.issues.feedStories({ since: null });
        expect(feed.map((s) => s.draft!.headline)).toEqual(['APPROVED headline']);
        expect((await store.issues.unsentApproved()).map((s) => s.draft!.headline)).toEqual(['APPROVED headline']);
        const created = await store.issues.create({ title: null, storyIds: [id!], now: new Date('2026-12-01T09:03:00Z') });
        expect(created.ok).toBe(true);
        expect((await store.issues.withStories(1))!.stories.map((s) => s.draft!.headline)).toEqual(['APPROVED headline']);
        expect((await store.issues.send(1, new Date('2026-12-01T09:04:00Z'))).ok).toBe(true);
        expect((await store.issues.withStories(1))!.stories.map((s) => s.draft!.headline)).toEqual(['APPROVED headline']);
        // The story page's review state names the approved version, not the edit.
        expect((await store.stories.get(id!))!.review).toMatchObject({ approvedVersionId: current.id, changedSinceApproval: true });
      });
    });
  });
}
