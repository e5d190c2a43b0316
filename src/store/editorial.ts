import type { Connection } from './db.ts';
import { draftByIdOn as draftById, type Judgement, type StoredDraft } from './drafts.ts';
import { ftsQuery } from './search-query.ts';
import type { Takeaway, UnsupportedClaim } from '../core/types.ts';

/** Why an editor rejected a story: the labels the prompt workbench scores prompts against. */
export const REASON_CODES = ['not_ai', 'negative', 'spin', 'duplicate', 'paywalled', 'low_quality', 'other'] as const;
export type ReasonCode = (typeof REASON_CODES)[number];
export type DecisionAction = 'approve' | 'reject' | 'snooze' | 'reopen';

/** One editor decision on one version of a story. Decisions are never changed or deleted. */
export interface Decision {
  id: number;
  storyId: number;
  versionId: number | null;
  action: DecisionAction;
  reason: ReasonCode | null;
  note: string | null;
  snoozedUntil: Date | null;
  by: string;
  at: Date;
}


/**
 * An editor's last word on a story, as a label to score prompts against: approved (with the
 * version approved), or rejected with a reason code.
 */
export interface EditorLabel {
  storyId: number;
  decision: 'approve' | 'reject';
  reason: ReasonCode | null;
  at: Date;
  /** The version the editor approved (an editor's edit or a model draft); null for a rejection. */
  approved: StoredDraft | null;
}

/** A version of a story's text: a model draft, or an editor's edit of an earlier version. */
export interface Version {
  id: number;
  storyId: number;
  origin: 'model' | 'editor';
  editedBy: string | null;
  basedOn: number | null;
  createdAt: Date;
  draft: StoredDraft;
}

/**
 * The fields an editor may change, and what the desk computed of them again (checks against the
 * article, reading time); everything else (framing, provenance) is carried over from the base.
 */
export type DraftEdit = Pick<
  StoredDraft,
  'headline' | 'tldr' | 'takeaways' | 'deck' | 'body' | 'whyItMatters' | 'implications' | 'readerNote' | 'category' | 'unsupportedClaims' | 'needsReview' | 'readingMinutes'
> & {
  /** A verdict and recommendation the editor set in this edit, saved as their judgement; absent or null: the base's stands. */
  judgement?: Pick<Judgement, 'verdict' | 'recommendation'> | null;
};

/** Where a story stands with editors: the latest decision decides the status. */
export interface ReviewState {
  decision: Decision | null;
  /** The version the standing approval names (see `standingApproval`): the one that goes out; null when none stands. */
  approvedVersionId: number | null;
  /** True when a newer version exists than the one approved (a re-draft or edit after approval). */
  changedSinceApproval: boolean;
}

export interface QueueFilters {
  feed?: string;
  category?: string;
  verdict?: string;
  engine?: string;
  /** candidate (default), approved, rejected, or all. */
  status?: string;
  /** Full-text search over title, draft and article text. */
  q?: string;
  /** Snoozed stories come back after their date; until then the queue hides them. */
  now?: Date;
}

export interface QueueEntry {
  id: number;
  title: string | null;
  url: string | null;
  feed: string;
  status: string;
  published: string | null;
  headline: string | null;
  /** The current draft's TL;DR, the queue's one-line summary. */
  tldr: string | null;
  category: string | null;
  verdict: string | null;
  /** The recommendation: include, include_with_note or skip (null on drafts before the rubric); like `verdict`, an editor's judgement over the model's. */
  recommendation: string | null;
  /** The editor whose judgement set `verdict` and `recommendation`; null: the model's framing. */
  judgedBy: string | null;
  engine: string | null;
  /** Why the story needs a closer look (empty when it does not): shown after clean candidates. */
  flags: string[];
  snoozedUntil: Date | null;
  /** The issue it went out in: its decision is final, and the queue offers no action on it. */
  sent: SentIn | null;
}

/** Thrown for an id that is not a story, a story with nothing to decide on, or one already sent; the message says what. */
export class EditorialError extends Error {
  constructor(
    message: string,
    readonly code: 'unknown_story' | 'no_draft' | 'unknown_version' | 'invalid' | 'sent',
  ) {
    super(message);
  }
}

