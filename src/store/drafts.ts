import type { Draft, Engine, Framing, FramingVerdict, Recommendation, ResponseFormatKind, Takeaway, UnsupportedClaim } from '../core/types.ts';
import { sql, type Selectable } from 'kysely';
import type { Db, Tx } from './sql.ts';
import { claimOwner, holdsClaim } from './items.ts';
import { readSpool, removeSpooled, spoolDraft } from './spool.ts';
import { isoOf } from './values.ts';
import type { DraftsTable } from './schema.ts';

/**
 * A stored draft, as the `stories --json` contract shows it (plus its ids): the engine's draft
 * (core/types.ts) with its rows' ids, the prompt as one value, and what the store adds.
 */
export interface StoredDraft extends Omit<Draft, 'framing' | 'promptId' | 'promptHash' | 'needsReview' | 'responseFormat' | 'takeaways'> {
  id: number;
  /** Each takeaway with what it says that its quote lacks (empty on drafts checked before that was kept). */
  takeaways: (Takeaway & { missingFromQuote: string[] })[];
  itemId: number;
  /** The run (or redraft) that made it. */
  runId: number | null;
  /** The rubric fields are null on drafts stored before the rubric existed. */
  framing: StoredFraming;
  /** A check still failed after the repair turn. */
  needsReview: boolean;
  prompt: { id: string; hash: string };
  /** How the LLM was asked for JSON; null for extractive and older drafts. */
  responseFormat: ResponseFormatKind | null;
  createdAt: Date;
  /** `model` (a draft) or `editor` (an edit of an earlier version, by `editedBy`): see editorial.ts. */
  origin: 'model' | 'editor';
  editedBy: string | null;
  /**
   * An editor's verdict and recommendation, with who set them and when (null: none; the framing,
   * the model's, stands). Set by an edit, copied by later edits; a re-draft starts without one.
   */
  judgement: Judgement | null;
}

/** An editor's judgement of a story: the framing's verdict and recommendation, set by `by` at `at`. */
export interface Judgement {
  verdict: FramingVerdict;
  recommendation: Recommendation;
  by: string;
  at: Date;
}

/** The verdict and recommendation that stand: an editor's judgement over the model's framing. */
export function judgedFraming(d: Pick<StoredDraft, 'framing' | 'judgement'>): { verdict: FramingVerdict; recommendation: Recommendation | null; by: string | null; at: Date | null } {
  return d.judgement ?? { verdict: d.framing.verdict, recommendation: d.framing.recommendation, by: null, at: null };
}

type RubricField = 'angle' | 'confidence' | 'recommendation';
export type StoredFraming = Omit<Framing, RubricField> & { [K in RubricField]: Framing[K] | null };

/** Rubric fields of drafts stored before the rubric existed: unknown, said as null. */
const FRAMING_BEFORE_RUBRIC = { angle: null, confidence: null, recommendation: null };

/** The drafts table: every draft is kept, the newest is current. */
export interface DraftStore {
  /**
   * Stores a draft a run made, if the run still holds the item's claim (checked in the same
   * transaction), and makes the item a candidate for editors unless editors already decided on
   * it. Returns the draft id, or null when the claim was lost (another run took over).
   */
  save(itemId: number, runId: number, draft: Draft, now: Date): Promise<number | null>;
  /** Keeps a paid-for draft that could not be stored, in a spool beside the database, for the next run. */
  keep(itemId: number, runId: number, draft: Draft, now: Date): Promise<string>;
  /** Stores the drafts kept by earlier runs, for items still without a draft; the rest are dropped. */
  storeKept(now: Date): Promise<{ stored: number; dropped: number }>;
  /** The current (newest) draft of an item. */
  current(itemId: number): Promise<StoredDraft | null>;
  /** Every draft of an item, oldest first: for comparing prompt versions and engines. */
  history(itemId: number): Promise<StoredDraft[]>;
  /** Items whose current draft was made by the given engine. */
  itemIdsWithCurrentEngine(engine: Engine): Promise<number[]>;
  /**
   * Tokens (input + output, as the server counted them) of the model drafts stored since `since`:
   * what the LLM cost. Editors' edits carry their base's counts and are left out.
   */
  tokensSince(since: Date): Promise<number>;
  /**
   * Per feed and model, the tokens of every model draft made by the LLM for the feed's items
   * (re-drafts and rejected stories included): what the feed cost. Editors' edits are left out.
   */
  tokensByFeed(): Promise<{ feedId: number; model: string | null; drafts: number; inputTokens: number; outputTokens: number }[]>;
}

