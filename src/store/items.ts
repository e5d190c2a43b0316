import type { Failure } from '../core/failure.ts';
import { sql, type Selectable } from 'kysely';
import type { Db, Tx } from './sql.ts';
import { dateOf, isoOf, isoOrNull } from './values.ts';
import type { StoriesTable } from './schema.ts';

/** Pipeline states an item can be in before editors see it. */
export const WORK_STATUSES = ['pending', 'failed', 'deferred', 'blocked'] as const;
/** Review states of a drafted item. */
export const REVIEW_STATUSES = ['candidate', 'approved', 'rejected'] as const;
/** An item attached to another story as another outlet's copy of it: never drafted (an editor's split makes it pending again). */
export const DUPLICATE_STATUS = 'duplicate';
export type ItemStatus = (typeof WORK_STATUSES)[number] | (typeof REVIEW_STATUSES)[number] | typeof DUPLICATE_STATUS;
/** The states a run takes an item in: not drafted, and not blocked. */
export const RUNNABLE_STATUSES: readonly ItemStatus[] = ['pending', 'failed', 'deferred'];

/** An item found in a feed, before it is stored. */
export interface NewItem {
  key: string;
  url: string | null;
  canonicalUrl: string | null;
  title: string | null;
  published: string | null;
  author: string | null;
  summary: string | null;
  content: string | null;
  /** Beyond the run's per-feed cap when found: waits for a later run (newest first, if not too old). */
  overCap?: boolean;
}

/** An item as the pipeline works on it. */
export interface WorkItem {
  id: number;
  feedId: number;
  feedName: string;
  key: string;
  url: string | null;
  canonicalUrl: string | null;
  title: string | null;
  publishedAt: Date | null;
  author: string | null;
  summary: string | null;
  /** The feed's own content (HTML, untrusted). */
  feedContent: string | null;
  status: ItemStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: { kind: string; message: string; raw: string | null } | null;
  discoveredAt: Date;
}

/** What becomes of an item that was not drafted: retried after a back-off, waiting for a time named, or given up on. */
export interface FailureDisposition {
  status: 'failed' | 'deferred' | 'blocked';
  /** Whether this failure spends one of the item's attempts. */
  countsAttempt: boolean;
  nextAttemptAt: Date | null;
}

/** Which items a run should take now. */
export interface DueQuery {
  now: Date;
  maxAttempts: number;
  /** Take failed and deferred items now, ignoring their back-off. */
  retryFailed: boolean;
  /** New (pending) items taken per feed per run, newest first. */
  maxPerFeed: number;
  /** Items that were over the cap and published before this are not taken. */
  overCapPublishedAfter: Date;
}

/** The stories table as the pipeline works on it: a feed's items, stored as stories, claimed by one run at a time. */
export interface ItemStore {
  /** Items that need work now: new ones (newest first, capped per feed), and failed or deferred ones whose back-off is over. */
  due(q: DueQuery): Promise<number[]>;
  /**
   * Claims an item for a run until `until`, so no other run works on it meanwhile. Returns the item
   * when claimed; null when another live run holds it, its status is not one of `statuses`, or it
   * went out in a sent issue (final: never drafted again).
   */
  claim(id: number, runId: number, until: Date, now: Date, statuses?: readonly ItemStatus[]): Promise<WorkItem | null>;
  /**
   * Records why a claimed item is not drafted, and drops the claim. Returns false (and changes
   * nothing) when the run no longer holds the item's claim.
   */
  recordFailure(id: number, runId: number, failure: Failure, disposition: FailureDisposition, now: Date): Promise<boolean>;
  /** Drops the run's claim on an item, leaving it as it was (no attempt counted). */
  release(id: number, runId: number): Promise<void>;
  get(id: number): Promise<WorkItem | null>;
  /**
   * Which of a feed's items a fetch would store as new: neither stored under the feed's key (a
   * feed not stored yet: `feedId` null) nor, from any feed, under their canonical URL, nor repeated
   * earlier in the list. Reads only: `run --dry-run` counts with it what a run would insert.
   */
  unseen(feedId: number | null, items: readonly Pick<NewItem, 'key' | 'canonicalUrl'>[]): Promise<boolean[]>;
}

/** A story row as a run reads it, with its feed's name. */
type ItemRow = Selectable<StoriesTable> & { feed_name: string; status: ItemStatus };

const toItem = (r: ItemRow): WorkItem => ({
  id: r.id,
  feedId: r.feed_id,
  feedName: r.feed_name,
  key: r.item_key,
  url: r.url,
  canonicalUrl: r.canonical_url,
  title: r.title,
  publishedAt: dateOf(r.published_at),
  author: r.author,
  summary: r.summary,
  feedContent: r.feed_content,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: dateOf(r.next_attempt_at),
  lastError: r.last_error_kind ? { kind: r.last_error_kind, message: r.last_error_message ?? '', raw: r.last_error_raw } : null,
  discoveredAt: new Date(r.discovered_at),
});

/** The owner name a run uses for its item claims. */
export const claimOwner = (runId: number): string => `run:${runId}`;

/** Inserts the items not seen before (re-runs insert nothing); part of the caller's transaction. */
export async function insertItems(tx: Tx, feedId: number, items: readonly NewItem[], now: Date): Promise<{ newIds: number[]; newOverCap: number }> {
  const newIds: number[] = [];
  let newOverCap = 0;
  for (const it of items) {
    const inserted = await tx.get<{ id: number }>(
      sql`INSERT INTO stories (feed_id, item_key, url, canonical_url, title, published_at, author, summary,
            feed_content, status, over_cap, discovered_at, updated_at)
          VALUES (${feedId}, ${it.key}, ${it.url}, ${it.canonicalUrl}, ${it.title}, ${it.published}, ${it.author}, ${it.summary},
            ${it.content}, 'pending', ${it.overCap ? 1 : 0}, ${isoOf(now)}, ${isoOf(now)})
          ON CONFLICT DO NOTHING
          RETURNING id`,
    );
    if (!inserted) continue;
    if (it.overCap) newOverCap++;
    else newIds.push(inserted.id);
  }
  return { newIds, newOverCap };
}

