import { sql } from 'kysely';
import type { Connection } from './db.ts';
import { Tx, type Db } from './sql.ts';
import { draftById, draftByIdOn, judgedFraming, type StoredDraft } from './drafts.ts';
import { articleOf, type StoredArticle } from './articles.ts';
import type { ItemStatus } from './items.ts';
import { dateOf } from './values.ts';
import { reviewState, sentOf, standingApproval, type Decision, type DecisionAction, type ReasonCode, type ReviewState, type SentIn } from './editorial.ts';
import { coverageOf, duplicateOf, type CoverageLink, type DuplicateOf } from './coverage.ts';

/** A story: a feed item with its current draft, as `stories --json` shows it. */
export interface Story {
  id: number;
  url: string | null;
  title: string | null;
  feed: string;
  status: ItemStatus;
  published: Date | null;
  /** Why the item is not drafted, while it is failed, deferred or blocked. */
  error: { kind: string; message: string } | null;
  attempts: number;
  nextAttemptAt: Date | null;
  /** The article URL without tracking parameters (null when the item has no usable link). */
  canonicalUrl: string | null;
  /** The site's own name, from the article page (og:site_name and the like). */
  siteName: string | null;
  draft: StoredDraft | null;
  /** A check still failed after the repair turn: an editor must look before it is used. */
  needsReview: boolean;
  /** The verdict or recommendation (an editor's, else the model's) says skip, negative, not_ai or uncertain, and the story is not approved: listed after the ready candidates. */
  setAside: boolean;
  /** Editors' latest decision and the version the standing approval names (the one that goes out). */
  review: ReviewState;
  /** The issue it went out in, and when (null while it has not): its decision and text are then final. */
  sent: SentIn | null;
  /** For a copy (status `duplicate`): the story it was attached to, why, and how alike they are. */
  duplicateOf: DuplicateOf | null;
  /** The other outlets that carried this story (copies attached to it), oldest first. */
  alsoCoveredBy: CoverageLink[];
  /** The item whose outlet an editor chose as the story's source (url, feed and site name are then its); null: the story's own. */
  sourceItemId: number | null;
}

/** Verdicts that keep a draft out of the ready candidates (negative too: drafts stored before the recommendation existed). */
const SET_ASIDE_VERDICTS = new Set(['negative', 'not_ai', 'uncertain']);

/**
 * Whether a story is set aside (listed after the ready candidates, marked for editors): its
 * verdict and recommendation, an editor's judgement over the model's framing, say skip,
 * negative, not_ai or uncertain. An approved story never is: editors already chose it.
 */
export function isSetAside(status: ItemStatus, draft: Pick<StoredDraft, 'framing' | 'judgement'> | null): boolean {
  if (draft === null || status === 'approved') return false;
  const { verdict, recommendation } = judgedFraming(draft);
  return recommendation === 'skip' || SET_ASIDE_VERDICTS.has(verdict);
}

/** Stories read across the items, feeds, drafts and articles tables: what editors and exports see. */
export interface StoryStore {
  /**
   * Stories, newest first. By default only drafted ones (candidate, approved, rejected); `all` adds
   * pending, failed, deferred and blocked items; `status` filters on one status.
   */
  list(opts?: { status?: ItemStatus; all?: boolean }): Promise<Story[]>;
  get(id: number): Promise<Story | null>;
  /** A story with its stored article, read in one transaction. */
  getWithArticle(id: number): Promise<{ story: Story; article: StoredArticle | null } | null>;
}

interface StoryRow {
  id: number;
  url: string | null;
  title: string | null;
  feed_name: string;
  status: ItemStatus;
  published_at: string | null;
  last_error_kind: string | null;
  last_error_message: string | null;
  attempts: number;
  next_attempt_at: string | null;
  draft_id: number | null;
  article_title: string | null;
  canonical_url: string | null;
  site_name: string | null;
  source_item_id: number | null;
}

