import { sql, type RawBuilder, type Selectable } from 'kysely';
import { draftById, type Judgement, type StoredDraft } from './drafts.ts';
import { ftsQuery, searchPhrases } from './search-query.ts';
import type { DraftsTable } from './schema.ts';
import type { Db, Dialect, Tx } from './sql.ts';
import { isoOf } from './values.ts';
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

/** Which page of the queue: the one after (older than) or before (newer than) a cursor from an earlier page; the first without either. */
export interface QueuePageRequest {
  /** A page's `next` cursor: the stories after its last one. */
  after?: string;
  /** A page's `prev` cursor: the stories before its first one. */
  before?: string;
  /** Stories per page: QUEUE_PAGE_SIZE unless given (at most 500). */
  limit?: number;
  /** Count the matching stories up to this many: QUEUE_COUNT_CAP unless given. */
  countUpTo?: number;
}

/**
 * How far the queue counts. A count reads every matching story: 20,000 candidates take about 70 ms
 * on either backend, a search matching nearly all of 100,000 stories 0.2 to 0.6 s; capped, the
 * count costs what a page of 10,000 would, and the desk says "more than 10,000".
 */
export const QUEUE_COUNT_CAP = 10_000;

/** The queue's default page size: a page an editor reads and acts on, well under 300 KB of HTML. */
export const QUEUE_PAGE_SIZE = 50;

/**
 * One page of the queue and where it sits: `next`/`prev` are opaque cursors (null at either end),
 * `total` counts the matching stories up to the cap, `totalCapped` says more than `total` match.
 */
