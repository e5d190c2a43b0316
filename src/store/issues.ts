import type { Connection } from './db.ts';
import { draftByIdOn as draftById } from './drafts.ts';
import { storiesOf, storyOf, type Story } from './stories.ts';
import { sentOfOn as sentOf, standingVersionOfOn as standingVersionOf, standingVersionsOn as standingVersions } from './editorial.ts';
import { dateOf, isoOf } from './values.ts';

/** A newsletter issue: an ordered set of approved stories. Its id is the number readers see. */
export interface Issue {
  number: number;
  title: string | null;
  status: 'draft' | 'sent';
  createdAt: Date;
  sentAt: Date | null;
  /** Story ids in the order they appear. */
  storyIds: number[];
}

/**
 * An issue with its stories in order, each at the version it shows: the one sent, or (in a draft)
 * the one its standing approval names. A story in a draft whose approval was withdrawn shows no
 * text (`draft` null): it stays listed for editors to take out, and no reader's output has it.
 */
export interface IssueWithStories extends Issue {
  stories: Story[];
}

/** The result of a change to an issue: the issue as it now is, or why nothing changed. */
export type IssueChange = { ok: true; issue: Issue } | { ok: false; message: string };

interface IssueRow {
  id: number;
  title: string | null;
  status: 'draft' | 'sent';
  created_at: string;
  sent_at: string | null;
}

/** The issues tables: newsletter issues and the stories in them, in order. */
export interface IssueStore {
  /** Stories with a standing approval that have not gone out in a sent issue, newest first, each at its approved version: what a new issue proposes. */
  unsentApproved(): Promise<Story[]>;
  /** Opens a draft issue holding these stories, in this order. */
  create(opts: { title: string | null; storyIds: readonly number[]; now: Date }): Promise<IssueChange>;
  get(number: number): Promise<Issue | null>;
  /** The newest issue still in draft, or null. */
  currentDraft(): Promise<Issue | null>;
  /** Every issue, newest first. */
  list(): Promise<Issue[]>;
  /** Appends stories to a draft issue; all or none. */
  add(number: number, storyIds: readonly number[]): Promise<IssueChange>;
  /** Moves a story to position `to` (1-based) in a draft issue. */
  move(number: number, storyId: number, to: number): Promise<IssueChange>;
  remove(number: number, storyId: number): Promise<IssueChange>;
  /**
   * Marks a draft issue sent. Each story keeps the version its standing approval names from then
   * on (its decision is final), and a story goes out in at most one issue: a story no longer
   * approved, or sent meanwhile in another issue, stops the send with the reason.
   */
  send(number: number, now: Date): Promise<IssueChange>;
  /** An issue with its stories at the versions it shows: pinned when sent, the standing approval's while a draft. */
  withStories(number: number): Promise<IssueWithStories | null>;
  /**
   * Stories for a feed and `export --status approved`: those with a standing approval, each at the
   * version it names (for a sent story, the version sent), published on or after `since`, newest
   * first. Nothing else: no candidate, rejected, reopened or unapproved text.
   */
  feedStories(opts: { since: Date | null }): Promise<Story[]>;
}