const SELECT = sql`
  SELECT i.id, i.url, i.canonical_url, a.site_name, i.source_item_id, i.title, i.status, i.published_at, i.last_error_kind, i.last_error_message, i.attempts,
    i.next_attempt_at, f.name AS feed_name, a.title AS article_title,
    (SELECT MAX(d.id) FROM drafts d WHERE d.item_id = i.id) AS draft_id
  FROM stories i JOIN feeds f ON f.id = i.feed_id LEFT JOIN articles a ON a.item_id = i.id`;

/** Newest first: by publication (or discovery) time, then id. */
const NEWEST_FIRST = sql`ORDER BY COALESCE(i.published_at, i.discovered_at) DESC, i.id DESC`;

/** What the story's row, its draft and the editorial tables say, read in one transaction. */
interface StoryParts {
  draft: StoredDraft | null;
  source: SourceRow | undefined;
  review: ReviewState;
  sent: SentIn | null;
  duplicateOf: DuplicateOf | null;
  alsoCoveredBy: CoverageLink[];
}

type SourceRow = { url: string | null; canonical_url: string | null; feed_name: string; site_name: string | null };

function toStory(r: StoryRow, p: StoryParts): Story {
  const failedNow = r.status === 'failed' || r.status === 'deferred' || r.status === 'blocked';
  // The outlet an editor chose: the story links to it and names it as the source.
  const { source, draft } = p;
  const outlet = source ?? r;
  return {
    id: r.id,
    url: outlet.url,
    title: r.title ?? r.article_title,
    feed: outlet.feed_name,
    status: r.status,
    published: dateOf(r.published_at),
    error: failedNow && r.last_error_kind ? { kind: r.last_error_kind, message: r.last_error_message ?? '' } : null,
    attempts: r.attempts,
    nextAttemptAt: dateOf(r.next_attempt_at),
    canonicalUrl: outlet.canonical_url,
    siteName: outlet.site_name,
    draft,
    needsReview: draft?.needsReview ?? false,
    setAside: isSetAside(r.status, draft),
    review: p.review,
    sent: p.sent,
    duplicateOf: p.duplicateOf,
    alsoCoveredBy: p.alsoCoveredBy,
    sourceItemId: source ? r.source_item_id : null,
  };
}

async function storyFrom(tx: Tx, r: StoryRow): Promise<Story> {
  const source =
    r.source_item_id === null
      ? undefined
      : await tx.get<SourceRow>(
          sql`SELECT i.url, i.canonical_url, f.name AS feed_name, a.site_name
              FROM stories i JOIN feeds f ON f.id = i.feed_id LEFT JOIN articles a ON a.item_id = i.id WHERE i.id = ${r.source_item_id}`,
        );
  return toStory(r, {
    draft: r.draft_id ? await draftById(tx, r.draft_id) : null,
    source,
    review: await reviewStateIn(tx, r.id),
    sent: await sentIn(tx, r.id),
    duplicateOf: r.status === 'duplicate' ? await duplicateIn(tx, r.id) : null,
    alsoCoveredBy: await coverageIn(tx, r.id, source ? r.source_item_id : null),
  });
}

/** One story, read inside the caller's transaction (for other tables' methods, e.g. issues). */
export function storyOf(tx: Tx, id: number): Promise<Story | null>;
/** TRANSITIONAL: for issues.ts while it is on the synchronous Connection; goes when it is converted. */
export function storyOf(conn: Connection, id: number): Story | null;
export function storyOf(on: Tx | Connection, id: number): Promise<Story | null> | Story | null {
  if (!(on instanceof Tx)) return storyOfOn(on, id);
  return (async () => {
    const r = await on.get<StoryRow>(sql`${SELECT} WHERE i.id = ${id}`);
    return r ? storyFrom(on, r) : null;
  })();
}

type StoriesQuery = { status?: ItemStatus; all?: boolean; ids?: ReadonlySet<number> };

