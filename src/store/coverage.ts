import type { Connection } from './db.ts';
import { refuseIfSentOn as refuseIfSent } from './editorial.ts';
import { claimOwner } from './items.ts';
import { isoOf } from './values.ts';

/** A story seen before, as the coverage judge compares it: its id and stored signature. */
export interface SignedStory<S> {
  id: number;
  signature: S;
}

/** What the judge decided: the story the item copies, why, and how alike they are. */
export interface CoverageMatch {
  storyId: number;
  reason: string;
  similarity: number;
}

/** An item attached to a story as another outlet's copy, as the story JSON lists it. */
export interface CoverageLink {
  id: number;
  url: string | null;
  title: string | null;
  feed: string;
  siteName: string | null;
  /** same_text, quoted_text or same_title_and_lead; null for the story's own item when another outlet is its source. */
  reason: string | null;
  similarity: number | null;
}

/** Where a copy belongs, as the copy's story JSON shows it. */
export interface DuplicateOf {
  id: number;
  reason: string;
  similarity: number;
}

export interface SignInput<S> {
  itemId: number;
  runId: number;
  signature: S;
  /** The signature's LSH band keys. */
  bands: readonly string[];
  /** Only stories signed since then are compared (dedupe.windowDays). */
  since: Date;
  now: Date;
}

export type SignResult = { attached: CoverageMatch } | { signed: true } | { claimLost: true };

/** The same story from several outlets: signatures, copies attached to stories, editors' corrections. */
export interface CoverageStore {
  /**
   * In one transaction, so two copies worked on at once cannot both be drafted: the stories that
   * share a band key with the item, signed since `input.since` (not copies, not blocked, not
   * stories an editor split this item from), go to `judge`. When it names one, the item becomes a
   * copy of it (status `duplicate`, the run's claim dropped); otherwise the item's signature and
   * bands are stored, so later copies find it. `claimLost`: the run no longer holds the item.
   */
  signOrAttach<S>(input: SignInput<S>, judge: (seen: SignedStory<S>[]) => CoverageMatch | null): Promise<SignResult>;
  /**
   * An editor's "not the same story": the copy leaves the story and becomes pending, so the next
   * run drafts it, and is never attached to that story again. False when it is not a copy of `storyId`.
   */
  split(storyId: number, itemId: number, by: string, now: Date): Promise<boolean>;
  /**
   * Makes one of the story's outlets its source (`itemId` a copy of the story, or the story itself
   * to go back to its own). False when the item is neither.
   */
  chooseSource(storyId: number, itemId: number, by: string, now: Date): Promise<boolean>;
}

/** The other outlets of a story (its copies, and its own item when another is its source); read inside the caller's transaction. */
export function coverageOf(db: Connection, storyId: number, sourceItemId: number | null): CoverageLink[] {
  const rows = db.all<{ id: number; url: string | null; title: string | null; feed: string; site_name: string | null; article_title: string | null; reason: string | null; similarity: number | null }>(
    `SELECT i.id, i.url, i.title, f.name AS feed, a.site_name, a.title AS article_title, c.reason, c.similarity
     FROM stories i JOIN feeds f ON f.id = i.feed_id LEFT JOIN articles a ON a.item_id = i.id
       LEFT JOIN coverage c ON c.item_id = i.id
     WHERE (c.story_id = ? OR (i.id = ? AND ? IS NOT NULL)) ORDER BY i.id`,
    storyId,
    storyId,
    sourceItemId,
  );
  return rows
    .filter((r) => r.id !== sourceItemId)
    .map((r) => ({ id: r.id, url: r.url, title: r.title ?? r.article_title, feed: r.feed, siteName: r.site_name, reason: r.reason, similarity: r.similarity }));
}

/** The story a copy belongs to; read inside the caller's transaction. */
export function duplicateOf(db: Connection, itemId: number): DuplicateOf | null {
  const r = db.get<{ story_id: number; reason: string; similarity: number }>('SELECT story_id, reason, similarity FROM coverage WHERE item_id = ?', itemId);
  return r ? { id: r.story_id, reason: r.reason, similarity: r.similarity } : null;
}