export function sqliteIssues(db: Connection): IssueStore {
  const readIssue = (number: number): Issue | null => {
    const row = db.get<IssueRow>('SELECT * FROM issues WHERE id = ?', number);
    if (!row) return null;
    const ids = db.all<{ item_id: number }>('SELECT item_id FROM issue_stories WHERE issue_id = ? ORDER BY position', number);
    return {
      number: row.id,
      title: row.title,
      status: row.status,
      createdAt: new Date(row.created_at),
      sentAt: dateOf(row.sent_at),
      storyIds: ids.map((r) => r.item_id),
    };
  };

  const sentIn = (itemId: number): number | null => sentOf(db, itemId)?.issue ?? null;

  /** The story showing one version's text; with no version (no approval stands), no text at all. */
  const atVersion = (story: Story, draftId: number | null): Story => ({ ...story, draft: draftId === null ? null : draftById(db, draftId) });

  /** Why a story cannot go into a draft issue, or null when it can. */
  const refusal = (itemId: number): string | null => {
    const story = storyOf(db, itemId);
    if (!story) return `no story ${itemId} (see \`aiwins stories\`)`;
    const sent = sentOf(db, itemId);
    if (sent) return `story ${itemId} already went out in issue ${sent.issue}`;
    if (standingVersionOf(db, itemId) === null) {
      // Status and decisions agree, except for a status set without a decision on record.
      const why = story.status === 'approved' ? 'has no approval on record' : `is ${story.status}`;
      return `story ${itemId} ${why}, not approved: only approved stories go into an issue`;
    }
    return null;
  };

  const renumber = (number: number, order: number[]) => {
    order.forEach((id, i) => db.run('UPDATE issue_stories SET position = ? WHERE issue_id = ? AND item_id = ?', i + 1, number, id));
  };
  const insert = (number: number, ids: readonly number[], from: number) => {
    ids.forEach((id, i) => db.run('INSERT INTO issue_stories (issue_id, item_id, position) VALUES (?, ?, ?)', number, id, from + i + 1));
  };

  /** Runs a change on a draft issue in one transaction; a missing or sent issue is refused with the reason. */
  const changeDraft = (number: number, change: (issue: Issue) => string | null): Promise<IssueChange> =>
    db.write(() => {
      const issue = readIssue(number);
      if (!issue) return { ok: false, message: `no issue ${number} (see \`aiwins issue list\`)` };
      if (issue.status === 'sent') {
        return { ok: false, message: `issue ${number} was sent on ${issue.sentAt!.toISOString()}; a sent issue does not change` };
      }
      const problem = change(issue);
      return problem ? { ok: false, message: problem } : { ok: true, issue: readIssue(number)! };
    });

  return {
    unsentApproved: () =>
      db.read(() => {
        const standing = standingVersions(db);
        return storiesOf(db, { all: true, ids: new Set(standing.keys()) })
          .filter((s) => sentIn(s.id) === null)
          // Proposed for an issue as approved: a re-draft or an edit since then is not reviewed yet.
          .map((s) => atVersion(s, standing.get(s.id)!));
      }),

    create: (opts) =>
      db.write((): IssueChange => {
        for (const id of opts.storyIds) {
          const problem = refusal(id);
          if (problem) return { ok: false, message: problem };
        }
        const number = db.run(`INSERT INTO issues (title, status, created_at) VALUES (?, 'draft', ?)`, opts.title, isoOf(opts.now)).lastInsertRowid;
        insert(number, opts.storyIds, 0);
        return { ok: true, issue: readIssue(number)! };
      }),

    get: (number) => db.read(() => readIssue(number)),

    currentDraft: () =>
      db.read(() => {
        const id = db.get<{ id: number | null }>(`SELECT MAX(id) AS id FROM issues WHERE status = 'draft'`)?.id ?? null;
        return id === null ? null : readIssue(id);
      }),

    list: () => db.read(() => db.all<{ id: number }>('SELECT id FROM issues ORDER BY id DESC').map((r) => readIssue(r.id)!)),

    add: (number, storyIds) =>
      changeDraft(number, (issue) => {
        for (const id of storyIds) {
          if (issue.storyIds.includes(id)) return `story ${id} is already in issue ${number}`;
          const problem = refusal(id);
          if (problem) return problem;
        }
        insert(number, storyIds, issue.storyIds.length);
        return null;
      }),

    move: (number, storyId, to) =>
      changeDraft(number, (issue) => {
        if (!issue.storyIds.includes(storyId)) return `story ${storyId} is not in issue ${number}`;
        if (!Number.isInteger(to) || to < 1 || to > issue.storyIds.length) {
          return `--to: expected a position from 1 to ${issue.storyIds.length}, got ${to}`;
        }
        const order = issue.storyIds.filter((id) => id !== storyId);
        order.splice(to - 1, 0, storyId);
        renumber(number, order);
        return null;
      }),

    remove: (number, storyId) =>
      changeDraft(number, (issue) => {
        if (!issue.storyIds.includes(storyId)) return `story ${storyId} is not in issue ${number}`;
        db.run('DELETE FROM issue_stories WHERE issue_id = ? AND item_id = ?', number, storyId);
        renumber(number, issue.storyIds.filter((id) => id !== storyId));
        return null;
      }),

    send: (number, now) =>
      changeDraft(number, (issue) => {
        if (issue.storyIds.length === 0) return `issue ${number} has no stories; add some with \`aiwins issue add ID...\``;
        for (const id of issue.storyIds) {
          const problem = refusal(id);
          if (problem) return `${problem}; remove it with \`aiwins issue remove ${id}\``;
          db.run('UPDATE issue_stories SET sent_draft_id = ? WHERE issue_id = ? AND item_id = ?', standingVersionOf(db, id), number, id);
        }
        db.run(`UPDATE issues SET status = 'sent', sent_at = ? WHERE id = ?`, isoOf(now), number);
        return null;
      }),

    withStories: (number) =>
      db.read(() => {
        const issue = readIssue(number);
        if (!issue) return null;
        const rows = db.all<{ item_id: number; sent_draft_id: number | null }>(
          'SELECT item_id, sent_draft_id FROM issue_stories WHERE issue_id = ? ORDER BY position',
          number,
        );
        const stories = rows.map((r) => atVersion(storyOf(db, r.item_id)!, issue.status === 'sent' ? r.sent_draft_id : standingVersionOf(db, r.item_id)));
        return { ...issue, stories };
      }),

    feedStories: ({ since }) =>
      db.read(() => {
        // The one rule: what goes out is the version the standing approval names. A sent story's
        // approval cannot be withdrawn (its decision is final), so that is also the version sent.
        const standing = standingVersions(db);
        return storiesOf(db, { all: true, ids: new Set(standing.keys()) })
          .filter((s) => !since || (s.published !== null && s.published.getTime() >= since.getTime()))
          .map((s) => atVersion(s, standing.get(s.id)!));
      }),
  };
}