/**
 * Stories newest first (`list` then puts the set-aside ones last), read inside the caller's
 * transaction. `ids` keeps only those (checked before the costly part of reading a story).
 */
export function storiesOf(tx: Tx, opts?: StoriesQuery): Promise<Story[]>;
/** TRANSITIONAL: for issues.ts while it is on the synchronous Connection; goes when it is converted. */
export function storiesOf(conn: Connection, opts?: StoriesQuery): Story[];
export function storiesOf(on: Tx | Connection, opts: StoriesQuery = {}): Promise<Story[]> | Story[] {
  if (!(on instanceof Tx)) return storiesOfOn(on, opts);
  return (async () => {
    const where = opts.status ? sql`WHERE i.status = ${opts.status}` : opts.all ? sql`` : sql`WHERE i.status IN ('candidate', 'approved', 'rejected')`;
    const rows = await on.all<StoryRow>(sql`${SELECT} ${where} ${NEWEST_FIRST}`);
    const stories: Story[] = [];
    for (const r of rows) if (!opts.ids || opts.ids.has(r.id)) stories.push(await storyFrom(on, r));
    return stories;
  })();
}

/*
 * Reads of the editorial and coverage tables a story shows, inside the caller's transaction.
 * TRANSITIONAL twins of editorial.ts's reviewState and sentOf and coverage.ts's coverageOf and
 * duplicateOf, written here while those files move to `Tx` in another change: use theirs then.
 */

interface DecisionRow {
  id: number;
  item_id: number;
  draft_id: number | null;
  action: DecisionAction;
  reason: ReasonCode | null;
  note: string | null;
  snoozed_until: string | null;
  decided_by: string;
  created_at: string;
}

async function reviewStateIn(tx: Tx, storyId: number): Promise<ReviewState> {
  const rows = await tx.all<DecisionRow>(sql`SELECT * FROM decisions WHERE item_id = ${storyId} ORDER BY id`);
  const latest = rows.at(-1);
  const decision: Decision | null = latest
    ? {
        id: latest.id,
        storyId: latest.item_id,
        versionId: latest.draft_id,
        action: latest.action,
        reason: latest.reason,
        note: latest.note,
        snoozedUntil: dateOf(latest.snoozed_until),
        by: latest.decided_by,
        at: new Date(latest.created_at),
      }
    : null;
  const approvedVersionId = standingApproval(rows.map((d) => ({ action: d.action, versionId: d.draft_id })));
  let changedSinceApproval = false;
  if (approvedVersionId !== null) {
    const cur = (await tx.get<{ id: number | null }>(sql`SELECT MAX(id) AS id FROM drafts WHERE item_id = ${storyId}`))!;
    changedSinceApproval = cur.id !== approvedVersionId;
  }
  return { decision, approvedVersionId, changedSinceApproval };
}

async function sentIn(tx: Tx, storyId: number): Promise<SentIn | null> {
  const r = await tx.get<{ issue_id: number; sent_at: string }>(
    sql`SELECT s.issue_id, i.sent_at FROM issue_stories s JOIN issues i ON i.id = s.issue_id
        WHERE s.item_id = ${storyId} AND s.sent_draft_id IS NOT NULL`,
  );
  return r ? { issue: r.issue_id, at: new Date(r.sent_at) } : null;
}

async function coverageIn(tx: Tx, storyId: number, sourceItemId: number | null): Promise<CoverageLink[]> {
  // With another outlet as its source, the story's own item is listed among the other outlets.
  const own = sourceItemId === null ? sql`` : sql`OR i.id = ${storyId}`;
  const rows = await tx.all<{ id: number; url: string | null; title: string | null; feed: string; site_name: string | null; article_title: string | null; reason: string | null; similarity: number | null }>(
    sql`SELECT i.id, i.url, i.title, f.name AS feed, a.site_name, a.title AS article_title, c.reason, c.similarity
        FROM stories i JOIN feeds f ON f.id = i.feed_id LEFT JOIN articles a ON a.item_id = i.id
          LEFT JOIN coverage c ON c.item_id = i.id
        WHERE (c.story_id = ${storyId} ${own}) ORDER BY i.id`,
  );
  return rows
    .filter((r) => r.id !== sourceItemId)
    .map((r) => ({ id: r.id, url: r.url, title: r.title ?? r.article_title, feed: r.feed, siteName: r.site_name, reason: r.reason, similarity: r.similarity }));
}