/** Drops every claim a run holds; part of the caller's transaction. */
export async function releaseClaims(tx: Tx, runId: number): Promise<void> {
  await tx.run(sql`UPDATE stories SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ${claimOwner(runId)}`);
}

/** Extends every claim a run holds (its heartbeat); part of the caller's transaction. */
export async function extendClaims(tx: Tx, runId: number, until: Date): Promise<void> {
  await tx.run(sql`UPDATE stories SET claimed_until = ${isoOf(until)} WHERE claimed_by = ${claimOwner(runId)}`);
}

/** Whether the run holds the item's claim; checked in the transaction that stores the run's work. */
export async function holdsClaim(tx: Tx, itemId: number, runId: number): Promise<boolean> {
  return (await tx.get(sql`SELECT 1 AS held FROM stories WHERE id = ${itemId} AND claimed_by = ${claimOwner(runId)}`)) !== undefined;
}

const selectItem = (id: number) => sql`SELECT i.*, f.name AS feed_name FROM stories i JOIN feeds f ON f.id = i.feed_id WHERE i.id = ${id}`;

export function itemStore(db: Db): ItemStore {
  return {
    due: (q) =>
      db.read(async (tx) => {
        const now = isoOf(q.now);
        const retry = q.retryFailed ? 1 : 0;
        const rows = await tx.all<{ id: number }>(
          sql`SELECT id FROM (
                SELECT id, status, published_at, discovered_at,
                  ROW_NUMBER() OVER (PARTITION BY feed_id, status = 'pending'
                    ORDER BY COALESCE(published_at, discovered_at) DESC, id DESC) AS nth
                FROM stories
                WHERE (claimed_until IS NULL OR claimed_until < ${now})
                  AND ((status = 'pending' AND NOT (over_cap = 1 AND published_at IS NOT NULL AND published_at < ${isoOf(q.overCapPublishedAfter)}))
                    OR (status = 'deferred' AND (${retry} = 1 OR next_attempt_at IS NULL OR next_attempt_at <= ${now}))
                    OR (status = 'failed' AND (${retry} = 1 OR (attempts < ${q.maxAttempts} AND (next_attempt_at IS NULL OR next_attempt_at <= ${now})))))
              ) due
              WHERE status <> 'pending' OR nth <= ${q.maxPerFeed}
              ORDER BY COALESCE(published_at, discovered_at) DESC, id DESC`,
        );
        return rows.map((r) => r.id);
      }),

    unseen: (feedId, items) =>
      db.read(async (tx) => {
        const keys = new Set<string>();
        const urls = new Set<string>();
        const unseen: boolean[] = [];
        for (const it of items) {
          const repeated = keys.has(it.key) || (it.canonicalUrl !== null && urls.has(it.canonicalUrl));
          keys.add(it.key);
          if (it.canonicalUrl !== null) urls.add(it.canonicalUrl);
          if (repeated) {
            unseen.push(false);
            continue;
          }
          if (feedId !== null && (await tx.get(sql`SELECT 1 AS seen FROM stories WHERE feed_id = ${feedId} AND item_key = ${it.key}`))) {
            unseen.push(false);
            continue;
          }
          unseen.push(it.canonicalUrl === null || !(await tx.get(sql`SELECT 1 AS seen FROM stories WHERE canonical_url = ${it.canonicalUrl}`)));
        }
        return unseen;
      }),

    claim: (id, runId, until, now, statuses = RUNNABLE_STATUSES) =>
      db.write(async (tx) => {
        const changed = await tx.run(
          sql`UPDATE stories SET claimed_by = ${claimOwner(runId)}, claimed_until = ${isoOf(until)}, updated_at = ${isoOf(now)}
              WHERE id = ${id} AND (claimed_until IS NULL OR claimed_until < ${isoOf(now)} OR claimed_by = ${claimOwner(runId)})
                AND status IN (${sql.join(statuses)})
                -- A story sent in an issue is final: no run drafts it again.
                AND NOT EXISTS (SELECT 1 FROM issue_stories s WHERE s.item_id = stories.id AND s.sent_draft_id IS NOT NULL)`,
        );
        if (changed !== 1) return null;
        return toItem((await tx.get<ItemRow>(selectItem(id)))!);
      }),

    recordFailure: (id, runId, failure, disposition, now) =>
      db.write(async (tx) => {
        const changed = await tx.run(
          sql`UPDATE stories SET status = ${disposition.status}, attempts = attempts + ${disposition.countsAttempt ? 1 : 0},
                next_attempt_at = ${isoOrNull(disposition.nextAttemptAt)}, last_error_kind = ${failure.kind},
                last_error_message = ${failure.message}, last_error_raw = ${failure.raw ?? null},
                claimed_by = NULL, claimed_until = NULL, updated_at = ${isoOf(now)}
              WHERE id = ${id} AND claimed_by = ${claimOwner(runId)}`,
        );
        return changed === 1;
      }),

    release: (id, runId) =>
      db.write(async (tx) => {
        await tx.run(sql`UPDATE stories SET claimed_by = NULL, claimed_until = NULL WHERE id = ${id} AND claimed_by = ${claimOwner(runId)}`);
      }),

    get: (id) =>
      db.read(async (tx) => {
        const r = await tx.get<ItemRow>(selectItem(id));
        return r ? toItem(r) : null;
      }),
  };
}
