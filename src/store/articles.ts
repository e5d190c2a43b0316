import type { Article } from '../core/types.ts';
import { sql } from 'kysely';
import type { Connection } from './db.ts';
import type { Tx } from './sql.ts';
import { isoOf } from './values.ts';

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

interface ArticleRow {
  item_id: number;
  final_url: string | null;
  title: string | null;
  byline: string | null;
  site_name: string | null;
  published_time: string | null;
  lang: string | null;
  lead_image: string | null;
  text: string;
  html: string | null;
  word_count: number;
  reading_minutes: number;
  method: Article['method'];
  confidence: number;
  extracted_at: string;
}

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

/** TRANSITIONAL: articleOf for sqliteArticles, still on the synchronous Connection; goes when it is converted. */
function articleOfOn(db: Connection, itemId: number): StoredArticle | null {
  const r = db.get<ArticleRow>('SELECT * FROM articles WHERE item_id = ?', itemId);
  return r ? toArticle(r) : null;
}

export function sqliteArticles(db: Connection): ArticleStore {
  return {
    save: (itemId, a, finalUrl, now) =>
      db.write(() => {
        db.run(
          `INSERT OR REPLACE INTO articles (item_id, final_url, title, byline, site_name, published_time, lang,
             lead_image, text, html, word_count, reading_minutes, method, confidence, extracted_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          itemId,
          finalUrl,
          a.title,
          a.byline,
          a.siteName,
          a.publishedTime,
          a.lang,
          a.leadImage,
          a.text,
          a.html,
          a.wordCount,
          a.readingMinutes,
          a.method,
          a.confidence,
          isoOf(now),
        );
      }),
    get: (itemId) => db.read(() => articleOfOn(db, itemId)),
  };
}