export interface QueuePage {
  entries: QueueEntry[];
  next: string | null;
  prev: string | null;
  total: number;
  totalCapped: boolean;
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
export async function standingVersionOf(tx: Tx, storyId: number): Promise<number | null> {
  const rows = await tx.all<{ action: DecisionAction; draft_id: number | null }>(sql`SELECT action, draft_id FROM decisions WHERE item_id = ${storyId} ORDER BY id`);
  return standingApproval(rows.map((r) => ({ action: r.action, versionId: r.draft_id })));
}

/** The stories whose approval stands, each with the version it names; read inside the caller's transaction. */
export async function standingVersions(tx: Tx): Promise<Map<number, number>> {
  // Only stories with an approve on record can have one standing; each is folded by the one rule.
  return standingByStory(
    await tx.all<StandingRow>(
      sql`SELECT item_id, action, draft_id FROM decisions
          WHERE item_id IN (SELECT item_id FROM decisions WHERE action = 'approve') ORDER BY item_id, id`,
    ),
  );
}

type StandingRow = { item_id: number; action: DecisionAction; draft_id: number | null };

function standingByStory(rows: StandingRow[]): Map<number, number> {
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

const toSentIn = (r: { issue_id: number; sent_at: string } | undefined): SentIn | null => (r ? { issue: r.issue_id, at: new Date(r.sent_at) } : null);

/** The sent issue a story went out in, or null; read inside the caller's transaction. */
export async function sentOf(tx: Tx, storyId: number): Promise<SentIn | null> {
  return toSentIn(
    await tx.get<{ issue_id: number; sent_at: string }>(
      sql`SELECT s.issue_id, i.sent_at FROM issue_stories s JOIN issues i ON i.id = s.issue_id
          WHERE s.item_id = ${storyId} AND s.sent_draft_id IS NOT NULL`,
    ),
  );
}

/** Refuses any change to a sent story's decision, text or source (the one check every such action passes). */
export async function refuseIfSent(tx: Tx, storyId: number): Promise<void> {
  const sent = await sentOf(tx, storyId);
  if (sent) throw new EditorialError(sentRefusal(sent), 'sent');
}

/** The review state of a story, read inside the caller's transaction (the story JSON is built inside other reads). */
export async function reviewState(tx: Tx, storyId: number): Promise<ReviewState> {
  const latest = await tx.get<DecisionRow>(sql`SELECT * FROM decisions WHERE item_id = ${storyId} ORDER BY id DESC LIMIT 1`);
  const decision = latest ? toDecision(latest) : null;
  // No decision at all: nothing to fold.
  const approvedVersionId = decision ? await standingVersionOf(tx, storyId) : null;
  const changedSinceApproval = approvedVersionId !== null && (await currentVersionId(tx, storyId)) !== approvedVersionId;
  return { decision, approvedVersionId, changedSinceApproval };
}

/** The id of a story's current (newest) version, or null when it has none. */
async function currentVersionId(tx: Tx, storyId: number): Promise<number | null> {
  return (await tx.get<{ id: number | null }>(sql`SELECT MAX(id) AS id FROM drafts WHERE item_id = ${storyId}`))?.id ?? null;
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
 * one transaction, on either backend.
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
   * One page of the review queue: drafted stories matching the filters, clean candidates first,
   * then flagged ones, each group newest first (ties by id). Pages are keyset pages: a story that
   * arrives or is decided between two page loads neither repeats nor hides another. A cursor that
   * is not one the queue made is refused (an EditorialError, code `invalid`).
   */
  queue(f?: QueueFilters & QueuePageRequest): Promise<QueuePage>;
  /** The distinct values the queue's filters offer. */
  queueFacets(): Promise<{ feeds: string[]; categories: string[]; engines: string[]; verdicts: string[] }>;
}

/** The editorial store of the store in `db`. */
export function editorialStore(db: Db): EditorialStore {
  return {
    decide: (storyId, d) =>
      db.write(async (tx) => {
        const item = await tx.get<{ id: number; status: string }>(sql`SELECT id, status FROM stories WHERE id = ${storyId}`);
        if (!item) throw new EditorialError(`no story ${storyId} (see \`aiwins stories\`)`, 'unknown_story');
        await refuseIfSent(tx, storyId);
        const current = await currentVersionId(tx, storyId);
        if (current === null) {
          throw new EditorialError(`story ${storyId} has no draft yet (status ${item.status}); nothing to decide on`, 'no_draft');
        }
        const versionId = d.versionId ?? current;
        if (d.versionId !== undefined) {
          const owner = await tx.get<{ item_id: number }>(sql`SELECT item_id FROM drafts WHERE id = ${d.versionId}`);
          if (owner?.item_id !== storyId) throw new EditorialError(`version ${d.versionId} is not a version of story ${storyId}`, 'unknown_version');
        }
        if (d.action === 'reject' && !d.reason) throw new EditorialError('a rejection needs a reason code', 'invalid');
        if (d.reason && !(REASON_CODES as readonly string[]).includes(d.reason)) {
          throw new EditorialError(`reason: expected one of ${REASON_CODES.join(', ')}, got "${d.reason}"`, 'invalid');
        }
        if (d.action === 'snooze' && !d.until) throw new EditorialError('snooze needs a date', 'invalid');
        const at = isoOf(d.now);
        const row = await tx.get<DecisionRow>(
          sql`INSERT INTO decisions (item_id, draft_id, action, reason, note, snoozed_until, decided_by, created_at)
              VALUES (${storyId}, ${versionId}, ${d.action}, ${d.action === 'reject' ? d.reason! : null}, ${d.note || null},
                      ${d.until ? isoOf(d.until) : null}, ${d.by}, ${at})
              RETURNING *`,
        );
        const status = STATUS_AFTER[d.action];
        if (status) await tx.run(sql`UPDATE stories SET status = ${status}, updated_at = ${at} WHERE id = ${storyId}`);
        return toDecision(row!);
      }),

    decisions: (storyId) =>
      db.read(async (tx) => (await tx.all<DecisionRow>(sql`SELECT * FROM decisions WHERE item_id = ${storyId} ORDER BY id`)).map(toDecision)),

    versions: (storyId) =>
      db.read(async (tx) => {
        const rows = await tx.all<VersionRow>(sql`SELECT * FROM drafts WHERE item_id = ${storyId} ORDER BY id`);
        const out: Version[] = [];
        for (const r of rows) out.push(await toVersion(tx, r));
        return out;
      }),

    labels: (opts = {}) =>
      db.read(async (tx) => {
        if (opts.ids?.length === 0) return [];
        const rows = await tx.all<DecisionRow>(
          sql`SELECT d.* FROM decisions d
              WHERE d.id = (SELECT MAX(id) FROM decisions WHERE item_id = d.item_id AND action IN ('approve', 'reject', 'reopen'))
                AND d.action IN ('approve', 'reject')
                ${opts.ids ? sql`AND d.item_id IN (${sql.join(opts.ids)})` : sql``}
                ${opts.decidedSince ? sql`AND d.created_at >= ${isoOf(opts.decidedSince)}` : sql``}
              ORDER BY d.item_id`,
        );
        const labels: EditorLabel[] = [];
        for (const r of rows) {
          labels.push({
            storyId: r.item_id,
            decision: r.action as 'approve' | 'reject',
            reason: r.action === 'reject' ? r.reason : null,
            at: new Date(r.created_at),
            approved: r.action === 'approve' && r.draft_id !== null ? await draftById(tx, r.draft_id) : null,
          });
        }
        return labels;
      }),

    decisionsByFeed: () =>
      db.read(async (tx) => {
        const rows = await tx.all<{ feed_id: number; approved: number; rejected: number }>(
          sql`SELECT i.feed_id, COUNT(*) FILTER (WHERE d.action = 'approve') AS approved, COUNT(*) FILTER (WHERE d.action = 'reject') AS rejected
              FROM decisions d JOIN stories i ON i.id = d.item_id
              WHERE d.id = (SELECT MAX(id) FROM decisions WHERE item_id = d.item_id AND action IN ('approve', 'reject', 'reopen'))
                AND d.action IN ('approve', 'reject')
              GROUP BY i.feed_id`,
        );
        return new Map(rows.map((r) => [r.feed_id, { approved: r.approved, rejected: r.rejected }]));
      }),

    review: (storyId) => db.read((tx) => reviewState(tx, storyId)),

    saveEdit: (storyId, baseVersionId, edit, by, now) =>
      db.write(async (tx): Promise<{ ok: true; version: Version } | { ok: false; current: Version }> => {
        const base = await tx.get<Selectable<DraftsTable>>(sql`SELECT * FROM drafts WHERE id = ${baseVersionId} AND item_id = ${storyId}`);
        if (!base) throw new EditorialError(`version ${baseVersionId} is not a version of story ${storyId}`, 'unknown_version');
        await refuseIfSent(tx, storyId);
        const currentId = (await currentVersionId(tx, storyId))!;
        if (currentId !== baseVersionId) {
          return { ok: false, current: await toVersion(tx, (await tx.get<VersionRow>(sql`SELECT * FROM drafts WHERE id = ${currentId}`))!) };
        }
        // Copy every column of the base (columns added later included), then the edited fields.
        // JSON columns come back as text on both backends, which PostgreSQL's jsonb takes as it is.
        const { id: _baseId, ...copied } = base;
        const { id } = await tx.k
          .insertInto('drafts')
          .values({
            ...copied,
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
            ...(edit.judgement && {
              judgement: JSON.stringify({ verdict: edit.judgement.verdict, recommendation: edit.judgement.recommendation, by, at: isoOf(now) }),
            }),
            origin: 'editor',
            edited_by: by,
            based_on: base.id,
            run_id: null,
            created_at: isoOf(now),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return { ok: true, version: await toVersion(tx, (await tx.get<VersionRow>(sql`SELECT * FROM drafts WHERE id = ${id}`))!) };
      }),

    queue: (f = {}) =>
      db.read(async (tx) => {
        const limit = Math.max(1, Math.min(f.limit ?? QUEUE_PAGE_SIZE, 500));
        const after = f.after ? decodeCursor(f.after) : null;
        const before = !after && f.before ? decodeCursor(f.before) : null;
        const where = queueConditions(tx.dialect, f, await fewMatches(tx, f.q));
        const cap = f.countUpTo ?? QUEUE_COUNT_CAP;
        const counted = await countQueue(tx, where, cap);
        // Clean stories, then flagged ones: each group is one keyset walk down the index on
        // (status, time, id); a page that runs past the end of one group goes on into the next.
        const backward = before !== null;
        const from = after ?? before;
        const groups: (0 | 1)[] = backward ? [1, 0] : [0, 1];
        const rows: QueueRow[] = [];
        for (const flagged of groups) {
          if (from && (backward ? flagged > from.flagged : flagged < from.flagged)) continue;
          const bound = from && from.flagged === flagged ? from : null;
          rows.push(...(await queueGroup(tx, where, flagged, bound, backward, limit + 1 - rows.length)));
          if (rows.length > limit) break;
        }
        const more = rows.length > limit;
        const page = rows.slice(0, limit);
        if (backward) page.reverse();
        const entries = page.map(toQueueEntry);
        const first = page[0];
        const last = page[page.length - 1];
        return {
          entries,
          total: Math.min(counted, cap),
          totalCapped: counted > cap,
          // Older: after the last row, when more rows were read (or, going back, when we came from there).
          next: last && (backward || more) ? encodeCursor(last) : null,
          // Newer: before the first row, when a cursor brought us here (or, going back, when more rows were read).
          prev: first && (backward ? more : after !== null) ? encodeCursor(first) : null,
        };
      }),

    queueFacets: () =>
      db.read(async (tx) => {
        // Sorted here, not in SQL: the backends collate text differently, the desk shows one order.
        const values = async (q: RawBuilder<unknown>) =>
          (await tx.all<{ v: string | null }>(q))
            .map((r) => r.v)
            .filter((v): v is string => !!v)
            .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return {
          feeds: await values(sql`SELECT DISTINCT name AS v FROM feeds`),
          categories: await values(sql`SELECT DISTINCT category AS v FROM drafts`),
          engines: await values(sql`SELECT DISTINCT engine AS v FROM drafts`),
          verdicts: await values(sql`SELECT DISTINCT ${judged(tx.dialect, 'verdict', '')} AS v FROM drafts`),
        };
      }),
  };
}

interface QueueRow {
  id: number;
  title: string | null;
  url: string | null;
  status: string;
  published_at: string | null;
  /** The time the queue orders by, and the group: the row's place, which a cursor names. */
  sort_at: string;
  flagged: 0 | 1;
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
}

const toQueueEntry = (r: QueueRow): QueueEntry => ({
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
});

/**
 * The queue's full-text condition on story `i`: every word typed must occur in the story's title,
 * newest version or article text (see search-query.ts, which gives both backends the same words).
 * SQLite asks its FTS5 table; PostgreSQL its tsvector table, each word a phrase of its tokens.
 * Null when the search has no words (no condition).
 *
 * Where the two can still differ, all in rare multi-token words: PostgreSQL indexes title, version
 * and article as one text where FTS5 has three columns, so a phrase may run from one into the next;
 * its parser also indexes a hyphenated compound whole before its parts ("gpt-4o" is gpt-4o, gpt,
 * 4o), so a phrase from the word before into the compound is not adjacent there; jsonb prints the
 * takeaways' keys in its own order; and unaccent folds ß and æ, which FTS5 keeps.
 */
function searchFilter(dialect: Dialect, q: string): RawBuilder<unknown> | null {
  if (dialect === 'sqlite') {
    const match = ftsQuery(q);
    return match === null ? null : sql`i.id IN (SELECT rowid FROM story_search WHERE story_search MATCH ${match})`;
  }
  const found = pgSearch(q);
  return found && sql`i.id IN (${found})`;
}

/** The ids of the stories a search matches on PostgreSQL, as a subquery; null when the search has no words. */
function pgSearch(q: string): RawBuilder<unknown> | null {
  const phrases = searchPhrases(q);
  if (phrases === null) return null;
  // Words typed, none of them with a letter or digit: FTS5 finds nothing, so neither does this.
  if (phrases.length === 0) return sql`SELECT story_id FROM story_search WHERE false`;
  // The same folding as the indexed text (aiwins_search_text in pg-migrations.ts): unaccent, then the simple configuration.
  const tsquery = sql.join(
    phrases.map((p) => sql`phraseto_tsquery('simple', public.unaccent('public.unaccent'::regdictionary, CAST(${p} AS TEXT)))`),
    sql` && `,
  );
  return sql`SELECT story_id FROM story_search WHERE document @@ (${tsquery})`;
}

/** Up to this many stories matching a search are read first, by id, on PostgreSQL (see fewMatches). */
const FEW_MATCHES = 2000;

/**
 * The stories a search matches, when they are few; null when they are many (or on SQLite, whose
 * FTS5 plan is good either way). PostgreSQL's planner cannot tell from its statistics how rare a
 * word is in the stories on the queue: for a rare one it walks the whole queue's index testing each
 * story (1.4 s at 100,000 stories, `npm run bench:desk`), where reading the few matches from the
 * GIN index first and sorting them takes milliseconds. For a common word the walk is the right
 * plan and stops after a page, so it is left to the planner.
 */
async function fewMatches(tx: Tx, q: string | undefined): Promise<number[] | null> {
  if (tx.dialect !== 'postgres' || !q) return null;
  const found = pgSearch(q);
  if (!found) return null;
  const rows = await tx.all<{ story_id: number }>(sql`${found} LIMIT ${FEW_MATCHES + 1}`);
  return rows.length > FEW_MATCHES ? null : rows.map((r) => r.story_id);
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

/**
 * A field of a JSON column in SQL, as text: the one place the backends' JSON differs (SQLite keeps
 * JSON as text and reads it with json_extract; PostgreSQL's columns are jsonb). `column` and
 * `field` are names the code chooses, never input.
 */
function jsonField(dialect: Dialect, column: string, field: 'verdict' | 'recommendation' | 'by'): RawBuilder<string | null> {
  return dialect === 'sqlite' ? sql`json_extract(${sql.ref(column)}, ${sql.lit(`$.${field}`)})` : sql`(${sql.ref(column)} ->> ${sql.lit(field)})`;
}

/** A draft's verdict or recommendation in SQL: an editor's judgement over the model's framing. */
const judged = (dialect: Dialect, field: 'verdict' | 'recommendation', table = 'd.') =>
  sql`COALESCE(${jsonField(dialect, `${table}judgement`, field)}, ${jsonField(dialect, `${table}framing`, field)})`;

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

async function toVersion(tx: Tx, r: VersionRow): Promise<Version> {
  return {
    id: r.id,
    storyId: r.item_id,
    origin: r.origin,
    editedBy: r.edited_by,
    basedOn: r.based_on,
    createdAt: new Date(r.created_at),
    draft: (await draftById(tx, r.id))!,
  };
}

/** The time the queue orders by; the indexes stories_queue and stories_queue_all (SQLite migration 13, PostgreSQL 2) are on this very expression. */
const SORT_AT = sql`COALESCE(i.published_at, i.discovered_at)`;

/**
 * A story with its feed and its current (newest) version, if any: what the queue reads and counts.
 * PostgreSQL's planner turns `d.id = (SELECT MAX(id) ...)` into a hash join over every version
 * (and their flags), 100,000 of them at a year's size, instead of walking the queue's index and
 * stopping at a page: a LATERAL join, one index probe per story, keeps it on the index (about 3 ms
 * for a page where the other form took 200). SQLite has no LATERAL and plans the first form well.
 */
function queueFrom(dialect: Dialect): RawBuilder<unknown> {
  return dialect === 'sqlite'
    ? sql`stories i JOIN feeds f ON f.id = i.feed_id LEFT JOIN drafts d ON d.id = (SELECT MAX(id) FROM drafts WHERE item_id = i.id)`
    : sql`stories i JOIN feeds f ON f.id = i.feed_id LEFT JOIN LATERAL (SELECT * FROM drafts WHERE item_id = i.id ORDER BY id DESC LIMIT 1) d ON true`;
}

/** The queue's filters as SQL conditions on queueFrom's; the same for a page and for its count. */
function queueConditions(dialect: Dialect, f: QueueFilters, matches: number[] | null = null): RawBuilder<unknown>[] {
  const status = f.status || 'candidate';
  const where: RawBuilder<unknown>[] = [sql`d.id IS NOT NULL`];
  if (status !== 'all') where.push(sql`i.status = ${status}`);
  // A snoozed candidate (its latest decision a snooze not yet due) stays off the queue until its date.
  if (status === 'candidate') {
    where.push(
      sql`NOT EXISTS (SELECT 1 FROM decisions x WHERE x.id = (SELECT MAX(id) FROM decisions WHERE item_id = i.id)
            AND x.snoozed_until > ${isoOf(f.now ?? new Date())})`,
    );
  }
  if (f.feed) where.push(sql`f.name = ${f.feed}`);
  if (f.category) where.push(sql`d.category = ${f.category}`);
  if (f.engine) where.push(sql`d.engine = ${f.engine}`);
  if (f.verdict) where.push(sql`${judged(dialect, 'verdict')} = ${f.verdict}`);
  if (f.q) {
    // The few stories a search matches, by id (fewMatches), else the search itself.
    const search = matches === null ? searchFilter(dialect, f.q) : matches.length === 0 ? sql`1 = 0` : sql`i.id IN (${sql.join(matches)})`;
    if (search) where.push(search);
  }
  return where;
}

/** How many stories match, counting no further than one past `cap`. */
async function countQueue(tx: Tx, where: RawBuilder<unknown>[], cap: number): Promise<number> {
  const row = await tx.get<{ n: number | string }>(
    sql`SELECT COUNT(*) AS n FROM (SELECT i.id FROM ${queueFrom(tx.dialect)} WHERE ${sql.join(where, sql` AND `)} LIMIT ${cap + 1}) matching`,
  );
  return Number(row?.n ?? 0);
}

/** Where a page starts or ends: the sort key of a row (its group, time and id). */
interface QueueCursor {
  flagged: 0 | 1;
  at: string;
  id: number;
}

/**
 * Up to `n` rows of one group (clean or flagged), in queue order, or in reverse order when going
 * `backward`; strictly past `bound` when given.
 */
async function queueGroup(tx: Tx, where: RawBuilder<unknown>[], flagged: 0 | 1, bound: QueueCursor | null, backward: boolean, n: number): Promise<QueueRow[]> {
  const conds = [...where, sql`${flaggedSql(tx.dialect)} = ${flagged}`];
  if (bound) {
    conds.push(
      backward
        ? sql`(${SORT_AT} > ${bound.at} OR (${SORT_AT} = ${bound.at} AND i.id > ${bound.id}))`
        : sql`(${SORT_AT} < ${bound.at} OR (${SORT_AT} = ${bound.at} AND i.id < ${bound.id}))`,
    );
  }
  const dir = sql.raw(backward ? 'ASC' : 'DESC');
  const rows = await tx.all<Omit<QueueRow, 'flagged'>>(
    sql`SELECT i.id, i.title, i.url, i.status, i.published_at, ${SORT_AT} AS sort_at, f.name AS feed_name, d.headline, d.tldr, d.category, d.engine,
          d.takeaways, d.unsupported_claims, d.needs_review, ${judged(tx.dialect, 'verdict')} AS verdict,
          ${judged(tx.dialect, 'recommendation')} AS recommendation, ${jsonField(tx.dialect, 'd.judgement', 'by')} AS judged_by,
          (SELECT snoozed_until FROM decisions x WHERE x.item_id = i.id ORDER BY x.id DESC LIMIT 1) AS snoozed_until,
          sent.issue_id AS sent_issue, sent.sent_at
        FROM ${queueFrom(tx.dialect)}
        LEFT JOIN (SELECT s.item_id, s.issue_id, x.sent_at FROM issue_stories s JOIN issues x ON x.id = s.issue_id
                   WHERE s.sent_draft_id IS NOT NULL) sent ON sent.item_id = i.id
        WHERE ${sql.join(conds, sql` AND `)}
        ORDER BY ${SORT_AT} ${dir}, i.id ${dir}
        LIMIT ${n}`,
  );
  return rows.map((r) => ({ ...r, flagged }));
}

/**
 * Whether the current version needs a closer look, in SQL: reviewFlags (below) non-empty, so the
 * queue can page clean and flagged stories in the database. Each clause is one of reviewFlags';
 * a test holds the two together (src/store/editorial.test.ts). Takeaways: a quote not grounded,
 * or grounded and its takeaway unsupported, is `grounded` not true or `supported` false.
 */
function flaggedSql(dialect: Dialect): RawBuilder<number> {
  const takeawayNeedsLook =
    dialect === 'sqlite'
      ? sql`EXISTS (SELECT 1 FROM json_each(d.takeaways) t
                    WHERE json_type(t.value, '$.grounded') IS NOT 'true' OR json_type(t.value, '$.supported') IS 'false')`
      : sql`EXISTS (SELECT 1 FROM jsonb_array_elements(d.takeaways) t(value)
                    WHERE (t.value -> 'grounded') IS DISTINCT FROM 'true'::jsonb OR (t.value -> 'supported') = 'false'::jsonb)`;
  const claims = dialect === 'sqlite' ? sql`json_array_length(d.unsupported_claims)` : sql`jsonb_array_length(d.unsupported_claims)`;
  return sql`CASE WHEN d.needs_review = 1 OR COALESCE(${judged(dialect, 'verdict')}, '') NOT IN ('', 'positive')
      OR ${judged(dialect, 'recommendation')} = 'skip' OR ${takeawayNeedsLook} OR ${claims} > 0 THEN 1 ELSE 0 END`;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/** A cursor as the URL carries it: base64url of its sort key, opaque to the editor. */
function encodeCursor(r: { flagged: 0 | 1; sort_at: string; id: number }): string {
  return Buffer.from(JSON.stringify([r.flagged, r.sort_at, r.id])).toString('base64url');
}

/** The sort key in a cursor, or an EditorialError (code `invalid`) for anything the queue did not make. */
function decodeCursor(token: string): QueueCursor {
  const refuse = () => new EditorialError('this page link is not valid (it may have been cut or edited): start again from the first page', 'invalid');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) throw refuse();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(key) || key.length !== 3) throw refuse();
  const [flagged, at, id] = key as unknown[];
  if ((flagged !== 0 && flagged !== 1) || typeof at !== 'string' || !ISO_TIME.test(at) || Number.isNaN(Date.parse(at))) throw refuse();
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw refuse();
  return { flagged, at, id };
}
