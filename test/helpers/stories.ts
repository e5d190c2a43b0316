import type { Draft } from '../../src/core/types.ts';
import type { Store } from '../../src/store/index.ts';

/** What a seeded story is made of; anything left out gets a plain default. */
export interface SeedStory {
  title?: string;
  url?: string;
  feed?: string;
  text?: string;
  html?: string | null;
  draft?: Partial<Draft>;
  /** When the feed says it was published; default 2026-11-30 10:00 UTC, the seed's "now". */
  published?: Date;
}

const ARTICLE_TEXT =
  'Researchers at a university hospital used a machine learning model to read retinal scans.\n\n' +
  'The model found early signs of diabetic eye disease in 94 percent of cases that doctors later confirmed.\n\n' +
  'The team says the tool will be offered free to rural clinics next year.';

/** A draft as an engine would store it, with every takeaway quote taken from ARTICLE_TEXT. */
export function sampleDraft(over: Partial<Draft> = {}): Draft {
  return {
    engine: 'llm',
    model: 'test-model',
    promptId: 'draft-story-v1',
    promptHash: 'abcdef0123456789',
    headline: 'AI spots eye disease early in rural clinics',
    tldr: 'A model reading retinal scans caught diabetic eye disease early.',
    takeaways: [
      { text: 'The model caught most confirmed cases.', quote: 'found early signs of diabetic eye disease in 94 percent of cases', grounded: true, supported: true },
      { text: 'Rural clinics get it free.', quote: 'offered free to rural clinics next year', grounded: true, supported: true },
    ],
    deck: 'A screening model brings specialist-level checks to clinics without specialists',
    body: ['A model reading retinal scans found early signs of eye disease.', 'Rural clinics will get it free next year.'],
    whyItMatters: 'Early detection prevents blindness where specialists are scarce.',
    implications: ['Fewer patients lose their sight to late diagnosis.', 'Clinics without specialists can screen every visit.'],
    readerNote: null,
    unsupportedClaims: [],
    needsReview: false,
    category: 'Health',
    framing: { verdict: 'positive', score: 0.8, rationale: 'Concrete benefit, measured.', concerns: [], angle: 'Earlier diagnosis in clinics without specialists.', confidence: 0.8, recommendation: 'include' },
    inputTokens: 1200,
    outputTokens: 300,
    latencyMs: 900,
    inputTruncated: false,
    readingMinutes: 1,
    ...over,
  };
}

/** Runs `fn` as a run holding the lease, as the pipeline does when it stores a draft. */
async function asRun<T>(store: Store, fn: (runId: number) => Promise<T>): Promise<T> {
  const now = new Date();
  const lease = await store.runs.start({ pid: process.pid, host: 'test', now, expiresAt: new Date(now.getTime() + 600_000), isAlive: () => true });
  if (!lease.acquired) throw new Error('a run holds the lease');
  try {
    return await fn(lease.runId);
  } finally {
    await store.runs.finish(lease.runId, { status: 'completed', error: null, summary: {} }, new Date());
  }
}

/** Stores another draft of a story (a re-draft), through a run's claim as the pipeline does. */
export async function addDraft(store: Store, itemId: number, draft: Draft): Promise<number> {
  return asRun(store, async (runId) => {
    const now = new Date();
    const statuses = ['pending', 'failed', 'deferred', 'candidate', 'approved', 'rejected'] as const;
    if (!(await store.items.claim(itemId, runId, new Date(now.getTime() + 600_000), now, statuses))) throw new Error(`cannot claim ${itemId}`);
    const id = await store.drafts.save(itemId, runId, draft, now);
    if (id === null) throw new Error(`draft of ${itemId} not saved`);
    return id;
  });
}

let seeded = 0;

/**
 * Writes drafted stories into a real database through the Store, as a run would leave them: a
 * feed, an item, its extracted article and one draft each. Returns the story ids in order.
 */
export async function seedStories(store: Store, stories: SeedStory[]): Promise<number[]> {
  const now = new Date('2026-11-30T10:00:00.000Z');
  const feedNames = [...new Set(stories.map((s) => s.feed ?? 'Test Feed'))];
  const known = await store.feeds.active();
  const fresh = feedNames.filter((n) => !known.some((f) => f.name === n));
  await store.feeds.sync([...known.map((f) => ({ name: f.name, url: f.url })), ...fresh.map((name) => ({ name, url: `https://feeds.example/${encodeURIComponent(name)}.xml` }))], now);
  const feedIds = new Map((await store.feeds.active()).map((f) => [f.name, f.id]));
  const ids: number[] = [];
  for (const [i, s] of stories.entries()) {
    // Numbered per process, so a test's pages (and screenshots) are the same on every run.
    const url = s.url ?? `https://news.example/story-${++seeded}`;
    const { newIds } = await store.feeds.recordFetch(
      feedIds.get(s.feed ?? 'Test Feed')!,
      { status: 200, notModified: false, etag: null, lastModified: null, contentHash: `seed-${seeded}-${i}`, permanentUrl: null, nextCheckAt: now },
      [{ key: `${url}#${seeded}`, url, canonicalUrl: s.url ? null : url, title: s.title ?? `Story ${i + 1}`, published: (s.published ?? now).toISOString(), author: null, summary: null, content: null }],
      now,
    );
    const id = newIds[0]!;
    const text = s.text ?? ARTICLE_TEXT;
    await store.articles.save(
      id,
      {
        title: s.title ?? `Story ${i + 1}`,
        byline: null,
        siteName: 'News Example',
        publishedTime: now.toISOString(),
        lang: 'en',
        leadImage: null,
        text,
        html: s.html === undefined ? text.split('\n\n').map((p) => `<p>${p}</p>`).join('') : s.html,
        wordCount: text.split(/\s+/).length,
        readingMinutes: 1,
        method: 'readability',
        confidence: 0.9,
      },
      url,
      now,
    );
    await asRun(store, async (runId) => {
      await store.items.claim(id, runId, new Date(Date.now() + 600_000), new Date());
      await store.drafts.save(id, runId, sampleDraft(s.draft), now);
    });
    ids.push(id);
  }
  return ids;
}