/** A row of drafts, with the columns whose text is one of a few values typed as such. */
type DraftRow = Selectable<DraftsTable> & { engine: Engine; response_format: ResponseFormatKind | null; origin: 'model' | 'editor' };

const toDraft = (r: DraftRow): StoredDraft => ({
  id: r.id,
  itemId: r.item_id,
  runId: r.run_id,
  engine: r.engine,
  headline: r.headline,
  tldr: r.tldr,
  // `supported` is unknown for drafts stored before the check existed; their `grounded` stands in.
  // `missingFromQuote` was not kept before the check named what a takeaway adds: none known.
  takeaways: (JSON.parse(r.takeaways) as Takeaway[]).map((t) => ({ ...t, supported: t.supported ?? t.grounded, missingFromQuote: t.missingFromQuote ?? [] })),
  deck: r.deck,
  body: JSON.parse(r.body) as string[],
  whyItMatters: r.why_it_matters,
  implications: JSON.parse(r.implications) as string[],
  readerNote: r.reader_note,
  category: r.category,
  framing: { ...FRAMING_BEFORE_RUBRIC, ...(JSON.parse(r.framing) as Framing) },
  unsupportedClaims: JSON.parse(r.unsupported_claims) as UnsupportedClaim[],
  needsReview: r.needs_review === 1,
  model: r.model,
  prompt: { id: r.prompt_id, hash: r.prompt_hash },
  inputTokens: r.input_tokens,
  outputTokens: r.output_tokens,
  latencyMs: r.latency_ms,
  inputTruncated: r.input_truncated === 1,
  readingMinutes: r.reading_minutes,
  responseFormat: r.response_format,
  createdAt: new Date(r.created_at),
  origin: r.origin,
  editedBy: r.edited_by,
  judgement: r.judgement ? toJudgement(JSON.parse(r.judgement) as Omit<Judgement, 'at'> & { at: string }) : null,
});

const toJudgement = (j: Omit<Judgement, 'at'> & { at: string }): Judgement => ({ verdict: j.verdict, recommendation: j.recommendation, by: j.by, at: new Date(j.at) });

/** Reads one draft inside the caller's transaction. */
export async function draftById(tx: Tx, id: number): Promise<StoredDraft | null> {
  const r = await tx.get<DraftRow>(sql`SELECT * FROM drafts WHERE id = ${id}`);
  return r ? toDraft(r) : null;
}

