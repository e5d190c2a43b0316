import { sql } from 'kysely';
import type { Db, Tx } from './sql.ts';
import { draftById } from './drafts.ts';
import { storiesOf, storyOf, type Story } from './stories.ts';
import { sentOf, standingVersionOf, standingVersions } from './editorial.ts';
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

async function readIssue(tx: Tx, number: number): Promise<Issue | null> {
  const row = await tx.get<IssueRow>(sql`SELECT * FROM issues WHERE id = ${number}`);
  if (!row) return null;
  const ids = await tx.all<{ item_id: number }>(sql`SELECT item_id FROM issue_stories WHERE issue_id = ${number} ORDER BY position`);
  return {
    number: row.id,
    title: row.title,
    status: row.status,
    createdAt: new Date(row.created_at),
    sentAt: dateOf(row.sent_at),
    storyIds: ids.map((r) => r.item_id),
  };
}

/** The story showing one version's text; with no version (no approval stands), no text at all. */
const atVersion = async (tx: Tx, story: Story, draftId: number | null): Promise<Story> => ({ ...story, draft: draftId === null ? null : await draftById(tx, draftId) });

/** The stories with a standing approval, each at the version it names, newest first; `keep` filters them before their text is read. */
async function approvedStories(tx: Tx, keep: (s: Story) => boolean): Promise<Story[]> {
  const standing = await standingVersions(tx);
  const stories: Story[] = [];
  for (const s of await storiesOf(tx, { all: true, ids: new Set(standing.keys()) })) if (keep(s)) stories.push(await atVersion(tx, s, standing.get(s.id)!));
  return stories;
}

/** Why a story cannot go into a draft issue, or null when it can. */
async function refusal(tx: Tx, itemId: number): Promise<string | null> {
  const story = await storyOf(tx, itemId);
  if (!story) return `no story ${itemId} (see \`aiwins stories\`)`;
  const sent = await sentOf(tx, itemId);
  if (sent) return `story ${itemId} already went out in issue ${sent.issue}`;
  if ((await standingVersionOf(tx, itemId)) === null) {
    // Status and decisions agree, except for a status set without a decision on record.
    const why = story.status === 'approved' ? 'has no approval on record' : `is ${story.status}`;
    return `story ${itemId} ${why}, not approved: only approved stories go into an issue`;
  }
  return null;
}

/** Sets the positions of an issue's stories to 1..n in this order. */
async function renumber(tx: Tx, number: number, order: readonly number[]): Promise<void> {
  for (const [i, id] of order.entries()) await tx.run(sql`UPDATE issue_stories SET position = ${i + 1} WHERE issue_id = ${number} AND item_id = ${id}`);
}

/** Appends stories to an issue after its first `from` positions. */
async function insert(tx: Tx, number: number, ids: readonly number[], from: number): Promise<void> {
  for (const [i, id] of ids.entries()) await tx.run(sql`INSERT INTO issue_stories (issue_id, item_id, position) VALUES (${number}, ${id}, ${from + i + 1})`);
}

