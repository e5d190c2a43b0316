/**
 * A database holding drafted stories for the newsletter tests: made through the store's own
 * functions, with invented text (one story carries hostile markup in every field).
 */
import { openStore, type Store } from '../../src/store/index.ts';
import type { Draft } from '../../src/core/types.ts';

export const HOSTILE_HEADLINE = 'Robots <script>alert("x")</script> & "friends" win';

export interface SeedStory {
  title: string;
  url: string;
  published: string;
  category: string;
  headline?: string;
  approved?: boolean;
  /** Draft fields to use instead of the generated ones. */
  draft?: Partial<Draft>;
}

const T0 = '2026-11-20T09:00:00.000Z';

/** A draft as the pipeline would store it, with four takeaways. */
export function fixtureDraft(s: SeedStory, n: number): Draft {
  const headline = s.headline ?? `${s.title}: what changed`;
  return {
    engine: 'llm',
    model: 'test-model',
    promptId: 'draft-story-v1',
    promptHash: '0123456789abcdef',
    headline,
    // Lengths as a model writes them, so size checks measure a real issue.
    tldr: `In short: ${s.title} (${n}). A hospital network's screening tool found early cancers months sooner, and the team now plans to share it with rural clinics that lack specialists.`,
    takeaways: [1, 2, 3, 4].map((k) => ({
      text: `Takeaway ${k} of story ${n}: the two-year study of 12,000 patients found 30 percent more early-stage cancers <b>bold?</b>`,
      quote: `quote ${k} of story ${n}`,
      grounded: true,
      supported: true,
    })),
    deck: `Deck of story ${n}: earlier diagnosis, closer to home.`,
    body: [
      `Body of story ${n}, first paragraph: the screening tool reads routine scans and flags the ones a specialist should see first.`,
      `Body of story ${n}, second paragraph: clinics without a radiologist on site send the flagged scans on the same day.`,
    ],
    whyItMatters: `It matters because story ${n} shows AI helping people where it counts: earlier diagnosis means less invasive treatment and better survival, and sharing the tool with rural clinics spreads the benefit to patients who wait longest for a specialist's second look.`,
    implications: [`Implication 1 of story ${n}: shorter waits for a diagnosis`, `Implication 2 of story ${n}: rural clinics can screen more patients`],
    readerNote: `Reader note of story ${n}: the study is not yet peer reviewed.`,
    category: s.category,
    unsupportedClaims: [],
    framing: { verdict: 'positive', score: 0.8, rationale: 'constructive', concerns: [], angle: 'earlier diagnosis', confidence: 0.9, recommendation: 'include' },
    inputTokens: 1000,
    outputTokens: 200,
    latencyMs: 1200,
    inputTruncated: false,
    readingMinutes: 2,
    ...s.draft,
  };
}

/** Ten stories across three categories, a day apart, the newest last; all approved unless said. */
export function tenStories(): SeedStory[] {
  const cats = ['Health', 'Research', 'Climate'];
  return Array.from({ length: 10 }, (_, i) => ({
    title: `Story ${i + 1}`,
    url: `https://news.example/story-${i + 1}?utm_source=feed`,
    published: new Date(Date.parse(T0) + i * 86_400_000).toISOString(),
    category: cats[i % 3]!,
    ...(i === 4 ? { headline: HOSTILE_HEADLINE } : {}),
  }));
}

/** Approves a story's current version, as an editor does: a decision on record, which is what an issue and the feeds read. */
async function approve(store: Store, id: number): Promise<void> {
  await store.editorial.decide(id, { action: 'approve', by: 'seed', now: new Date(T0) });
}

const RUNNER = { pid: process.pid, host: 'test-host', isAlive: () => true };

/** Saves drafts as a run would: takes the lease, claims each item, stores its draft, finishes. */
async function saveDrafts(store: Store, drafts: { id: number; draft: Draft }[], now: Date): Promise<void> {
  const run = await store.runs.start({ ...RUNNER, now, expiresAt: new Date(now.getTime() + 600_000) });
  if (!run.acquired) throw new Error('test seed: the run lease is held');
  for (const { id, draft } of drafts) {
    const claimed = await store.items.claim(id, run.runId, new Date(now.getTime() + 600_000), now, ['pending', 'candidate', 'approved']);
    if (!claimed) throw new Error(`test seed: could not claim story ${id}`);
    if ((await store.drafts.save(id, run.runId, draft, now)) === null) throw new Error(`test seed: draft of ${id} not saved`);
  }
  await store.runs.finish(run.runId, { status: 'completed', error: null, summary: {} }, now);
}

/** Creates the database at `path` with these stories drafted; returns their ids in order. */
export async function seedStories(path: string, stories: SeedStory[], feedName = 'Example <News>'): Promise<number[]> {
  const store = await openStore(path);
  let ids: number[];
  try {
    await store.feeds.sync([{ name: feedName, url: 'https://news.example/feed.xml' }], new Date(T0));
    const feed = (await store.feeds.active())[0]!;
    const fetched = { status: 200, notModified: false, etag: null, lastModified: null, contentHash: null, permanentUrl: null, nextCheckAt: new Date(T0) };
    ({ newIds: ids } = await store.feeds.recordFetch(
      feed.id,
      fetched,
      stories.map((s, i) => ({
        key: `k${i}`,
        url: s.url,
        canonicalUrl: s.url.replace(/\?.*$/, ''),
        title: s.title,
        published: s.published,
        author: null,
        summary: null,
        content: null,
      })),
      new Date(T0),
    ));
    await saveDrafts(store, ids.map((id, i) => ({ id, draft: fixtureDraft(stories[i]!, i + 1) })), new Date(T0));
    for (const [i, id] of ids.entries()) {
      if (stories[i]!.approved !== false) await approve(store, id);
    }
  } finally {
    await store.close();
  }
  return ids;
}

/** Saves a new draft of a story (a re-draft after approval), as the pipeline would. */
export async function redraft(path: string, id: number, headline: string): Promise<void> {
  const store = await openStore(path);
  try {
    const story = (await store.stories.get(id))!;
    const d = fixtureDraft({ title: story.title ?? '', url: story.url ?? '', published: T0, category: story.draft!.category, headline }, id);
    await saveDrafts(store, [{ id, draft: d }], new Date(Date.parse(T0) + 3_600_000));
  } finally {
    await store.close();
  }
}