/** Inserts a draft and makes its item a candidate (editors' decisions kept); part of the caller's transaction. */
async function insertDraft(tx: Tx, itemId: number, runId: number | null, d: Draft, now: Date): Promise<number> {
  const { id } = await tx.k
    .insertInto('drafts')
    .values({
      item_id: itemId,
      run_id: runId,
      engine: d.engine,
      model: d.model,
      prompt_id: d.promptId,
      prompt_hash: d.promptHash,
      headline: d.headline,
      tldr: d.tldr,
      takeaways: JSON.stringify(d.takeaways),
      why_it_matters: d.whyItMatters,
      category: d.category,
      framing: JSON.stringify(d.framing),
      input_tokens: d.inputTokens,
      output_tokens: d.outputTokens,
      latency_ms: Math.round(d.latencyMs),
      input_truncated: d.inputTruncated ? 1 : 0,
      reading_minutes: d.readingMinutes,
      created_at: isoOf(now),
      response_format: d.responseFormat ?? null,
      deck: d.deck,
      body: JSON.stringify(d.body),
      implications: JSON.stringify(d.implications),
      reader_note: d.readerNote,
      unsupported_claims: JSON.stringify(d.unsupportedClaims),
      needs_review: d.needsReview ? 1 : 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.run(
    sql`UPDATE stories SET status = CASE WHEN status IN ('approved', 'rejected') THEN status ELSE 'candidate' END,
          next_attempt_at = NULL, last_error_kind = NULL, last_error_message = NULL, last_error_raw = NULL,
          claimed_by = NULL, claimed_until = NULL, updated_at = ${isoOf(now)}
        WHERE id = ${itemId}`,
  );
  return id;
}

/** The drafts of the store in `db`; paid drafts the database refuses are kept in `spoolDir`. */
export function draftStore(db: Db, spoolDir: string): DraftStore {
  return {
    save: (itemId, runId, draft, now) =>
      db.write(async (tx) => ((await holdsClaim(tx, itemId, runId)) ? insertDraft(tx, itemId, runId, draft, now) : null)),

    keep: async (itemId, runId, draft, now) => spoolDraft(spoolDir, { itemId, runId, draft, madeAt: isoOf(now) }),

    storeKept: async (now) => {
      let stored = 0;
      let dropped = 0;
      for (const { file, entry } of readSpool(spoolDir)) {
        const saved = await db.write(async (tx) => {
          // Only for an item still waiting for its first draft, and not claimed by a live run.
          const waiting = await tx.get(
            sql`SELECT 1 AS waiting FROM stories WHERE id = ${entry.itemId} AND status IN ('pending', 'failed', 'deferred')
                  AND (claimed_until IS NULL OR claimed_until < ${isoOf(now)} OR claimed_by = ${claimOwner(entry.runId)})`,
          );
          if (!waiting) return false;
          await insertDraft(tx, entry.itemId, entry.runId, entry.draft, new Date(entry.madeAt));
          return true;
        });
        removeSpooled(file);
        if (saved) stored++;
        else dropped++;
      }
      return { stored, dropped };
    },

    current: (itemId) =>
      db.read(async (tx) => {
        const r = await tx.get<DraftRow>(sql`SELECT * FROM drafts WHERE item_id = ${itemId} ORDER BY id DESC LIMIT 1`);
        return r ? toDraft(r) : null;
      }),

    history: (itemId) => db.read(async (tx) => (await tx.all<DraftRow>(sql`SELECT * FROM drafts WHERE item_id = ${itemId} ORDER BY id`)).map(toDraft)),

    itemIdsWithCurrentEngine: (engine) =>
      db.read(async (tx) =>
        (
          await tx.all<{ id: number }>(
            sql`SELECT d.item_id AS id FROM drafts d
                WHERE d.id = (SELECT MAX(id) FROM drafts WHERE item_id = d.item_id) AND d.engine = ${engine}
                ORDER BY d.item_id`,
          )
        ).map((r) => r.id),
      ),

    tokensByFeed: () =>
      db.read(async (tx) =>
        (
          await tx.all<{ feed_id: number; model: string | null; drafts: number; input_tokens: number; output_tokens: number }>(
            sql`SELECT i.feed_id, d.model, COUNT(*) AS drafts, SUM(d.input_tokens) AS input_tokens, SUM(d.output_tokens) AS output_tokens
                FROM drafts d JOIN stories i ON i.id = d.item_id
                WHERE d.origin = 'model' AND d.engine = 'llm'
                GROUP BY i.feed_id, d.model ORDER BY i.feed_id, d.model`,
          )
        ).map((r) => ({ feedId: r.feed_id, model: r.model, drafts: r.drafts, inputTokens: r.input_tokens, outputTokens: r.output_tokens })),
      ),

    tokensSince: (since) =>
      db.read(
        async (tx) =>
          (await tx.get<{ tokens: number | null }>(
            sql`SELECT SUM(input_tokens + output_tokens) AS tokens FROM drafts WHERE origin = 'model' AND created_at >= ${isoOf(since)}`,
          ))!.tokens ?? 0,
      ),
  };
}
