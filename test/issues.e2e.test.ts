import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempProject, type TempProject } from './helpers/project.ts';
import { redraft, seedStories, tenStories } from './helpers/newsletter.ts';
import { createTestDatabase, dropTestDatabase } from './helpers/postgres.ts';
import { BACKENDS } from './helpers/stores.ts';

let project: TempProject;
let ids: number[];

for (const backend of BACKENDS) {
  describe(`on ${backend}`, () => {
    beforeEach(async () => {
      project = tempProject();
      if (backend === 'postgres') project.dbPath = await createTestDatabase();
      project.writeConfig('feeds: []\n');
      // Story 2 stays a candidate: never proposed, never accepted into an issue.
      ids = await seedStories(project.dbPath, tenStories().map((s, i) => (i === 1 ? { ...s, approved: false } : s)));
    });
    afterEach(async () => {
      project.remove();
      if (backend === 'postgres') await dropTestDatabase(project.dbPath);
    });
    issueTests();
  });
}

const cli = (...args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, ...args]);
const order = (json: string): number[] => JSON.parse(json).stories.map((s: { id: number }) => s.id);
/** What the CLI said on stderr: the `msg` of each JSON log line (the default off a terminal), else the line. */
const said = (stderr: string): string =>
  stderr
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return String(JSON.parse(line).msg);
      } catch {
        return line;
      }
    })
    .join('\n');

/** The tests of `aiwins issue`, on whichever backend the enclosing describe set up. */
function issueTests() {
  describe('aiwins issue', () => {
    it('new proposes the approved stories, grouped by category (newest group first), newest first within each', async () => {
      const r = await cli('issue', 'new', '--title', 'First issue', '--json');
      expect(r.code, r.stderr).toBe(0);
      const issue = JSON.parse(r.stdout);
      expect(issue).toMatchObject({ number: 1, title: 'First issue', status: 'draft', sentAt: null });
      // Health: stories 10, 7, 4, 1; Climate: 9, 6, 3; Research: 8, 5 (2 is not approved).
      expect(order(r.stdout)).toEqual([10, 7, 4, 1, 9, 6, 3, 8, 5].map((n) => ids[n - 1]));
      expect(issue.stories.map((s: { draft: { category: string } }) => s.draft.category)).toEqual([
        'Health', 'Health', 'Health', 'Health', 'Climate', 'Climate', 'Climate', 'Research', 'Research',
      ]);

      const shown = await cli('issue', 'show');
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(/^Issue 1 \[draft\] First issue/);
      expect(shown.stdout).toContain(`  1. #${ids[9]}  [Health]`);
    });

    it('add, move and remove change the draft issue; show --json prints it in order', async () => {
      expect((await cli('issue', 'new', '--empty')).code).toBe(0);
      let r = await cli('issue', 'add', String(ids[0]), String(ids[2]), String(ids[3]), '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(order(r.stdout)).toEqual([ids[0], ids[2], ids[3]]);

      r = await cli('issue', 'move', String(ids[3]), '--to', '1', '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(order(r.stdout)).toEqual([ids[3], ids[0], ids[2]]);

      r = await cli('issue', 'remove', String(ids[0]), '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(order(r.stdout)).toEqual([ids[3], ids[2]]);

      r = await cli('issue', 'show', '1', '--json');
      expect(order(r.stdout)).toEqual([ids[3], ids[2]]);
    });

    it('refuses bad ids and usage with a clear message and exit 2, changing nothing', async () => {
      expect((await cli('issue', 'show')).code).toBe(2);
      expect((await cli('issue', 'new', '--empty')).code).toBe(0);
      expect((await cli('issue', 'add', String(ids[0]))).code).toBe(0);

      // The rest of the refusals are covered in src/store/issues.test.ts; these go through the CLI.
      const cases: [string[], RegExp][] = [
        [['issue', 'add', '999'], /no story 999/],
        [['issue', 'add', String(ids[1])], /is candidate, not approved/],
        [['issue', 'add', 'abc'], /ID: expected a positive whole number, got "abc"/],
        [['issue', 'move', String(ids[0]), '--to', '5'], /--to: expected a position from 1 to 1, got 5/],
        [['issue', 'show', '42'], /no issue 42/],
        [['issue', 'send', 'abc'], /issue: expected a positive whole number, got "abc"/],
        [['issue', 'send', '42'], /no issue 42/],
        [['issue', 'remove', String(ids[0]), '--issue', '0'], /issue: expected a positive whole number, got "0"/],
      ];
      for (const [args, message] of cases) {
        const r = await cli(...args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(said(r.stderr)).toMatch(message);
        expect(said(r.stderr)).not.toMatch(/\n\s+at /); // no stack trace
      }
      const r = await cli('issue', 'show', '--json');
      expect(order(r.stdout)).toEqual([ids[0]]);
    });

    it('send freezes the issue: the approved version stays, it no longer changes, and its stories are not proposed again', async () => {
      expect((await cli('issue', 'new', '--empty')).code).toBe(0);
      expect((await cli('issue', 'add', String(ids[0]), String(ids[2]))).code).toBe(0);
      const before = JSON.parse((await cli('issue', 'show', '1', '--json')).stdout);

      const sent = await cli('issue', 'send', '1', '--json');
      expect(sent.code, sent.stderr).toBe(0);
      expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'sent' });
      expect(JSON.parse(sent.stdout).sentAt).toMatch(/^\d{4}-\d\d-\d\dT/);

      // A sent story is final: no run drafts it again, and the sent issue stays as it was approved.
      await expect(redraft(project.dbPath, ids[0]!, 'A newer headline nobody approved')).rejects.toThrow(/could not claim/);
      const after = JSON.parse((await cli('issue', 'show', '1', '--json')).stdout);
      expect(after.stories[0].draft.headline).toBe(before.stories[0].draft.headline);

      for (const args of [['issue', 'add', String(ids[3]), '--issue', '1'], ['issue', 'send', '1']]) {
        const r = await cli(...args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toMatch(/issue 1 was sent on .*; a sent issue does not change/);
      }

      const next = await cli('issue', 'new', '--json');
      expect(next.code, next.stderr).toBe(0);
      expect(order(next.stdout)).not.toContain(ids[0]);
      expect(order(next.stdout)).not.toContain(ids[2]);
      expect(order(next.stdout)).toHaveLength(7);
      const again = await cli('issue', 'add', String(ids[0]));
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already went out in issue 1/);
    });
  });
}