export function sqliteCoverage(db: Connection): CoverageStore {
  return {
    signOrAttach: (input, judge) =>
      db.write(() => {
        const owner = claimOwner(input.runId);
        if (!db.get('SELECT 1 FROM stories WHERE id = ? AND claimed_by = ?', input.itemId, owner)) return { claimLost: true } as const;
        const seen = input.bands.length === 0 ? [] : candidates(db, input);
        const match = judge(seen);
        if (match) {
          db.run(
            `INSERT INTO coverage (item_id, story_id, reason, similarity, at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (item_id) DO UPDATE SET story_id = excluded.story_id, reason = excluded.reason, similarity = excluded.similarity, at = excluded.at`,
            input.itemId,
            match.storyId,
            match.reason,
            match.similarity,
            isoOf(input.now),
          );
          db.run(
            `UPDATE stories SET status = 'duplicate', next_attempt_at = NULL, last_error_kind = NULL, last_error_message = NULL,
               last_error_raw = NULL, claimed_by = NULL, claimed_until = NULL, updated_at = ? WHERE id = ?`,
            isoOf(input.now),
            input.itemId,
          );
          // A copy is found through its story, never as a story of its own.
          db.run('DELETE FROM story_bands WHERE item_id = ?', input.itemId);
          db.run('DELETE FROM story_signatures WHERE item_id = ?', input.itemId);
          return { attached: match };
        }
        db.run(
          `INSERT INTO story_signatures (item_id, signature, signed_at) VALUES (?, ?, ?)
           ON CONFLICT (item_id) DO UPDATE SET signature = excluded.signature`,
          input.itemId,
          JSON.stringify(input.signature),
          isoOf(input.now),
        );
        for (const band of input.bands) db.run('INSERT OR IGNORE INTO story_bands (band, item_id) VALUES (?, ?)', band, input.itemId);
        return { signed: true } as const;
      }),

    // A sent story's outlets are final, as its text is: its source link went out with it.
    split: (storyId, itemId, by, now) =>
      db.write(() => {
        refuseIfSent(db, storyId);
        const r = db.run('DELETE FROM coverage WHERE item_id = ? AND story_id = ?', itemId, storyId);
        if (r.changes !== 1) return false;
        db.run('INSERT OR IGNORE INTO coverage_splits (item_id, story_id, by, at) VALUES (?, ?, ?, ?)', itemId, storyId, by, isoOf(now));
        db.run(`UPDATE stories SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = ? WHERE id = ?`, isoOf(now), itemId);
        // The story's source was this outlet: it goes back to the story's own.
        db.run('UPDATE stories SET source_item_id = NULL WHERE id = ? AND source_item_id = ?', storyId, itemId);
        return true;
      }),

    chooseSource: (storyId, itemId, _by, now) =>
      db.write(() => {
        refuseIfSent(db, storyId);
        if (itemId !== storyId && !db.get('SELECT 1 FROM coverage WHERE item_id = ? AND story_id = ?', itemId, storyId)) return false;
        const r = db.run('UPDATE stories SET source_item_id = ?, updated_at = ? WHERE id = ?', itemId === storyId ? null : itemId, isoOf(now), storyId);
        return r.changes === 1;
      }),
  };
}

/** The stories sharing a band key with the item, signed within the window, that it may be attached to. */
function candidates<S>(db: Connection, input: SignInput<S>): SignedStory<S>[] {
  const marks = input.bands.map(() => '?').join(', ');
  const rows = db.all<{ item_id: number; signature: string }>(
    `SELECT s.item_id, s.signature FROM story_signatures s JOIN stories i ON i.id = s.item_id
     WHERE s.item_id IN (SELECT DISTINCT item_id FROM story_bands WHERE band IN (${marks}))
       AND s.item_id <> ? AND s.signed_at >= ? AND i.status NOT IN ('duplicate', 'blocked')
       AND NOT EXISTS (SELECT 1 FROM coverage_splits x WHERE x.item_id = ? AND x.story_id = s.item_id)
     ORDER BY s.item_id`,
    ...input.bands,
    input.itemId,
    isoOf(input.since),
    input.itemId,
  );
  return rows.map((r) => ({ id: r.item_id, signature: JSON.parse(r.signature) as S }));
}