/** The issue a story went out in, and when: from then on its decision and its text are final. */
export interface SentIn {
  issue: number;
  at: Date;
}

/**
 * The version that goes out: the one named by the story's standing approval, meaning the latest
 * approve that no later reject or reopen has withdrawn. Nothing else moves it: a snooze, an edit
 * or a re-draft adds a decision or a version, never an approval. Null when no approval stands;
 * such a story appears in nothing public. `decisions` oldest first.
 */
export function standingApproval(decisions: readonly Pick<Decision, 'action' | 'versionId'>[]): number | null {
  let standing: number | null = null;
  for (const d of decisions) {
    if (d.action === 'approve') standing = d.versionId;
    else if (d.action === 'reject' || d.action === 'reopen') standing = null;
  }
  return standing;
}

/** The sentence every refusal of a sent story carries, naming the issue and its date (UTC). */
export function sentSentence(sent: SentIn): string {
  return `Sent in issue ${sent.issue} on ${sent.at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Why nothing may change a sent story's decision or text: the sentence, and what the editor can still do. */
export function sentRefusal(sent: SentIn): string {
  return `${sentSentence(sent)}: what went out is final, so its decision and its text no longer change`;
}

/** The version of a story that goes out (its standing approval), read inside the caller's transaction. */
export function standingVersionOf(db: Connection, storyId: number): number | null {
  const rows = db.all<{ action: DecisionAction; draft_id: number | null }>('SELECT action, draft_id FROM decisions WHERE item_id = ? ORDER BY id', storyId);
  return standingApproval(rows.map((r) => ({ action: r.action, versionId: r.draft_id })));
}

/** The stories whose approval stands, each with the version it names; read inside the caller's transaction. */
export function standingVersions(db: Connection): Map<number, number> {
  // Only stories with an approve on record can have one standing; each is folded by the one rule.
  const rows = db.all<{ item_id: number; action: DecisionAction; draft_id: number | null }>(
    `SELECT item_id, action, draft_id FROM decisions
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

/** The sent issue a story went out in, or null; read inside the caller's transaction. */
export function sentOf(db: Connection, storyId: number): SentIn | null {
  const r = db.get<{ issue_id: number; sent_at: string }>(
    `SELECT s.issue_id, i.sent_at FROM issue_stories s JOIN issues i ON i.id = s.issue_id
     WHERE s.item_id = ? AND s.sent_draft_id IS NOT NULL`,
    storyId,
  );
  return r ? { issue: r.issue_id, at: new Date(r.sent_at) } : null;
}

/** Refuses any change to a sent story's decision, text or source (the one check every such action passes). */
export function refuseIfSent(db: Connection, storyId: number): void {
  const sent = sentOf(db, storyId);
  if (sent) throw new EditorialError(sentRefusal(sent), 'sent');
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

type VersionRow = { id: number; item_id: number; origin: 'model' | 'editor'; edited_by: string | null; based_on: number | null; created_at: string };

const STATUS_AFTER: Record<DecisionAction, string | null> = {
  approve: 'approved',
  reject: 'rejected',
  reopen: 'candidate',
  // Snoozing keeps the story a candidate: it only leaves the queue until its date.
  snooze: null,
};

/**
 * Editors' side of the store: versions, decisions, the review queue and its search. Each method is
 * one transaction. A second backend implements this interface; the SQLite one is below.
 */
export interface EditorialStore {
  /**
   * Appends a decision on a version (default: the current one) and sets the story's status.
   * Approve and reject need a draft; reject needs a reason code. Rejects with an EditorialError
   * for an unknown story or version, a story without a draft, a missing or unknown reason, or a
   * story sent in an issue (code `sent`: its decision is final).
   */
  decide(
    storyId: number,
    d: { action: DecisionAction; by: string; now: Date; versionId?: number; reason?: ReasonCode; note?: string; until?: Date },
  ): Promise<Decision>;
  /** Every decision on a story, oldest first. */
  decisions(storyId: number): Promise<Decision[]>;
  /** Every version of a story, oldest first; the last is current. */
  versions(storyId: number): Promise<Version[]>;
  /**
   * Every story an editor approved or rejected and did not reopen since (a snooze does not undo a
   * decision), oldest story first: the labels the prompt workbench scores against. `ids` keeps
   * only those stories; `decidedSince` only decisions made at or after that time.
   */
  labels(opts?: { ids?: number[]; decidedSince?: Date }): Promise<EditorLabel[]>;
  /**
   * Per feed (by id), its stories editors approved and rejected, each by its latest approve,
   * reject or reopen (a reopened story is undecided again; a snooze changes nothing): the
   * acceptance rate `aiwins feeds` shows is approved / (approved + rejected).
   */
  decisionsByFeed(): Promise<Map<number, { approved: number; rejected: number }>>;
  /** The review state of a story (its latest decision, the approved version). */
  review(storyId: number): Promise<ReviewState>;
  /**
   * Saves an editor's edit of version `baseVersionId` as a new version. When the base is no longer
   * the current version (someone saved or re-drafted meanwhile), nothing is saved and the current
   * version is returned, so the editor can compare both texts. A sent story is refused (an
   * EditorialError, code `sent`).
   */
  saveEdit(storyId: number, baseVersionId: number, edit: DraftEdit, by: string, now: Date): Promise<{ ok: true; version: Version } | { ok: false; current: Version }>;
  /**
   * The review queue: drafted stories matching the filters, clean candidates first, then flagged
   * ones, each group newest first.
   */
  queue(f?: QueueFilters): Promise<QueueEntry[]>;
  /** The distinct values the queue's filters offer. */
  queueFacets(): Promise<{ feeds: string[]; categories: string[]; engines: string[]; verdicts: string[] }>;
}

/** The editorial store over SQLite. */
export function sqliteEditorial(db: Connection): EditorialStore {
  return new SqliteEditorial(db);
}

class SqliteEditorial implements EditorialStore {
  constructor(private readonly db: Connection) {}

  async decide(
    storyId: number,
    d: { action: DecisionAction; by: string; now: Date; versionId?: number; reason?: ReasonCode; note?: string; until?: Date },
  ): Promise<Decision> {
    return this.db.write(() => {
      const item = this.db.get('SELECT id, status FROM stories WHERE id = ?', storyId) as { id: number; status: string } | undefined;
      if (!item) throw new EditorialError(`no story ${storyId} (see \`aiwins stories\`)`, 'unknown_story');
      refuseIfSent(this.db, storyId);
      const current = this.currentVersionId(storyId);
      if (current === null) {
        throw new EditorialError(`story ${storyId} has no draft yet (status ${item.status}); nothing to decide on`, 'no_draft');
      }
      const versionId = d.versionId ?? current;
      if (d.versionId !== undefined) {
        const owner = this.db.get('SELECT item_id FROM drafts WHERE id = ?', d.versionId) as { item_id: number } | undefined;
        if (owner?.item_id !== storyId) throw new EditorialError(`version ${d.versionId} is not a version of story ${storyId}`, 'unknown_version');
      }
      if (d.action === 'reject' && !d.reason) throw new EditorialError('a rejection needs a reason code', 'invalid');
      if (d.reason && !(REASON_CODES as readonly string[]).includes(d.reason)) {
        throw new EditorialError(`reason: expected one of ${REASON_CODES.join(', ')}, got "${d.reason}"`, 'invalid');
      }
      if (d.action === 'snooze' && !d.until) throw new EditorialError('snooze needs a date', 'invalid');
      const at = d.now.toISOString();
      const r = this.db.run(`INSERT INTO decisions (item_id, draft_id, action, reason, note, snoozed_until, decided_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, storyId, versionId, d.action, d.action === 'reject' ? d.reason : null, d.note || null, d.until?.toISOString() ?? null, d.by, at);
      const status = STATUS_AFTER[d.action];
      if (status) this.db.run('UPDATE stories SET status = ?, updated_at = ? WHERE id = ?', status, at, storyId);
      return toDecision(this.db.get('SELECT * FROM decisions WHERE id = ?', r.lastInsertRowid) as DecisionRow);
    });
  }

  async decisions(storyId: number): Promise<Decision[]> {
    return this.db.read(() => (this.db.all('SELECT * FROM decisions WHERE item_id = ? ORDER BY id', storyId) as DecisionRow[]).map(toDecision));
  }

  async versions(storyId: number): Promise<Version[]> {
    return this.db.read(() =>
      (this.db.all('SELECT * FROM drafts WHERE item_id = ? ORDER BY id', storyId) as VersionRow[]).map((r) => toVersion(this.db, r)),
    );
  }

  async labels(opts: { ids?: number[]; decidedSince?: Date } = {}): Promise<EditorLabel[]> {
    return this.db.read(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (opts.ids) {
        where.push(`d.item_id IN (${opts.ids.map(() => '?').join(', ') || 'NULL'})`);
        params.push(...opts.ids);
      }
      if (opts.decidedSince) {
        where.push('d.created_at >= ?');
        params.push(opts.decidedSince.toISOString());
      }
      const rows = this.db.all<DecisionRow>(
        `SELECT d.* FROM decisions d
         WHERE d.id = (SELECT MAX(id) FROM decisions WHERE item_id = d.item_id AND action IN ('approve', 'reject', 'reopen'))
           AND d.action IN ('approve', 'reject') ${where.map((w) => `AND ${w}`).join(' ')}
         ORDER BY d.item_id`,
        ...params,
      );
      return rows.map((r) => ({
        storyId: r.item_id,
        decision: r.action as 'approve' | 'reject',
        reason: r.action === 'reject' ? r.reason : null,
        at: new Date(r.created_at),
        approved: r.action === 'approve' && r.draft_id !== null ? draftById(this.db, r.draft_id) : null,
      }));
    });
  }

  async decisionsByFeed(): Promise<Map<number, { approved: number; rejected: number }>> {
    return this.db.read(() => {
      const rows = this.db.all<{ feed_id: number; approved: number; rejected: number }>(
        `SELECT i.feed_id, SUM(d.action = 'approve') AS approved, SUM(d.action = 'reject') AS rejected
         FROM decisions d JOIN stories i ON i.id = d.item_id
         WHERE d.id = (SELECT MAX(id) FROM decisions WHERE item_id = d.item_id AND action IN ('approve', 'reject', 'reopen'))
           AND d.action IN ('approve', 'reject')
         GROUP BY i.feed_id`,
      );
      return new Map(rows.map((r) => [r.feed_id, { approved: r.approved, rejected: r.rejected }]));
    });
  }

  async review(storyId: number): Promise<ReviewState> {
    return reviewState(this.db, storyId);
  }

  async saveEdit(
    storyId: number,
    baseVersionId: number,
    edit: DraftEdit,
    by: string,
    now: Date,
  ): Promise<{ ok: true; version: Version } | { ok: false; current: Version }> {
    return this.db.write(() => {
      const base = this.db.get('SELECT * FROM drafts WHERE id = ? AND item_id = ?', baseVersionId, storyId) as
        | VersionRow
        | undefined;
      if (!base) throw new EditorialError(`version ${baseVersionId} is not a version of story ${storyId}`, 'unknown_version');
      refuseIfSent(this.db, storyId);
      const currentId = this.currentVersionId(storyId)!;
      if (currentId !== baseVersionId) {
        return { ok: false as const, current: toVersion(this.db, this.db.get('SELECT * FROM drafts WHERE id = ?', currentId) as VersionRow) };
      }
      // Copy every column of the base (columns added later included), then the edited fields.
      const row: Record<string, unknown> = { ...base };
      delete row.id;
      Object.assign(row, {
        headline: edit.headline,
        tldr: edit.tldr,
        takeaways: JSON.stringify(edit.takeaways),
        why_it_matters: edit.whyItMatters,
        category: edit.category,
        deck: edit.deck,
        body: JSON.stringify(edit.body),
        implications: JSON.stringify(edit.implications),
        reader_note: edit.readerNote,
        unsupported_claims: JSON.stringify(edit.unsupportedClaims),
        needs_review: edit.needsReview ? 1 : 0,
        reading_minutes: edit.readingMinutes,
        // The editor's judgement, with who and when; without one, the base's (copied above) stands.
        ...(edit.judgement && { judgement: JSON.stringify({ verdict: edit.judgement.verdict, recommendation: edit.judgement.recommendation, by, at: now.toISOString() }) }),
        origin: 'editor',
        edited_by: by,
        based_on: base.id,
        run_id: null,
        created_at: now.toISOString(),
      });
      const cols = Object.keys(row);
      const r = this.db.run(`INSERT INTO drafts (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`, row);
      return { ok: true as const, version: toVersion(this.db, this.db.get('SELECT * FROM drafts WHERE id = ?', r.lastInsertRowid) as VersionRow) };
    });
  }

  async queue(f: QueueFilters = {}): Promise<QueueEntry[]> {
    const where: string[] = ['d.id IS NOT NULL'];
    const params: Record<string, unknown> = {};
    const status = f.status || 'candidate';
    if (status !== 'all') {
      where.push('i.status = @status');
      params.status = status;
    }
    if (f.feed) (where.push('f.name = @feed'), (params.feed = f.feed));
    if (f.category) (where.push('d.category = @category'), (params.category = f.category));
    if (f.engine) (where.push('d.engine = @engine'), (params.engine = f.engine));
    if (f.verdict) (where.push(`${JUDGED('verdict')} = @verdict`), (params.verdict = f.verdict));
    const match = f.q ? ftsQuery(f.q) : null;
    if (match) (where.push('i.id IN (SELECT rowid FROM story_search WHERE story_search MATCH @match)'), (params.match = match));
    const rows = this.db.guard(() => this.db.all(`SELECT i.id, i.title, i.url, i.status, i.published_at, f.name AS feed_name, d.headline, d.tldr, d.category, d.engine,
           d.takeaways, d.unsupported_claims, d.needs_review, ${JUDGED('verdict')} AS verdict,
           ${JUDGED('recommendation')} AS recommendation, json_extract(d.judgement, '$.by') AS judged_by,
           (SELECT snoozed_until FROM decisions x WHERE x.item_id = i.id ORDER BY x.id DESC LIMIT 1) AS snoozed_until,
           sent.issue_id AS sent_issue, sent.sent_at
         FROM stories i JOIN feeds f ON f.id = i.feed_id
         LEFT JOIN drafts d ON d.id = (SELECT MAX(id) FROM drafts WHERE item_id = i.id)
         LEFT JOIN (SELECT s.item_id, s.issue_id, x.sent_at FROM issue_stories s JOIN issues x ON x.id = s.issue_id
                    WHERE s.sent_draft_id IS NOT NULL) sent ON sent.item_id = i.id
         WHERE ${where.join(' AND ')}
         ORDER BY COALESCE(i.published_at, i.discovered_at) DESC, i.id DESC`, params)) as {
      id: number;
      title: string | null;
      url: string | null;
      status: string;
      published_at: string | null;
      feed_name: string;
      headline: string | null;
      tldr: string | null;
      category: string | null;
      engine: string | null;
      takeaways: string | null;
      unsupported_claims: string | null;
      needs_review: number | null;
      verdict: string | null;
      recommendation: string | null;
      judged_by: string | null;
      snoozed_until: string | null;
      sent_issue: number | null;
      sent_at: string | null;
    }[];
    const now = f.now ?? new Date();
    const entries = rows
      .map((r) => ({
        id: r.id,
        title: r.title,
        url: r.url,
        feed: r.feed_name,
        status: r.status,
        published: r.published_at,
        headline: r.headline,
        tldr: r.tldr,
        category: r.category,
        verdict: r.verdict,
        recommendation: r.recommendation,
        judgedBy: r.judged_by,
        engine: r.engine,
        flags: reviewFlags({
          verdict: r.verdict,
          recommendation: r.recommendation,
          needsReview: r.needs_review === 1,
          takeaways: r.takeaways ? (JSON.parse(r.takeaways) as Takeaway[]) : [],
          unsupportedClaims: r.unsupported_claims ? (JSON.parse(r.unsupported_claims) as UnsupportedClaim[]) : [],
        }),
        snoozedUntil: r.snoozed_until ? new Date(r.snoozed_until) : null,
        sent: r.sent_issue !== null && r.sent_at ? { issue: r.sent_issue, at: new Date(r.sent_at) } : null,
      }))
      .filter((e) => status !== 'candidate' || !e.snoozedUntil || e.snoozedUntil <= now);
    return [...entries.filter((e) => e.flags.length === 0), ...entries.filter((e) => e.flags.length > 0)];
  }

  async queueFacets(): Promise<{ feeds: string[]; categories: string[]; engines: string[]; verdicts: string[] }> {
    const col = (sql: string) => this.db.all<{ v: string }>(sql).map((r) => r.v).filter(Boolean);
    return this.db.read(() => ({
      feeds: col('SELECT DISTINCT name AS v FROM feeds ORDER BY name'),
      categories: col('SELECT DISTINCT category AS v FROM drafts ORDER BY category'),
      engines: col('SELECT DISTINCT engine AS v FROM drafts ORDER BY engine'),
      verdicts: col(`SELECT DISTINCT ${JUDGED('verdict', '')} AS v FROM drafts ORDER BY 1`),
    }));
  }

  private currentVersionId(storyId: number): number | null {
    const r = this.db.get('SELECT MAX(id) AS id FROM drafts WHERE item_id = ?', storyId) as { id: number | null };
    return r.id;
  }
}

/**
 * Why a draft needs a closer look before approval: a check failed after the repair turn, a
 * verdict other than positive (uncertain included), a recommendation to skip, quotes not found in
 * the article, takeaways that say more than their quote, numbers or names the article lacks.
 */
export function reviewFlags(d: {
  verdict: string | null;
  recommendation: string | null;
  needsReview: boolean;
  takeaways: Takeaway[];
  unsupportedClaims: UnsupportedClaim[];
}): string[] {
  const flags: string[] = [];
  const count = (n: number, what: string) => `${n} ${what}${n > 1 ? 's' : ''}`;
  if (d.needsReview) flags.push('needs review');
  if (d.verdict && d.verdict !== 'positive') flags.push(`verdict ${d.verdict}`);
  if (d.recommendation === 'skip') flags.push('recommends skip');
  const ungrounded = d.takeaways.filter((t) => !t.grounded).length;
  if (ungrounded > 0) flags.push(count(ungrounded, 'ungrounded quote'));
  // `supported` implies grounded: a grounded quote whose takeaway adds a number or name.
  const unsupported = d.takeaways.filter((t) => t.grounded && t.supported === false).length;
  if (unsupported > 0) flags.push(count(unsupported, 'unsupported takeaway'));
  if (d.unsupportedClaims.length > 0) flags.push(count(d.unsupportedClaims.length, 'unsupported claim'));
  return flags;
}

/** The review state of a story; synchronous, for the story JSON built inside other reads. */
export function reviewState(db: Connection, storyId: number): ReviewState {
  const latest = db.get<DecisionRow>('SELECT * FROM decisions WHERE item_id = ? ORDER BY id DESC LIMIT 1', storyId);
  const decision = latest ? toDecision(latest) : null;
  // No decision at all: nothing to fold.
  const approvedVersionId = decision ? standingVersionOf(db, storyId) : null;
  let changedSinceApproval = false;
  if (approvedVersionId !== null) {
    const cur = db.get<{ id: number | null }>('SELECT MAX(id) AS id FROM drafts WHERE item_id = ?', storyId)!;
    changedSinceApproval = cur.id !== approvedVersionId;
  }
  return { decision, approvedVersionId, changedSinceApproval };
}

/** Decision as the story JSON shows it (dates as ISO strings). */
export function decisionJson(d: Decision) {
  return {
    action: d.action,
    version: d.versionId,
    reason: d.reason,
    note: d.note,
    snoozedUntil: d.snoozedUntil?.toISOString() ?? null,
    by: d.by,
    at: d.at.toISOString(),
  };
}

/** A draft's verdict or recommendation in SQL: an editor's judgement over the model's framing. */
const JUDGED = (field: 'verdict' | 'recommendation', table = 'd.') =>
  `COALESCE(json_extract(${table}judgement, '$.${field}'), json_extract(${table}framing, '$.${field}'))`;

function toDecision(r: DecisionRow): Decision {
  return {
    id: r.id,
    storyId: r.item_id,
    versionId: r.draft_id,
    action: r.action,
    reason: r.reason,
    note: r.note,
    snoozedUntil: r.snoozed_until ? new Date(r.snoozed_until) : null,
    by: r.decided_by,
    at: new Date(r.created_at),
  };
}

function toVersion(db: Connection, r: VersionRow): Version {
  return {
    id: r.id,
    storyId: r.item_id,
    origin: r.origin,
    editedBy: r.edited_by,
    basedOn: r.based_on,
    createdAt: new Date(r.created_at),
    draft: draftById(db, r.id)!,
  };
}
