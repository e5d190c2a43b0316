import type { Failure } from '../core/failure.ts';
import { sql, type Selectable } from 'kysely';
import type { FeedsTable } from './schema.ts';
import type { Db } from './sql.ts';
import { dateOf, isoOf } from './values.ts';
import { insertItems, type NewItem } from './items.ts';

/** A feed as stored, with the status of its last fetch. */
export interface Feed {
  id: number;
  url: string;
  name: string;
  category: string | null;
  /** False when the feed was removed from the config (its items are kept). */
  active: boolean;
  title: string | null;
  siteUrl: string | null;
  etag: string | null;
  lastModified: string | null;
  contentHash: string | null;
  lastFetchAt: Date | null;
  lastStatus: number | null;
  lastResult: 'ok' | 'not_modified' | 'error' | null;
  /** The last fetch's failure and how many fetches in a row failed; null after a success. */
  error: { kind: string; message: string; count: number } | null;
  nextCheckAt: Date | null;
  /** Set when every redirect hop was permanent: the config should use this URL. */
  permanentUrl: string | null;
  /** Set when the feed answered 410 Gone: not polled until its URL changes in the config. */
  goneAt: Date | null;
}

/** What a successful fetch (200 or 304) learned about a feed. */
export interface FeedFetched {
  status: number;
  notModified: boolean;
  etag: string | null;
  lastModified: string | null;
  contentHash: string | null;
  title?: string | null;
  siteUrl?: string | null;
  permanentUrl: string | null;
  nextCheckAt: Date;
  /** When the body was parsed: how many items it held and what the parser forgave. */
  parse?: { itemsInFeed: number; warnings: readonly string[] };
}

/** A feed's status as `aiwins feeds` shows it. */
export interface FeedStatus {
  id: number;
  name: string;
  url: string;
  active: boolean;
  lastFetchAt: Date | null;
  lastStatus: number | null;
  lastResult: string | null;
  nextCheckAt: Date | null;
  error: { kind: string; message: string; count: number } | null;
  movedTo: string | null;
  goneAt: Date | null;
  /**
   * seen: stored items; overCap: of those, items that were beyond run.maxItemsPerFeed when found and
   * are still pending (taken on later runs, newest first, unless older than run.maxItemAgeDays).
   */
  items: { seen: number; drafted: number; pending: number; failed: number; overCap: number };
  /** The last parse of the feed body: items in it and the parser's warnings; null before one. */
  lastParse: { items: number; warnings: string[] } | null;
}

/** The feeds table: the configured feeds and what their fetches learned. */
export interface FeedStore {
  /** Makes the table match the config: new feeds added, names updated, removed ones deactivated. */
  sync(feeds: readonly { name: string; url: string; category?: string }[], now: Date): Promise<void>;
  /** Active feeds that are not gone, due or not. */
  active(): Promise<Feed[]>;
  /** Every stored feed, whether in the config or not, gone or not (for `run --dry-run`, which syncs nothing). */
  all(): Promise<Feed[]>;
  /** Active feeds whose next check is due (never checked, or next check passed), and not gone. */
  due(now: Date): Promise<Feed[]>;
  /**
   * Records a successful fetch and stores the items not seen before, in one transaction: validators
   * kept, error counter reset. Returns the new items' ids (newest first) that are not over the cap.
   */
  recordFetch(feedId: number, fetched: FeedFetched, items: readonly NewItem[], now: Date): Promise<{ newIds: number[]; newOverCap: number }>;
  /** Records a failed fetch or parse, counting errors in a row; a 410 marks the feed gone. */
  recordFailure(feedId: number, failure: Failure, nextCheckAt: Date, now: Date): Promise<void>;
  statuses(): Promise<FeedStatus[]>;
}

type FeedRow = Selectable<FeedsTable> & { last_result: Feed['lastResult'] };

const toFeed = (r: FeedRow): Feed => ({
  id: r.id,
  url: r.url,
  name: r.name,
  category: r.category,
  active: r.active === 1,
  title: r.title,
  siteUrl: r.site_url,
  etag: r.etag,
  lastModified: r.last_modified,
  contentHash: r.content_hash,
  lastFetchAt: dateOf(r.last_fetch_at),
  lastStatus: r.last_status,
  lastResult: r.last_result,
  error: r.last_error_kind ? { kind: r.last_error_kind, message: r.last_error_message ?? '', count: r.error_count } : null,
  nextCheckAt: dateOf(r.next_check_at),
  permanentUrl: r.permanent_url,
  goneAt: dateOf(r.gone_at),
});

