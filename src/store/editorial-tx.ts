/**
 * TRANSITIONAL: the editorial helpers that coverage, stories and issues read inside their own
 * transactions, written against `Tx` while editorial.ts is converted elsewhere. Each mirrors the
 * synchronous helper of the same name without `Tx` in editorial.ts; when editorial.ts is on `Db`,
 * its own async helpers replace these and this file goes.
 */
import { sql } from 'kysely';
import type { Tx } from './sql.ts';
import { EditorialError, sentRefusal, standingApproval, type Decision, type DecisionAction, type ReasonCode, type ReviewState, type SentIn } from './editorial.ts';

/** The sent issue a story went out in, or null (editorial.ts `sentOf`). */
export async function sentOfTx(tx: Tx, storyId: number): Promise<SentIn | null> {
  const r = await tx.get<{ issue_id: number; sent_at: string }>(
    sql`SELECT s.issue_id, i.sent_at FROM issue_stories s JOIN issues i ON i.id = s.issue_id
        WHERE s.item_id = ${storyId} AND s.sent_draft_id IS NOT NULL`,
  );
  return r ? { issue: r.issue_id, at: new Date(r.sent_at) } : null;
}

/** Refuses any change to a sent story's decision, text or source (editorial.ts `refuseIfSent`). */
export async function refuseIfSentTx(tx: Tx, storyId: number): Promise<void> {
  const sent = await sentOfTx(tx, storyId);
  if (sent) throw new EditorialError(sentRefusal(sent), 'sent');
}

/** The version of a story that goes out, its standing approval (editorial.ts `standingVersionOf`). */
export async function standingVersionOfTx(tx: Tx, storyId: number): Promise<number | null> {
  const rows = await tx.all<{ action: DecisionAction; draft_id: number | null }>(sql`SELECT action, draft_id FROM decisions WHERE item_id = ${storyId} ORDER BY id`);
  return standingApproval(rows.map((r) => ({ action: r.action, versionId: r.draft_id })));
}

/** The stories whose approval stands, each with the version it names (editorial.ts `standingVersions`). */
export async function standingVersionsTx(tx: Tx): Promise<Map<number, number>> {
  // Only stories with an approve on record can have one standing; each is folded by the one rule.
  const rows = await tx.all<{ item_id: number; action: DecisionAction; draft_id: number | null }>(
    sql`SELECT item_id, action, draft_id FROM decisions
        WHERE item_id IN (SELECT item_id FROM decisions WHERE action = 'approve') ORDER BY item_id, id`,
  );
  const byStory = new Map<number, Pick<Decision, 'action' | 'versionId'>[]>();
  for (const r of rows) {
    const list = byStory.get(r.item_id) ?? [];
    list.push({ action: r.action, versionId: r.draft_id });
    byStory.set(r.item_id, list);
  }
  const out = new Map<number, number>();
  for (const [id, decisions] of byStory) {
    const v = standingApproval(decisions);
    if (v !== null) out.set(id, v);
  }
  return out;
}

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

/** The review state of a story, for the story JSON built inside other reads (editorial.ts `reviewState`). */
export async function reviewStateTx(tx: Tx, storyId: number): Promise<ReviewState> {
  const r = await tx.get<DecisionRow>(sql`SELECT * FROM decisions WHERE item_id = ${storyId} ORDER BY id DESC LIMIT 1`);
  const decision: Decision | null = r
    ? {
        id: r.id,
        storyId: r.item_id,
        versionId: r.draft_id,
        action: r.action,
        reason: r.reason,
        note: r.note,
        snoozedUntil: r.snoozed_until ? new Date(r.snoozed_until) : null,
        by: r.decided_by,
        at: new Date(r.created_at),
      }
    : null;
  // No decision at all: nothing to fold.
  const approvedVersionId = decision ? await standingVersionOfTx(tx, storyId) : null;
  let changedSinceApproval = false;
  if (approvedVersionId !== null) {
    const cur = (await tx.get<{ id: number | null }>(sql`SELECT MAX(id) AS id FROM drafts WHERE item_id = ${storyId}`))!;
    changedSinceApproval = cur.id !== approvedVersionId;
  }
  return { decision, approvedVersionId, changedSinceApproval };
}