async function duplicateIn(tx: Tx, itemId: number): Promise<DuplicateOf | null> {
  const r = await tx.get<{ story_id: number; reason: string; similarity: number }>(sql`SELECT story_id, reason, similarity FROM coverage WHERE item_id = ${itemId}`);
  return r ? { id: r.story_id, reason: r.reason, similarity: r.similarity } : null;
}

/*
 * TRANSITIONAL: the synchronous reads issues.ts calls through storyOf and storiesOf while it is on
 * the Connection; they go with that overload.
 */

const SELECT_ON = `
  SELECT i.id, i.url, i.canonical_url, a.site_name, i.source_item_id, i.title, i.status, i.published_at, i.last_error_kind, i.last_error_message, i.attempts,
    i.next_attempt_at, f.name AS feed_name, a.title AS article_title,
    (SELECT MAX(d.id) FROM drafts d WHERE d.item_id = i.id) AS draft_id
  FROM stories i JOIN feeds f ON f.id = i.feed_id LEFT JOIN articles a ON a.item_id = i.id`;

function storyFromOn(db: Connection, r: StoryRow): Story {
  const source =
    r.source_item_id === null
      ? undefined
      : db.get<SourceRow>(
          'SELECT i.url, i.canonical_url, f.name AS feed_name, a.site_name FROM stories i JOIN feeds f ON f.id = i.feed_id LEFT JOIN articles a ON a.item_id = i.id WHERE i.id = ?',
          r.source_item_id,
        );
  return toStory(r, {
    draft: r.draft_id ? draftByIdOn(db, r.draft_id) : null,
    source,
    review: reviewState(db, r.id),
    sent: sentOf(db, r.id),
    duplicateOf: r.status === 'duplicate' ? duplicateOf(db, r.id) : null,
    alsoCoveredBy: coverageOf(db, r.id, source ? r.source_item_id : null),
  });
}

function storyOfOn(db: Connection, id: number): Story | null {
  const r = db.get<StoryRow>(`${SELECT_ON} WHERE i.id = ?`, id);
  return r ? storyFromOn(db, r) : null;
}

function storiesOfOn(db: Connection, opts: StoriesQuery): Story[] {
  const where = opts.status ? 'WHERE i.status = ?' : opts.all ? '' : `WHERE i.status IN ('candidate', 'approved', 'rejected')`;
  const query = `${SELECT_ON} ${where} ORDER BY COALESCE(i.published_at, i.discovered_at) DESC, i.id DESC`;
  const rows = opts.status ? db.all<StoryRow>(query, opts.status) : db.all<StoryRow>(query);
  return rows.filter((r) => !opts.ids || opts.ids.has(r.id)).map((r) => storyFromOn(db, r));
}

export function storyStore(db: Db): StoryStore {
  return {
    list: (opts = {}) =>
      db.read(async (tx) => {
        const stories = await storiesOf(tx, opts);
        // Stable: newest first within each group, the set-aside ones after the rest.
        return [...stories.filter((s) => !s.setAside), ...stories.filter((s) => s.setAside)];
      }),
    get: (id) => db.read((tx) => storyOf(tx, id)),
    getWithArticle: (id) =>
      db.read(async (tx) => {
        const story = await storyOf(tx, id);
        return story ? { story, article: await articleOf(tx, id) } : null;
      }),
  };
}