export function feedStore(db: Db): FeedStore {
  return {
    sync: (feeds, now) =>
      db.write(async (tx) => {
        await tx.run(sql`UPDATE feeds SET active = 0`);
        for (const f of feeds) {
          await tx.run(
            sql`INSERT INTO feeds (url, name, category, active, created_at) VALUES (${f.url}, ${f.name}, ${f.category ?? null}, 1, ${isoOf(now)})
                ON CONFLICT (url) DO UPDATE SET name = excluded.name, category = excluded.category, active = 1`,
          );
        }
      }),

    active: () => db.read(async (tx) => (await tx.all<FeedRow>(sql`SELECT * FROM feeds WHERE active = 1 AND gone_at IS NULL ORDER BY id`)).map(toFeed)),

    all: () => db.read(async (tx) => (await tx.all<FeedRow>(sql`SELECT * FROM feeds ORDER BY id`)).map(toFeed)),

    due: (now) =>
      db.read(async (tx) =>
        (
          await tx.all<FeedRow>(
            sql`SELECT * FROM feeds WHERE active = 1 AND gone_at IS NULL AND (next_check_at IS NULL OR next_check_at <= ${isoOf(now)}) ORDER BY id`,
          )
        ).map(toFeed),
      ),

    recordFetch: (feedId, f, items, now) =>
      db.write(async (tx) => {
        const inserted = await insertItems(tx, feedId, items, now);
        await tx.run(
          sql`UPDATE feeds SET last_fetch_at = ${isoOf(now)}, last_status = ${f.status}, last_result = ${f.notModified ? 'not_modified' : 'ok'},
                etag = COALESCE(${f.etag}, etag), last_modified = COALESCE(${f.lastModified}, last_modified),
                content_hash = COALESCE(${f.contentHash}, content_hash),
                title = COALESCE(${f.title ?? null}, title), site_url = COALESCE(${f.siteUrl ?? null}, site_url),
                permanent_url = ${f.permanentUrl}, next_check_at = ${isoOf(f.nextCheckAt)}, gone_at = NULL,
                last_error_kind = NULL, last_error_message = NULL, error_count = 0,
                parse_warnings = COALESCE(${f.parse ? JSON.stringify(f.parse.warnings) : null}, parse_warnings),
                items_in_feed = COALESCE(${f.parse ? f.parse.itemsInFeed : null}, items_in_feed)
              WHERE id = ${feedId}`,
        );
        return inserted;
      }),

    recordFailure: (feedId, failure, nextCheckAt, now) =>
      db.write(async (tx) => {
        const goneAt = failure.kind === 'fetch.gone' ? isoOf(now) : null;
        await tx.run(
          sql`UPDATE feeds SET last_fetch_at = ${isoOf(now)}, last_status = ${failure.status ?? null}, last_result = 'error',
                last_error_kind = ${failure.kind}, last_error_message = ${failure.message}, error_count = error_count + 1,
                next_check_at = ${isoOf(nextCheckAt)}, gone_at = COALESCE(${goneAt}, gone_at)
              WHERE id = ${feedId}`,
        );
      }),

    statuses: () =>
      db.read(async (tx) => {
        const rows = await tx.all<FeedRow & { seen: number; drafted: number; pending: number; failed: number; over_cap: number }>(
          sql`SELECT f.*,
                (SELECT COUNT(*) FROM stories WHERE feed_id = f.id) AS seen,
                (SELECT COUNT(*) FROM stories WHERE feed_id = f.id AND status IN ('candidate', 'approved', 'rejected')) AS drafted,
                (SELECT COUNT(*) FROM stories WHERE feed_id = f.id AND status = 'pending') AS pending,
                (SELECT COUNT(*) FROM stories WHERE feed_id = f.id AND status IN ('failed', 'deferred', 'blocked')) AS failed,
                (SELECT COUNT(*) FROM stories WHERE feed_id = f.id AND status = 'pending' AND over_cap = 1) AS over_cap
              FROM feeds f ORDER BY f.active DESC, f.id`,
        );
        return rows.map((r) => {
          const feed = toFeed(r);
          return {
            id: feed.id,
            name: feed.name,
            url: feed.url,
            active: feed.active,
            lastFetchAt: feed.lastFetchAt,
            lastStatus: feed.lastStatus,
            lastResult: feed.lastResult,
            nextCheckAt: feed.nextCheckAt,
            error: feed.error,
            movedTo: feed.permanentUrl,
            goneAt: feed.goneAt,
            items: { seen: r.seen, drafted: r.drafted, pending: r.pending, failed: r.failed, overCap: r.over_cap },
            lastParse: r.items_in_feed === null ? null : { items: r.items_in_feed, warnings: JSON.parse(r.parse_warnings ?? '[]') as string[] },
          };
        });
      }),
  };
}
