import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { runCli, tempProject, type TempProject } from './helpers/project.ts';
import { seedStories } from './helpers/stories.ts';

/**
 * Issue 18 through the real CLI (bin/aiwins.js on a real database): approve, then an edit and a
 * snooze (as the desk records them); every output keeps the approved text; once sent, the story
 * is final and says so.
 */
let project: TempProject;
let id: number;

beforeEach(async () => {
  project = tempProject();
  project.writeConfig(`feeds: []\nnewsletter:\n  name: "AI Wins"\n  siteUrl: "https://aiwins.example/"\n`);
  const store = await openStore(project.dbPath);
  [id] = (await seedStories(store, [{ title: 'Eye scans', draft: { headline: 'APPROVED headline of the eye scans' } }])) as [number];
  await store.close();
});
afterEach(() => project.remove());

const cli = (...args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, '--log-format', 'text', ...args]);

/** What the desk's Save and Snooze record, through the store (the CLI has no edit or snooze command). */
async function editThenSnooze(): Promise<void> {
  const store = await openStore(project.dbPath);
  try {
    const current = (await store.editorial.versions(id)).at(-1)!;
    const saved = await store.editorial.saveEdit(id, current.id, { ...current.draft, headline: 'EDITED headline, never approved' }, 'ann', new Date());
    expect(saved.ok).toBe(true);
    await store.editorial.decide(id, { action: 'snooze', until: new Date('2030-01-01T00:00:00Z'), by: 'ann', now: new Date() });
  } finally {
    await store.close();
  }
}

const ok = async (...args: string[]) => {
  const r = await cli(...args);
  expect(r.code, `aiwins ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
};

describe('approve, edit, snooze: the approved text is what goes out', () => {
  it('export --status approved, the issue, its export and issue send keep the approved headline', async () => {
    await ok('approve', String(id));
    await editThenSnooze();
    for (const format of ['rss', 'json', 'markdown']) {
      const out = await ok('export', '--status', 'approved', '--format', format);
      expect(out, format).toContain('APPROVED headline of the eye scans');
      expect(out, format).not.toContain('EDITED headline');
    }
    expect(await ok('issue', 'new')).toContain('APPROVED headline of the eye scans');
    const preview = await ok('export', '1', '--format', 'html');
    expect(preview).toContain('APPROVED headline of the eye scans');
    expect(preview).not.toContain('EDITED headline');
    const sent = await ok('issue', 'send', '1', '--json');
    expect(JSON.parse(sent).stories.map((s: { draft: { headline: string } }) => s.draft.headline)).toEqual(['APPROVED headline of the eye scans']);
    expect(await ok('export', '1', '--format', 'markdown')).not.toContain('EDITED headline');
  });
});

describe('a sent story is final', () => {
  beforeEach(async () => {
    await ok('approve', String(id));
    await ok('issue', 'new');
    await ok('issue', 'send', '1');
  });

  it('approve, reject, reopen and redraft exit 2 with "Sent in issue N on DATE", recording nothing', async () => {
    const store = await openStore(project.dbPath);
    const before = await store.editorial.decisions(id);
    const sentAt = (await store.issues.get(1))!.sentAt!;
    await store.close();
    const date = `${sentAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    for (const args of [['approve', String(id)], ['reject', String(id), '--reason', 'spin'], ['reopen', String(id)], ['redraft', '--id', String(id)]]) {
      const r = await cli(...args);
      expect(r.code, `aiwins ${args.join(' ')}`).toBe(2);
      expect(r.stderr).toContain(`Sent in issue 1 on ${date}`);
    }
    const after = await openStore(project.dbPath);
    expect(await after.editorial.decisions(id)).toEqual(before);
    expect((await after.editorial.versions(id)).length).toBe(1);
    await after.close();
  });

  it('`stories` says "Sent in issue N" with the date; --json adds `sent`', async () => {
    expect(await ok('stories')).toMatch(new RegExp(`^\\s+${id}\\s+approved .*\\[Sent in issue 1 on \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC\\]$`, 'm'));
    const [story] = JSON.parse(await ok('stories', '--json'));
    expect(story).toMatchObject({ id, status: 'approved', sent: { issue: 1, at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) } });
    expect(await ok('show', String(id))).toContain('Sent in issue 1 on ');
  });
});
