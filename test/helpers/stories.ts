import type { Draft } from '../../src/core/types.ts';
import * as store from '../../src/store/index.ts';

/** What a seeded story is made of; anything left out gets a plain default. */
export interface SeedStory {
  title?: string;
  url?: string;
  feed?: string;
  text?: string;
  html?: string | null;
  draft?: Partial<Draft>;
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
      { text: 'The model caught most confirmed cases.', quote: 'found early signs of diabetic eye disease in 94 percent of cases', grounded: true },
      { text: 'Rural clinics get it free.', quote: 'offered free to rural clinics next year', grounded: true },
    ],
    whyItMatters: 'Early detection prevents blindness where specialists are scarce.',
    category: 'Health',
    framing: { verdict: 'positive', score: 0.8, rationale: 'Concrete benefit, measured.', concerns: [] },
    inputTokens: 1200,
    outputTokens: 300,
    latencyMs: 900,
    inputTruncated: false,
    readingMinutes: 1,
    ...over,
  };
}

/**
 * Writes drafted stories into a real database through the store, as a run would leave them:
 * a feed, an item, its extracted article and one draft each. Returns the story ids in order.
 */
let seeded = 0;

export function seedStories(db: store.Db, stories: SeedStory[]): number[] {
  const now = '2026-11-30T10:00:00.000Z';
  const feeds = [...new Set(stories.map((s) => s.feed ?? 'Test Feed'))];
  store.syncFeeds(db, feeds.map((name, i) => ({ name, url: `https://feeds.example/${i}.xml` })), now);
  const feedIds = new Map(store.allFeeds(db).map((f) => [f.name, f.id]));
  return stories.map((s, i) => {
    // Numbered per process, so a test's pages (and screenshots) are the same on every run.
    const url = s.url ?? `https://news.example/story-${++seeded}`;
    const [id] = store.insertNewItems(
      db,
      feedIds.get(s.feed ?? 'Test Feed')!,
      [{ key: url, url, canonicalUrl: url, title: s.title ?? `Story ${i + 1}`, published: now, author: null, summary: null, content: null }],
      now,
    );
    const text = s.text ?? ARTICLE_TEXT;
    store.saveArticle(
      db,
      id!,
      {
        title: s.title ?? `Story ${i + 1}`,
        byline: null,
        siteName: 'News Example',
        publishedTime: now,
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
    store.saveDraft(db, id!, null, sampleDraft(s.draft), now);
    return id!;
  });
}
