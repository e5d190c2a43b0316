/**
 * A database holding drafted stories for the newsletter tests: made through the store's own
 * functions, with invented text (one story carries hostile markup in every field).
 */
import { openDb, type Db } from '../../src/store/index.ts';
import * as store from '../../src/store/index.ts';
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
    })),
    whyItMatters: `It matters because story ${n} shows AI helping people where it counts: earlier diagnosis means less invasive treatment and better survival, and sharing the tool with rural clinics spreads the benefit to patients who wait longest for a specialist's second look.`,
    category: s.category,
    framing: { verdict: 'positive', score: 0.8, rationale: 'constructive', concerns: [] },
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

/** Marks a story approved. Editors' decisions will do this through the desk's store methods. */
function approve(db: Db, id: number): void {
  db.prepare(`UPDATE items SET status = 'approved' WHERE id = ?`).run(id);
}

/** Creates the database at `path` with these stories drafted; returns their ids in order. */
export function seedStories(path: string, stories: SeedStory[], feedName = 'Example <News>'): number[] {
  const db = openDb(path);
  try {
    store.syncFeeds(db, [{ name: feedName, url: 'https://news.example/feed.xml' }], T0);
    const feed = store.activeFeeds(db)[0]!;
    const ids = store.insertNewItems(
      db,
      feed.id,
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
      T0,
    );
    ids.forEach((id, i) => {
      store.saveDraft(db, id, null, fixtureDraft(stories[i]!, i + 1), T0);
      if (stories[i]!.approved !== false) approve(db, id);
    });
    return ids;
  } finally {
    db.close();
  }
}

/** Saves a new draft of a story (a re-draft after approval), as the pipeline would. */
export function redraft(path: string, id: number, headline: string): void {
  const db = openDb(path);
  try {
    const story = store.getStory(db, id)!;
    const d = fixtureDraft({ title: story.title ?? '', url: story.url ?? '', published: T0, category: story.draft!.category, headline }, id);
    store.saveDraft(db, id, null, d, T0);
  } finally {
    db.close();
  }
}
