import type { Db } from './db.ts';
import type { Failure } from '../core/failure.ts';

/** A feed row as stored, with the operator-facing status of its last fetch. */
export interface FeedRow {
  id: number;
  url: string;
  name: string;
  category: string | null;
  active: number;
  title: string | null;
  site_url: string | null;
  etag: string | null;
  last_modified: string | null;
  content_hash: string | null;
  last_fetch_at: string | null;
  last_status: number | null;
  last_result: string | null;
  last_error_kind: string | null;
  last_error_message: string | null;
  error_count: number;
  next_check_at: string | null;
  permanent_url: string | null;
  created_at: string;
  gone_at: string | null;
}

/** Makes the feeds table match the config: new feeds added, names updated, removed ones deactivated. */
export function syncFeeds(db: Db, feeds: readonly { name: string; url: string; category?: string }[], now: string): void {
  const upsert = db.prepare(
    `INSERT INTO feeds (url, name, category, active, created_at) VALUES (?, ?, ?, 1, ?)
     ON CONFLICT (url) DO UPDATE SET name = excluded.name, category = excluded.category, active = 1`,
  );
  db.prepare('UPDATE feeds SET active = 0').run();
  for (const f of feeds) upsert.run(f.url, f.name, f.category ?? null, now);
}

/** Active feeds that are not gone, due or not. */
export function activeFeeds(db: Db): FeedRow[] {
  return db.prepare('SELECT * FROM feeds WHERE active = 1 AND gone_at IS NULL ORDER BY id').all() as FeedRow[];
}

export function allFeeds(db: Db): FeedRow[] {
  return db.prepare('SELECT * FROM feeds ORDER BY active DESC, id').all() as FeedRow[];
}

export interface FeedSuccess {
  status: number;
  notModified: boolean;
  etag: string | null;
  lastModified: string | null;
  contentHash: string | null;
  title?: string | null;
  siteUrl?: string | null;
  permanentUrl: string | null;
  nextCheckAt: string | null;
}

/** Records a successful fetch (200 or 304): validators kept, error counter reset. */
export function recordFeedSuccess(db: Db, feedId: number, r: FeedSuccess, now: string): void {
  db.prepare(
    `UPDATE feeds SET last_fetch_at = @now, last_status = @status, last_result = @result,
       etag = COALESCE(@etag, etag), last_modified = COALESCE(@lastModified, last_modified),
       content_hash = COALESCE(@contentHash, content_hash),
       title = COALESCE(@title, title), site_url = COALESCE(@siteUrl, site_url),
       permanent_url = @permanentUrl, next_check_at = @nextCheckAt, gone_at = NULL,
       last_error_kind = NULL, last_error_message = NULL, error_count = 0
     WHERE id = @feedId`,
  ).run({
    now,
    feedId,
    status: r.status,
    result: r.notModified ? 'not_modified' : 'ok',
    etag: r.etag,
    lastModified: r.lastModified,
    contentHash: r.contentHash,
    title: r.title ?? null,
    siteUrl: r.siteUrl ?? null,
    permanentUrl: r.permanentUrl,
    nextCheckAt: r.nextCheckAt,
  });
}

/**
 * Records a failed fetch or parse on the feed, counting consecutive errors. A 410 Gone marks
 * the feed gone: it is not polled again until its URL changes in the config.
 */
export function recordFeedFailure(db: Db, feedId: number, failure: Failure, now: string, nextCheckAt: string | null): void {
  db.prepare(
    `UPDATE feeds SET last_fetch_at = ?, last_status = ?, last_result = 'error', last_error_kind = ?,
       last_error_message = ?, error_count = error_count + 1, next_check_at = ?,
       gone_at = CASE WHEN ? = 'fetch.gone' THEN ? ELSE gone_at END
     WHERE id = ?`,
  ).run(now, failure.status ?? null, failure.kind, failure.message, nextCheckAt, failure.kind, now, feedId);
}

/** Active feeds whose next check is due (never checked, or next_check_at passed), and not gone. */
export function dueFeeds(db: Db, now: string): FeedRow[] {
  return db
    .prepare(
      `SELECT * FROM feeds WHERE active = 1 AND gone_at IS NULL AND (next_check_at IS NULL OR next_check_at <= ?) ORDER BY id`,
    )
    .all(now) as FeedRow[];
}

/** A feed's status as `aiwins feeds` shows it. */
export interface FeedStatus {
  id: number;
  name: string;
  url: string;
  active: boolean;
  lastFetchAt: string | null;
  lastStatus: number | null;
  lastResult: string | null;
  nextCheckAt: string | null;
  error: { kind: string; message: string; count: number } | null;
  movedTo: string | null;
  goneAt: string | null;
  items: { seen: number; drafted: number; pending: number; failed: number };
}

export function feedStatuses(db: Db): FeedStatus[] {
  const counts = db.prepare(
    `SELECT COUNT(*) AS seen,
       SUM(status IN ('candidate', 'approved', 'rejected')) AS drafted,
       SUM(status = 'pending') AS pending,
       SUM(status IN ('failed', 'deferred', 'blocked')) AS failed
     FROM items WHERE feed_id = ?`,
  );
  return allFeeds(db).map((f) => {
    const c = counts.get(f.id) as { seen: number; drafted: number | null; pending: number | null; failed: number | null };
    return {
      id: f.id,
      name: f.name,
      url: f.url,
      active: f.active === 1,
      lastFetchAt: f.last_fetch_at,
      lastStatus: f.last_status,
      lastResult: f.last_result,
      nextCheckAt: f.next_check_at,
      error: f.last_error_kind
        ? { kind: f.last_error_kind, message: f.last_error_message ?? '', count: f.error_count }
        : null,
      movedTo: f.permanent_url,
      goneAt: f.gone_at,
      items: { seen: c.seen, drafted: c.drafted ?? 0, pending: c.pending ?? 0, failed: c.failed ?? 0 },
    };
  });
}
