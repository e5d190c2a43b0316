import type { Db } from './db.ts';
import { draftJson, type DraftRow } from './drafts.ts';
import { getArticle, type ItemRow } from './items.ts';
import { decisionJson, reviewState } from './editorial.ts';

/** A story as the `stories --json` contract shows it. */
export interface StoryJson {
  id: number;
  url: string | null;
  title: string | null;
  feed: string;
  status: string;
  published: string | null;
  error: { kind: string; message: string } | null;
  attempts: number;
  nextAttemptAt: string | null;
  draft: ReturnType<typeof draftJson> | null;
  review: StoryReviewJson;
}

/** Editors' latest decision, and the version an approval pinned. */
export interface StoryReviewJson {
  decision: ReturnType<typeof decisionJson> | null;
  approvedVersion: number | null;
  changedSinceApproval: boolean;
}

type StoryRow = ItemRow & { feed_name: string; draft_id: number | null };

const SELECT = `
  SELECT i.*, f.name AS feed_name,
    (SELECT MAX(d.id) FROM drafts d WHERE d.item_id = i.id) AS draft_id
  FROM items i JOIN feeds f ON f.id = i.feed_id`;

/**
 * Lists stories, newest first. By default only drafted ones (candidate, approved, rejected);
 * `all` adds pending, failed, deferred and blocked items; `status` filters on one status.
 */
export function listStories(db: Db, opts: { status?: string; all?: boolean } = {}): StoryJson[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.status) {
    where.push('i.status = ?');
    params.push(opts.status);
  } else if (!opts.all) {
    where.push(`i.status IN ('candidate', 'approved', 'rejected')`);
  }
  const sql = `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY COALESCE(i.published_at, i.discovered_at) DESC, i.id DESC`;
  const rows = db.prepare(sql).all(...params) as StoryRow[];
  return rows.map((r) => toStory(db, r));
}

/** One story, or null. */
export function getStory(db: Db, id: number): StoryJson | null {
  const row = db.prepare(`${SELECT} WHERE i.id = ?`).get(id) as StoryRow | undefined;
  return row ? toStory(db, row) : null;
}

function toStory(db: Db, r: StoryRow): StoryJson {
  const draft = r.draft_id ? (db.prepare('SELECT * FROM drafts WHERE id = ?').get(r.draft_id) as DraftRow) : null;
  const failedNow = r.status === 'failed' || r.status === 'deferred' || r.status === 'blocked';
  return {
    id: r.id,
    url: r.url,
    title: r.title ?? getArticle(db, r.id)?.title ?? null,
    feed: r.feed_name,
    status: r.status,
    published: r.published_at,
    error: failedNow && r.last_error_kind ? { kind: r.last_error_kind, message: r.last_error_message ?? '' } : null,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    draft: draft ? draftJson(draft) : null,
    review: storyReview(db, r.id),
  };
}

function storyReview(db: Db, id: number): StoryReviewJson {
  const r = reviewState(db, id);
  return {
    decision: r.decision ? decisionJson(r.decision) : null,
    approvedVersion: r.approvedVersionId,
    changedSinceApproval: r.changedSinceApproval,
  };
}
