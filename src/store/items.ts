import type { Db } from './db.ts';
import type { Failure } from '../core/failure.ts';
import type { Article } from '../core/types.ts';

/** Pipeline states an item can be in before editors see it. */
export const WORK_STATUSES = ['pending', 'failed', 'deferred', 'blocked'] as const;
/** Review states of a drafted item. */
export const REVIEW_STATUSES = ['candidate', 'approved', 'rejected'] as const;
export type ItemStatus = (typeof WORK_STATUSES)[number] | (typeof REVIEW_STATUSES)[number];

export interface ItemRow {
  id: number;
  feed_id: number;
  item_key: string;
  url: string | null;
  canonical_url: string | null;
  title: string | null;
  published_at: string | null;
  author: string | null;
  summary: string | null;
  feed_content: string | null;
  status: ItemStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_error_kind: string | null;
  last_error_message: string | null;
  last_error_raw: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
  discovered_at: string;
  updated_at: string;
}

export interface NewItem {
  key: string;
  url: string | null;
  canonicalUrl: string | null;
  title: string | null;
  published: string | null;
  author: string | null;
  summary: string | null;
  content: string | null;
}

/** Inserts the items not seen before; returns the ids of the new rows (re-runs insert nothing). */
export function insertNewItems(db: Db, feedId: number, items: readonly NewItem[], now: string): number[] {
  const insert = db.prepare(
    `INSERT INTO items (feed_id, item_key, url, canonical_url, title, published_at, author, summary,
       feed_content, status, discovered_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
     ON CONFLICT DO NOTHING`,
  );
  const ids: number[] = [];
  for (const it of items) {
    const r = insert.run(feedId, it.key, it.url, it.canonicalUrl, it.title, it.published, it.author, it.summary, it.content, now, now);
    if (r.changes === 1) ids.push(Number(r.lastInsertRowid));
  }
  return ids;
}

/** Items that need work now: new ones, and failed or deferred ones whose back-off is over. */
export function dueItemIds(db: Db, opts: { now: string; maxAttempts: number; retryFailed: boolean }): number[] {
  const rows = db
    .prepare(
      `SELECT id FROM items
       WHERE (claimed_until IS NULL OR claimed_until < @now)
         AND (status = 'pending'
           OR (status = 'deferred' AND (@retry = 1 OR next_attempt_at IS NULL OR next_attempt_at <= @now))
           OR (status = 'failed' AND (@retry = 1 OR (attempts < @max AND (next_attempt_at IS NULL OR next_attempt_at <= @now)))))
       ORDER BY id`,
    )
    .all({ now: opts.now, max: opts.maxAttempts, retry: opts.retryFailed ? 1 : 0 }) as { id: number }[];
  return rows.map((r) => r.id);
}

/**
 * Claims an item for this run until `until`, so a concurrent or later run never works on it twice.
 * Returns the row when claimed, null when someone else holds it or it no longer needs work.
 */
export function claimItem(db: Db, id: number, owner: string, until: string, now: string): ItemRow | null {
  const r = db
    .prepare(
      `UPDATE items SET claimed_by = ?, claimed_until = ?, updated_at = ?
       WHERE id = ? AND (claimed_until IS NULL OR claimed_until < ?)
         AND status IN ('pending', 'failed', 'deferred')`,
    )
    .run(owner, until, now, id, now);
  if (r.changes !== 1) return null;
  return getItem(db, id);
}

/** Extends the claims a run holds (its heartbeat). */
export function extendClaims(db: Db, owner: string, until: string): void {
  db.prepare('UPDATE items SET claimed_until = ? WHERE claimed_by = ?').run(until, owner);
}

/** Drops one item's claim, leaving its status as it was. */
export function releaseClaim(db: Db, id: number): void {
  db.prepare('UPDATE items SET claimed_by = NULL, claimed_until = NULL WHERE id = ?').run(id);
}

/** Drops every claim a run holds, e.g. when it stops early. */
export function releaseClaims(db: Db, owner: string): void {
  db.prepare('UPDATE items SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?').run(owner);
}

export function getItem(db: Db, id: number): ItemRow | null {
  return (db.prepare('SELECT * FROM items WHERE id = ?').get(id) as ItemRow | undefined) ?? null;
}

export type FailureDisposition = 'failed' | 'deferred' | 'blocked';

/**
 * Records why an item is not drafted. A failure counts as an attempt and backs off; a deferral
 * (rate limited) waits without counting; a blocked item is not retried.
 */
export function recordItemFailure(
  db: Db,
  id: number,
  failure: Failure,
  disposition: FailureDisposition,
  nextAttemptAt: string | null,
  now: string,
): void {
  db.prepare(
    `UPDATE items SET status = ?, attempts = attempts + ?, next_attempt_at = ?, last_error_kind = ?,
       last_error_message = ?, last_error_raw = ?, claimed_by = NULL, claimed_until = NULL, updated_at = ?
     WHERE id = ?`,
  ).run(
    disposition,
    disposition === 'deferred' ? 0 : 1,
    nextAttemptAt,
    failure.kind,
    failure.message,
    failure.raw ?? null,
    now,
    id,
  );
}

export interface ArticleRow {
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
  method: string;
  confidence: number;
  extracted_at: string;
}

/** Stores (or replaces) the extracted article of an item. */
export function saveArticle(db: Db, itemId: number, a: Article, finalUrl: string | null, now: string): void {
  db.prepare(
    `INSERT OR REPLACE INTO articles (item_id, final_url, title, byline, site_name, published_time, lang,
       lead_image, text, html, word_count, reading_minutes, method, confidence, extracted_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
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
    now,
  );
}

export function getArticle(db: Db, itemId: number): ArticleRow | null {
  return (db.prepare('SELECT * FROM articles WHERE item_id = ?').get(itemId) as ArticleRow | undefined) ?? null;
}
