/**
 * Stored articles for the prompt workbench's tests, written through the Store as a run leaves
 * them (a feed, an item, its extracted article), optionally with a live draft.
 */
import type { Draft } from '../../src/core/types.ts';
import type { ReasonCode, Store } from '../../src/store/index.ts';

export interface SeedArticle {
  title: string;
  text: string;
  /** A live draft, stored through a run's claim as the pipeline does. */
  draft?: Draft;
}

const NOW = new Date('2026-11-30T10:00:00.000Z');

/** Stores the articles; returns their story ids in order. */
export async function seedArticles(store: Store, articles: SeedArticle[]): Promise<number[]> {
  await store.feeds.sync([{ name: 'Test Feed', url: 'https://feeds.example/test.xml' }], NOW);
  const [feed] = await store.feeds.active();
  const items = articles.map((a, i) => ({
    key: `story-${i + 1}`,
    url: `https://news.example/story-${i + 1}`,
    canonicalUrl: `https://news.example/story-${i + 1}`,
    title: a.title,
    // Oldest first, so "the newest N" is a known set.
    published: new Date(NOW.getTime() - (articles.length - i) * 3_600_000).toISOString(),
    author: null,
    summary: null,
    content: null,
  }));
  const fetched = { status: 200, notModified: false, etag: null, lastModified: null, contentHash: 'seed', permanentUrl: null, nextCheckAt: NOW };
  const { newIds } = await store.feeds.recordFetch(feed!.id, fetched, items, NOW);
  for (const [i, a] of articles.entries()) {
    const words = a.text.split(/\s+/).length;
    await store.articles.save(
      newIds[i]!,
      { title: a.title, byline: null, siteName: 'News', publishedTime: null, lang: 'en', leadImage: null, text: a.text, html: null, wordCount: words, readingMinutes: 1, method: 'readability', confidence: 0.9 },
      items[i]!.url,
      NOW,
    );
  }
  const withDrafts = articles.map((a, i) => [newIds[i]!, a.draft] as const).filter(([, d]) => d);
  if (withDrafts.length) {
    const lease = await store.runs.start({ pid: process.pid, host: 'test', now: NOW, expiresAt: new Date(NOW.getTime() + 600_000), isAlive: () => true });
    if (!lease.acquired) throw new Error('a run holds the lease');
    for (const [id, d] of withDrafts) {
      if (!(await store.items.claim(id, lease.runId, new Date(NOW.getTime() + 600_000), NOW, ['pending']))) throw new Error(`cannot claim ${id}`);
      await store.drafts.save(id, lease.runId, d!, NOW);
    }
    await store.runs.finish(lease.runId, { status: 'completed', error: null, summary: {} }, NOW);
  }
  return newIds;
}

/** Article texts whose sentences ground the test server's quotes. */
export function articleText(n: number): string {
  return [
    `Researchers at hospital number ${n} used a machine learning model to read retinal scans of patients.`,
    `The model found early signs of diabetic eye disease in most of the cases that doctors later confirmed.`,
    `The team says the tool will be offered to rural clinics across the region next year.`,
    `Doctors reviewed every case the model flagged before any patient was called back for treatment.`,
  ].join('\n\n');
}

/** Editors' decisions, made through the desk's store as an editor's clicks make them. */
export async function decide(store: Store, decisions: { itemId: number; action: 'approve' | 'reject' | 'reopen'; reason?: ReasonCode; at?: Date }[]): Promise<void> {
  for (const d of decisions) await store.editorial.decide(d.itemId, { action: d.action, reason: d.reason, by: 'editor', now: d.at ?? NOW });
}
