import { sql } from 'kysely';
import type { Db, Tx } from './sql.ts';
import { draftById, judgedFraming, type StoredDraft } from './drafts.ts';
import { articleOf, type StoredArticle } from './articles.ts';
import type { ItemStatus } from './items.ts';
import { dateOf } from './values.ts';
import type { ReviewState, SentIn } from './editorial.ts';
import { reviewState, sentOf } from './editorial.ts';
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

async function toStory(tx: Tx, r: StoryRow): Promise<Story> {
  const failedNow = r.status === 'failed' || r.status === 'deferred' || r.status === 'blocked';
  const draft = r.draft_id ? await draftById(tx, r.draft_id) : null;
  // The outlet an editor chose: the story links to it and names it as the source.
  const source =
    r.source_item_id === null
      ? undefined
      : await tx.get<{ url: string | null; canonical_url: string | null; feed_name: string; site_name: string | null }>(
          sql`SELECT i.url, i.canonical_url, f.name AS feed_name, a.site_name FROM stories i JOIN feeds f ON f.id = i.feed_id LEFT JOIN articles a ON a.item_id = i.id WHERE i.id = ${r.source_item_id}`,
        );
  if (source) Object.assign(r, { url: source.url, canonical_url: source.canonical_url, feed_name: source.feed_name, site_name: source.site_name });
  return {
    id: r.id,
    url: r.url,
    title: r.title ?? r.article_title,
    feed: r.feed_name,
    status: r.status,
    published: dateOf(r.published_at),
    error: failedNow && r.last_error_kind ? { kind: r.last_error_kind, message: r.last_error_message ?? '' } : null,
    attempts: r.attempts,
    nextAttemptAt: dateOf(r.next_attempt_at),
    canonicalUrl: r.canonical_url,
    siteName: r.site_name,
    draft,
    needsReview: draft?.needsReview ?? false,
    setAside: isSetAside(r.status, draft),
    review: await reviewState(tx, r.id),
    sent: await sentOf(tx, r.id),
    duplicateOf: r.status === 'duplicate' ? await duplicateOf(tx, r.id) : null,
    alsoCoveredBy: await coverageOf(tx, r.id, source ? r.source_item_id : null),
    sourceItemId: source ? r.source_item_id : null,
  };
}

/** One story, read inside the caller's transaction (for other tables' methods, e.g. issues). */
export async function storyOf(tx: Tx, id: number): Promise<Story | null> {
  const r = await tx.get<StoryRow>(sql`${SELECT} WHERE i.id = ${id}`);
  return r ? toStory(tx, r) : null;
}

/**
 * Stories newest first (`list` then puts the set-aside ones last), read inside the caller's
 * transaction. `ids` keeps only those (checked before the costly part of reading a story).
 */
export async function storiesOf(tx: Tx, opts: { status?: ItemStatus; all?: boolean; ids?: ReadonlySet<number> } = {}): Promise<Story[]> {
  const where = opts.status ? sql`WHERE i.status = ${opts.status}` : opts.all ? sql`` : sql`WHERE i.status IN ('candidate', 'approved', 'rejected')`;
  const rows = await tx.all<StoryRow>(sql`${SELECT} ${where} ORDER BY COALESCE(i.published_at, i.discovered_at) DESC, i.id DESC`);
  const stories: Story[] = [];
  for (const r of rows) if (!opts.ids || opts.ids.has(r.id)) stories.push(await toStory(tx, r));
  return stories;
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