export function issueStore(db: Db): IssueStore {
  /** Runs a change on a draft issue in one transaction; a missing or sent issue is refused with the reason. */
  const changeDraft = (number: number, change: (tx: Tx, issue: Issue) => Promise<string | null>): Promise<IssueChange> =>
    db.write(async (tx): Promise<IssueChange> => {
      const issue = await readIssue(tx, number);
      if (!issue) return { ok: false, message: `no issue ${number} (see \`aiwins issue list\`)` };
      if (issue.status === 'sent') {
        return { ok: false, message: `issue ${number} was sent on ${issue.sentAt!.toISOString()}; a sent issue does not change` };
      }
      const problem = await change(tx, issue);
      return problem ? { ok: false, message: problem } : { ok: true, issue: (await readIssue(tx, number))! };
    });

  return {
    unsentApproved: () =>
      db.read(async (tx) => {
        const sent = new Set((await tx.all<{ item_id: number }>(sql`SELECT item_id FROM issue_stories WHERE sent_draft_id IS NOT NULL`)).map((r) => r.item_id));
        // Proposed for an issue as approved: a re-draft or an edit since then is not reviewed yet.
        return approvedStories(tx, (s) => !sent.has(s.id));
      }),

    create: (opts) =>
      db.write(async (tx): Promise<IssueChange> => {
        for (const id of opts.storyIds) {
          const problem = await refusal(tx, id);
          if (problem) return { ok: false, message: problem };
        }
        const { id: number } = await tx.k.insertInto('issues').values({ title: opts.title, status: 'draft', created_at: isoOf(opts.now) }).returning('id').executeTakeFirstOrThrow();
        await insert(tx, number, opts.storyIds, 0);
        return { ok: true, issue: (await readIssue(tx, number))! };
      }),

    get: (number) => db.read((tx) => readIssue(tx, number)),

    currentDraft: () =>
      db.read(async (tx) => {
        const id = (await tx.get<{ id: number | null }>(sql`SELECT MAX(id) AS id FROM issues WHERE status = 'draft'`))?.id ?? null;
        return id === null ? null : readIssue(tx, id);
      }),

    list: () =>
      db.read(async (tx) => {
        const issues: Issue[] = [];
        for (const r of await tx.all<{ id: number }>(sql`SELECT id FROM issues ORDER BY id DESC`)) issues.push((await readIssue(tx, r.id))!);
        return issues;
      }),

    add: (number, storyIds) =>
      changeDraft(number, async (tx, issue) => {
        for (const id of storyIds) {
          if (issue.storyIds.includes(id)) return `story ${id} is already in issue ${number}`;
          const problem = await refusal(tx, id);
          if (problem) return problem;
        }
        await insert(tx, number, storyIds, issue.storyIds.length);
        return null;
      }),

    move: (number, storyId, to) =>
      changeDraft(number, async (tx, issue) => {
        if (!issue.storyIds.includes(storyId)) return `story ${storyId} is not in issue ${number}`;
        if (!Number.isInteger(to) || to < 1 || to > issue.storyIds.length) {
          return `--to: expected a position from 1 to ${issue.storyIds.length}, got ${to}`;
        }
        const order = issue.storyIds.filter((id) => id !== storyId);
        order.splice(to - 1, 0, storyId);
        await renumber(tx, number, order);
        return null;
      }),

    remove: (number, storyId) =>
      changeDraft(number, async (tx, issue) => {
        if (!issue.storyIds.includes(storyId)) return `story ${storyId} is not in issue ${number}`;
        await tx.run(sql`DELETE FROM issue_stories WHERE issue_id = ${number} AND item_id = ${storyId}`);
        await renumber(tx, number, issue.storyIds.filter((id) => id !== storyId));
        return null;
      }),

    send: (number, now) =>
      changeDraft(number, async (tx, issue) => {
        if (issue.storyIds.length === 0) return `issue ${number} has no stories; add some with \`aiwins issue add ID...\``;
        for (const id of issue.storyIds) {
          const problem = await refusal(tx, id);
          if (problem) return `${problem}; remove it with \`aiwins issue remove ${id}\``;
          await tx.run(sql`UPDATE issue_stories SET sent_draft_id = ${await standingVersionOf(tx, id)} WHERE issue_id = ${number} AND item_id = ${id}`);
        }
        await tx.run(sql`UPDATE issues SET status = 'sent', sent_at = ${isoOf(now)} WHERE id = ${number}`);
        return null;
      }),

    withStories: (number) =>
      db.read(async (tx) => {
        const issue = await readIssue(tx, number);
        if (!issue) return null;
        const rows = await tx.all<{ item_id: number; sent_draft_id: number | null }>(
          sql`SELECT item_id, sent_draft_id FROM issue_stories WHERE issue_id = ${number} ORDER BY position`,
        );
        const stories: Story[] = [];
        for (const r of rows) {
          const version = issue.status === 'sent' ? r.sent_draft_id : await standingVersionOf(tx, r.item_id);
          stories.push(await atVersion(tx, (await storyOf(tx, r.item_id))!, version));
        }
        return { ...issue, stories };
      }),

    feedStories: ({ since }) =>
      db.read((tx) =>
        // The one rule: what goes out is the version the standing approval names. A sent story's
        // approval cannot be withdrawn (its decision is final), so that is also the version sent.
        approvedStories(tx, (s) => !since || (s.published !== null && s.published.getTime() >= since.getTime())),
      ),
  };
}
