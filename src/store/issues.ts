import type { Db } from './db.ts';
import { draftJson, type DraftRow } from './drafts.ts';
import { getStory, listStories, type StoryJson } from './stories.ts';

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

/** An issue with its stories, each at the version it shows: the one sent, or the approved one. */
export interface IssueWithStories extends Issue {
  stories: StoryJson[];
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

/**
 * The store's newsletter issues: async methods over the database handle, each one transaction,
 * taking and returning domain values.
 */
export function issueStore(db: Db) {
  const tx = <T>(fn: () => T): T => db.transaction(fn).immediate();

  const readIssue = (number: number): Issue | null => {
    const row = db.prepare('SELECT * FROM issues WHERE id = ?').get(number) as IssueRow | undefined;
    if (!row) return null;
    const ids = db
      .prepare('SELECT item_id FROM issue_stories WHERE issue_id = ? ORDER BY position')
      .all(number) as { item_id: number }[];
    return {
      number: row.id,
      title: row.title,
      status: row.status,
      createdAt: new Date(row.created_at),
      sentAt: row.sent_at ? new Date(row.sent_at) : null,
      storyIds: ids.map((r) => r.item_id),
    };
  };

  const sentIn = (itemId: number): number | null => {
    const r = db
      .prepare('SELECT issue_id FROM issue_stories WHERE item_id = ? AND sent_draft_id IS NOT NULL')
      .get(itemId) as { issue_id: number } | undefined;
    return r?.issue_id ?? null;
  };

  // The version an editor approved. Until editors' decisions pin a version, that is the story's
  // current draft (a re-draft after approval leaves the item approved).
  const approvedDraftId = (itemId: number): number | null => {
    const r = db
      .prepare(
        `SELECT MAX(d.id) AS id FROM drafts d JOIN items i ON i.id = d.item_id
         WHERE d.item_id = ? AND i.status = 'approved'`,
      )
      .get(itemId) as { id: number | null };
    return r.id;
  };

  /** Why a story cannot go into a draft issue, or null when it can. */
  const refusal = (itemId: number): string | null => {
    const story = getStory(db, itemId);
    if (!story) return `no story ${itemId} (see \`aiwins stories\`)`;
    if (story.status !== 'approved') return `story ${itemId} is ${story.status}, not approved: only approved stories go into an issue`;
    const sent = sentIn(itemId);
    if (sent !== null) return `story ${itemId} already went out in issue ${sent}`;
    return null;
  };

  const renumber = (number: number, order: number[]) => {
    const set = db.prepare('UPDATE issue_stories SET position = ? WHERE issue_id = ? AND item_id = ?');
    order.forEach((id, i) => set.run(i + 1, number, id));
  };

  /** Runs a change on a draft issue; a missing or sent issue is refused with the reason. */
  const changeDraft = (number: number, change: (issue: Issue) => string | null): IssueChange =>
    tx(() => {
      const issue = readIssue(number);
      if (!issue) return { ok: false, message: `no issue ${number} (see \`aiwins issue show\`)` };
      if (issue.status === 'sent') {
        return { ok: false, message: `issue ${number} was sent on ${issue.sentAt!.toISOString()}; a sent issue does not change` };
      }
      const problem = change(issue);
      return problem ? { ok: false, message: problem } : { ok: true, issue: readIssue(number)! };
    });

  return {
    /**
     * Approved stories that have not gone out in a sent issue, newest first: what a new issue
     * proposes (src/export orders them).
     */
    async unsentApprovedStories(): Promise<StoryJson[]> {
      return listStories(db, { status: 'approved' }).filter((s) => sentIn(s.id) === null);
    },

    /** Opens a draft issue holding these stories, in this order. */
    async createIssue(opts: { title: string | null; storyIds: readonly number[]; now: Date }): Promise<IssueChange> {
      return tx(() => {
        for (const id of opts.storyIds) {
          const problem = refusal(id);
          if (problem) return { ok: false, message: problem };
        }
        const number = Number(
          db
            .prepare(`INSERT INTO issues (title, status, created_at) VALUES (?, 'draft', ?)`)
            .run(opts.title, opts.now.toISOString()).lastInsertRowid,
        );
        const add = db.prepare('INSERT INTO issue_stories (issue_id, item_id, position) VALUES (?, ?, ?)');
        opts.storyIds.forEach((id, i) => add.run(number, id, i + 1));
        return { ok: true, issue: readIssue(number)! };
      });
    },

    async getIssue(number: number): Promise<Issue | null> {
      return readIssue(number);
    },

    /** The newest issue still in draft, or null. */
    async currentDraftIssue(): Promise<Issue | null> {
      const r = db.prepare(`SELECT MAX(id) AS id FROM issues WHERE status = 'draft'`).get() as { id: number | null };
      return r.id === null ? null : readIssue(r.id);
    },

    /** Every issue, newest first. */
    async listIssues(): Promise<Issue[]> {
      const rows = db.prepare('SELECT id FROM issues ORDER BY id DESC').all() as { id: number }[];
      return rows.map((r) => readIssue(r.id)!);
    },

    /** Appends stories to a draft issue; all or none. */
    async addToIssue(number: number, storyIds: readonly number[]): Promise<IssueChange> {
      return changeDraft(number, (issue) => {
        for (const id of storyIds) {
          if (issue.storyIds.includes(id)) return `story ${id} is already in issue ${number}`;
          const problem = refusal(id);
          if (problem) return problem;
        }
        renumber(number, issue.storyIds);
        const add = db.prepare('INSERT INTO issue_stories (issue_id, item_id, position) VALUES (?, ?, ?)');
        storyIds.forEach((id, i) => add.run(number, id, issue.storyIds.length + i + 1));
        return null;
      });
    },

    /** Moves a story to position `to` (1-based) in a draft issue. */
    async moveInIssue(number: number, storyId: number, to: number): Promise<IssueChange> {
      return changeDraft(number, (issue) => {
        const from = issue.storyIds.indexOf(storyId);
        if (from < 0) return `story ${storyId} is not in issue ${number}`;
        if (!Number.isInteger(to) || to < 1 || to > issue.storyIds.length) {
          return `--to: expected a position from 1 to ${issue.storyIds.length}, got ${to}`;
        }
        const order = issue.storyIds.filter((id) => id !== storyId);
        order.splice(to - 1, 0, storyId);
        renumber(number, order);
        return null;
      });
    },

    async removeFromIssue(number: number, storyId: number): Promise<IssueChange> {
      return changeDraft(number, (issue) => {
        if (!issue.storyIds.includes(storyId)) return `story ${storyId} is not in issue ${number}`;
        db.prepare('DELETE FROM issue_stories WHERE issue_id = ? AND item_id = ?').run(number, storyId);
        renumber(number, issue.storyIds.filter((id) => id !== storyId));
        return null;
      });
    },

    /**
     * Marks a draft issue sent. Each story keeps the version that was approved from then on,
     * and a story goes out in at most one issue: a story no longer approved, or sent meanwhile
     * in another issue, stops the send with the reason.
     */
    async sendIssue(number: number, now: Date): Promise<IssueChange> {
      return changeDraft(number, (issue) => {
        if (issue.storyIds.length === 0) return `issue ${number} has no stories; add some with \`aiwins issue add ID...\``;
        const pin = db.prepare('UPDATE issue_stories SET sent_draft_id = ? WHERE issue_id = ? AND item_id = ?');
        for (const id of issue.storyIds) {
          const problem = refusal(id);
          if (problem) return `${problem}; remove it with \`aiwins issue remove ${id}\``;
          pin.run(approvedDraftId(id), number, id);
        }
        db.prepare(`UPDATE issues SET status = 'sent', sent_at = ? WHERE id = ?`).run(now.toISOString(), number);
        return null;
      });
    },

    /** An issue with its stories at the versions it shows: pinned when sent, approved while a draft. */
    async issueWithStories(number: number): Promise<IssueWithStories | null> {
      return tx(() => {
        const issue = readIssue(number);
        if (!issue) return null;
        const rows = db
          .prepare('SELECT item_id, sent_draft_id FROM issue_stories WHERE issue_id = ? ORDER BY position')
          .all(number) as { item_id: number; sent_draft_id: number | null }[];
        const draftById = db.prepare('SELECT * FROM drafts WHERE id = ?');
        const stories = rows.map((r) => {
          const story = getStory(db, r.item_id)!;
          const draftId = r.sent_draft_id ?? approvedDraftId(r.item_id);
          const row = draftId === null ? undefined : (draftById.get(draftId) as DraftRow | undefined);
          return { ...story, draft: row ? draftJson(row) : story.draft };
        });
        return { ...issue, stories };
      });
    },

    /**
     * Stories for a feed: approved ones and those sent in an issue (at the version sent),
     * published on or after `since`, newest first. Nothing else: no candidate or rejected story.
     */
    async feedStories(opts: { since: Date | null }): Promise<StoryJson[]> {
      return tx(() => {
        const sent = db
          .prepare('SELECT item_id, sent_draft_id FROM issue_stories WHERE sent_draft_id IS NOT NULL')
          .all() as { item_id: number; sent_draft_id: number }[];
        const sentDraft = new Map(sent.map((r) => [r.item_id, r.sent_draft_id]));
        const draftById = db.prepare('SELECT * FROM drafts WHERE id = ?');
        return listStories(db)
          .filter((s) => s.status === 'approved' || sentDraft.has(s.id))
          .filter((s) => !opts.since || (s.published !== null && Date.parse(s.published) >= opts.since.getTime()))
          .map((s) => {
            const pinned = sentDraft.get(s.id);
            return pinned === undefined ? s : { ...s, draft: draftJson(draftById.get(pinned) as DraftRow) };
          });
      });
    },
  };
}

export type IssueStore = ReturnType<typeof issueStore>;
