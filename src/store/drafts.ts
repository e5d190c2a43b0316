import type { Db } from './db.ts';
import type { Draft, Engine, Framing, Takeaway } from '../core/types.ts';

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
  /** model | editor (an editor's edit of `based_on`); see src/store/editorial.ts. */
  origin?: 'model' | 'editor';
  edited_by?: string | null;
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
         reading_minutes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

/** The draft as the JSON contract shows it. */
export function draftJson(row: DraftRow) {
  return {
    version: row.id,
    origin: row.origin ?? 'model',
    editedBy: row.edited_by ?? null,
    engine: row.engine,
    headline: row.headline,
    tldr: row.tldr,
    takeaways: JSON.parse(row.takeaways) as Takeaway[],
    whyItMatters: row.why_it_matters,
    category: row.category,
    framing: JSON.parse(row.framing) as Framing,
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
