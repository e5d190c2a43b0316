import { sql } from 'kysely';
import type { Db, Tx } from './sql.ts';
import { refuseIfSent } from './editorial.ts';
import { holdsClaim } from './items.ts';
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
export async function coverageOf(tx: Tx, storyId: number, sourceItemId: number | null): Promise<CoverageLink[]> {
  // With another outlet as its source, the story's own item is listed among the others.
  const which = sourceItemId === null ? sql`c.story_id = ${storyId}` : sql`(c.story_id = ${storyId} OR i.id = ${storyId})`;
  const rows = await tx.all<{ id: number; url: string | null; title: string | null; feed: string; site_name: string | null; article_title: string | null; reason: string | null; similarity: number | null }>(
    sql`SELECT i.id, i.url, i.title, f.name AS feed, a.site_name, a.title AS article_title, c.reason, c.similarity
        FROM stories i JOIN feeds f ON f.id = i.feed_id LEFT JOIN articles a ON a.item_id = i.id
          LEFT JOIN coverage c ON c.item_id = i.id
        WHERE ${which} ORDER BY i.id`,
  );
  return rows
    .filter((r) => r.id !== sourceItemId)
    .map((r) => ({ id: r.id, url: r.url, title: r.title ?? r.article_title, feed: r.feed, siteName: r.site_name, reason: r.reason, similarity: r.similarity }));
}

/** The story a copy belongs to; read inside the caller's transaction. */
export async function duplicateOf(tx: Tx, itemId: number): Promise<DuplicateOf | null> {
  const r = await tx.get<{ story_id: number; reason: string; similarity: number }>(sql`SELECT story_id, reason, similarity FROM coverage WHERE item_id = ${itemId}`);
  return r ? { id: r.story_id, reason: r.reason, similarity: r.similarity } : null;
}

export function coverageStore(db: Db): CoverageStore {
  return {
    signOrAttach: (input, judge) =>
      db.write(async (tx) => {
        if (!(await holdsClaim(tx, input.itemId, input.runId))) return { claimLost: true } as const;
        const seen = input.bands.length === 0 ? [] : await candidates(tx, input);
        const match = judge(seen);
        const now = isoOf(input.now);
        if (match) {
          await tx.run(
            sql`INSERT INTO coverage (item_id, story_id, reason, similarity, at) VALUES (${input.itemId}, ${match.storyId}, ${match.reason}, ${match.similarity}, ${now})
                ON CONFLICT (item_id) DO UPDATE SET story_id = excluded.story_id, reason = excluded.reason, similarity = excluded.similarity, at = excluded.at`,
          );
          await tx.run(
            sql`UPDATE stories SET status = 'duplicate', next_attempt_at = NULL, last_error_kind = NULL, last_error_message = NULL,
                  last_error_raw = NULL, claimed_by = NULL, claimed_until = NULL, updated_at = ${now} WHERE id = ${input.itemId}`,
          );
          // A copy is found through its story, never as a story of its own.
          await tx.run(sql`DELETE FROM story_bands WHERE item_id = ${input.itemId}`);
          await tx.run(sql`DELETE FROM story_signatures WHERE item_id = ${input.itemId}`);
          return { attached: match };
        }
        await tx.run(
          sql`INSERT INTO story_signatures (item_id, signature, signed_at) VALUES (${input.itemId}, ${JSON.stringify(input.signature)}, ${now})
              ON CONFLICT (item_id) DO UPDATE SET signature = excluded.signature`,
        );
        for (const band of input.bands) await tx.run(sql`INSERT INTO story_bands (band, item_id) VALUES (${band}, ${input.itemId}) ON CONFLICT DO NOTHING`);
        return { signed: true } as const;
      }),

    // A sent story's outlets are final, as its text is: its source link went out with it.
    split: (storyId, itemId, by, now) =>
      db.write(async (tx) => {
        await refuseIfSent(tx, storyId);
        if ((await tx.run(sql`DELETE FROM coverage WHERE item_id = ${itemId} AND story_id = ${storyId}`)) !== 1) return false;
        await tx.run(sql`INSERT INTO coverage_splits (item_id, story_id, by, at) VALUES (${itemId}, ${storyId}, ${by}, ${isoOf(now)}) ON CONFLICT DO NOTHING`);
        await tx.run(sql`UPDATE stories SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = ${isoOf(now)} WHERE id = ${itemId}`);
        // The story's source was this outlet: it goes back to the story's own.
        await tx.run(sql`UPDATE stories SET source_item_id = NULL WHERE id = ${storyId} AND source_item_id = ${itemId}`);
        return true;
      }),

    chooseSource: (storyId, itemId, _by, now) =>
      db.write(async (tx) => {
        await refuseIfSent(tx, storyId);
        if (itemId !== storyId && !(await tx.get(sql`SELECT 1 AS copy FROM coverage WHERE item_id = ${itemId} AND story_id = ${storyId}`))) return false;
        const source = itemId === storyId ? null : itemId;
        return (await tx.run(sql`UPDATE stories SET source_item_id = ${source}, updated_at = ${isoOf(now)} WHERE id = ${storyId}`)) === 1;
      }),
  };
}

/** The stories sharing a band key with the item, signed within the window, that it may be attached to. */
async function candidates<S>(tx: Tx, input: SignInput<S>): Promise<SignedStory<S>[]> {
  const rows = await tx.all<{ item_id: number; signature: string }>(
    sql`SELECT s.item_id, s.signature FROM story_signatures s JOIN stories i ON i.id = s.item_id
        WHERE s.item_id IN (SELECT DISTINCT item_id FROM story_bands WHERE band IN (${sql.join(input.bands)}))
          AND s.item_id <> ${input.itemId} AND s.signed_at >= ${isoOf(input.since)} AND i.status NOT IN ('duplicate', 'blocked')
          AND NOT EXISTS (SELECT 1 FROM coverage_splits x WHERE x.item_id = ${input.itemId} AND x.story_id = s.item_id)
        ORDER BY s.item_id`,
  );
  return rows.map((r) => ({ id: r.item_id, signature: JSON.parse(r.signature) as S }));
}
