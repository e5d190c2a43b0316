import type { Article } from '../core/types.ts';
import { sql, type Selectable } from 'kysely';
import type { Db, Tx } from './sql.ts';
import { isoOf } from './values.ts';
import type { ArticlesTable } from './schema.ts';

/** An item's extracted article as stored: the article, where it was fetched from and when. */
export interface StoredArticle extends Article {
  itemId: number;
  /** The page's URL after redirects; null when the article came from the feed itself. */
  finalUrl: string | null;
  extractedAt: Date;
}

/** The articles table: one extracted article per item, kept so a retry never refetches the page. */
export interface ArticleStore {
  /** Stores (or replaces) the extracted article of an item. */
  save(itemId: number, article: Article, finalUrl: string | null, now: Date): Promise<void>;
  get(itemId: number): Promise<StoredArticle | null>;
}

type ArticleRow = Selectable<ArticlesTable> & { method: Article['method'] };

const toArticle = (a: ArticleRow): StoredArticle => ({
  itemId: a.item_id,
  finalUrl: a.final_url,
  title: a.title,
  byline: a.byline,
  siteName: a.site_name,
  publishedTime: a.published_time,
  lang: a.lang,
  leadImage: a.lead_image,
  text: a.text,
  html: a.html,
  wordCount: a.word_count,
  readingMinutes: a.reading_minutes,
  method: a.method,
  confidence: a.confidence,
  extractedAt: new Date(a.extracted_at),
});

/** Reads an item's article inside the caller's transaction. */
export async function articleOf(tx: Tx, itemId: number): Promise<StoredArticle | null> {
  const r = await tx.get<ArticleRow>(sql`SELECT * FROM articles WHERE item_id = ${itemId}`);
  return r ? toArticle(r) : null;
}

export function articleStore(db: Db): ArticleStore {
  return {
    save: (itemId, a, finalUrl, now) =>
      db.write(async (tx) => {
        // Delete and insert, not an upsert: SQLite's search index takes an article's text from a
        // trigger on INSERT into articles only, so a re-extracted article updated in place would
        // leave the story searchable by its old text. (PostgreSQL's fires on update too.)
        await tx.run(sql`DELETE FROM articles WHERE item_id = ${itemId}`);
        await tx.run(
          tx.k.insertInto('articles').values({
            item_id: itemId,
            final_url: finalUrl,
            title: a.title,
            byline: a.byline,
            site_name: a.siteName,
            published_time: a.publishedTime,
            lang: a.lang,
            lead_image: a.leadImage,
            text: a.text,
            html: a.html,
            word_count: a.wordCount,
            reading_minutes: a.readingMinutes,
            method: a.method,
            confidence: a.confidence,
            extracted_at: isoOf(now),
          }),
        );
      }),
    get: (itemId) => db.read((tx) => articleOf(tx, itemId)),
  };
}
