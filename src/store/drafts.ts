import type { Db } from './db.ts';
import type { Draft, Engine, Framing, Takeaway, UnsupportedClaim } from '../core/types.ts';

export interface DraftRow {
  id: number;
  item_id: number;
  run_id: number | null;
  engine: Engine;
  model: string | null;
  prompt_id: string;
  prompt_hash: string;
  headline: string;
  tldr: string;
  takeaways: string;
  why_it_matters: string;
  category: string;
  framing: string;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  input_truncated: number;
  reading_minutes: number;
  created_at: string;
  deck: string;
  body: string;
  implications: string;
  reader_note: string | null;
  unsupported_claims: string;
  needs_review: number;
}

/**
 * Stores a draft (every draft is kept; the newest is current) and makes the item a candidate
 * for editors, unless editors already decided on it.
 */
export function saveDraft(db: Db, itemId: number, runId: number | null, d: Draft, now: string): number {
  const r = db
    .prepare(
      `INSERT INTO drafts (item_id, run_id, engine, model, prompt_id, prompt_hash, headline, tldr, takeaways,
         why_it_matters, category, framing, input_tokens, output_tokens, latency_ms, input_truncated,
         reading_minutes, created_at, deck, body, implications, reader_note, unsupported_claims, needs_review)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      itemId,
      runId,
      d.engine,
      d.model,
      d.promptId,
      d.promptHash,
      d.headline,
      d.tldr,
      JSON.stringify(d.takeaways),
      d.whyItMatters,
      d.category,
      JSON.stringify(d.framing),
      d.inputTokens,
      d.outputTokens,
      Math.round(d.latencyMs),
      d.inputTruncated ? 1 : 0,
      d.readingMinutes,
      now,
      d.deck,
      JSON.stringify(d.body),
      JSON.stringify(d.implications),
      d.readerNote,
      JSON.stringify(d.unsupportedClaims),
      d.needsReview ? 1 : 0,
    );
  db.prepare(
    `UPDATE items SET status = CASE WHEN status IN ('approved', 'rejected') THEN status ELSE 'candidate' END,
       next_attempt_at = NULL, last_error_kind = NULL, last_error_message = NULL, last_error_raw = NULL,
       claimed_by = NULL, claimed_until = NULL, updated_at = ?
     WHERE id = ?`,
  ).run(now, itemId);
  return Number(r.lastInsertRowid);
}

/** The current (newest) draft of an item. */
export function currentDraft(db: Db, itemId: number): DraftRow | null {
  return (
    (db.prepare('SELECT * FROM drafts WHERE item_id = ? ORDER BY id DESC LIMIT 1').get(itemId) as DraftRow | undefined) ??
    null
  );
}

/** Every draft of an item, oldest first: for comparing prompt versions and engines. */
export function draftHistory(db: Db, itemId: number): DraftRow[] {
  return db.prepare('SELECT * FROM drafts WHERE item_id = ? ORDER BY id').all(itemId) as DraftRow[];
}

/** Items whose current draft was made by the given engine. */
export function itemIdsWithCurrentEngine(db: Db, engine: Engine): number[] {
  const rows = db
    .prepare(
      `SELECT d.item_id AS id FROM drafts d
       WHERE d.id = (SELECT MAX(id) FROM drafts WHERE item_id = d.item_id) AND d.engine = ?
       ORDER BY d.item_id`,
    )
    .all(engine) as { id: number }[];
  return rows.map((r) => r.id);
}

/** Rubric fields of drafts stored before the rubric existed: unknown, said as null. */
const FRAMING_BEFORE_RUBRIC = { angle: null, confidence: null, recommendation: null };

/** The draft as the JSON contract shows it. */
export function draftJson(row: DraftRow) {
  return {
    engine: row.engine,
    headline: row.headline,
    tldr: row.tldr,
    // `supported` is unknown for drafts stored before the check existed; their `grounded` stands in.
    takeaways: (JSON.parse(row.takeaways) as Takeaway[]).map((t) => ({ ...t, supported: t.supported ?? t.grounded })),
    deck: row.deck,
    body: JSON.parse(row.body) as string[],
    whyItMatters: row.why_it_matters,
    implications: JSON.parse(row.implications) as string[],
    readerNote: row.reader_note,
    category: row.category,
    framing: { ...FRAMING_BEFORE_RUBRIC, ...(JSON.parse(row.framing) as Framing) } as Omit<Framing, 'angle' | 'confidence' | 'recommendation'> &
      { [K in 'angle' | 'confidence' | 'recommendation']: Framing[K] | null },
    unsupportedClaims: JSON.parse(row.unsupported_claims) as UnsupportedClaim[],
    needsReview: row.needs_review === 1,
    model: row.model,
    prompt: { id: row.prompt_id, hash: row.prompt_hash },
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    latencyMs: row.latency_ms,
    inputTruncated: row.input_truncated === 1,
    readingMinutes: row.reading_minutes,
    createdAt: row.created_at,
  };
}
