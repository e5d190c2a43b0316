import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { ROOT, runCli, tempProject, type TempProject } from './helpers/project.ts';
import { seedStories } from './helpers/stories.ts';

let project: TempProject;
let id: number;
beforeEach(async () => {
  project = tempProject();
  const store = await openStore(project.dbPath);
  [id] = (await seedStories(store, [{}])) as [number];
  await store.close();
});
afterEach(() => project.remove());

// Errors as people read them on a terminal (the log is JSON off a terminal by default).
const cli = (...args: string[]) => runCli(['--db', project.dbPath, '--log-format', 'text', ...args]);

describe('aiwins approve / reject / reopen', () => {
  it('each prints the new status; --json prints the story with its decision', async () => {
    const approved = await cli('approve', String(id), '--note', 'lovely');
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toBe(`story ${id}: approved\n`);

    const rejected = await cli('reject', String(id), '--reason', 'spin', '--note', 'oversold', '--json');
    expect(rejected.code, rejected.stderr).toBe(0);
    const story = JSON.parse(rejected.stdout);
    expect(story).toMatchObject({ id, status: 'rejected', review: { decision: { action: 'reject', reason: 'spin', note: 'oversold' } } });
    expect(story.review.decision.versionId).toBe(story.draft.id);

    const reopened = await cli('reopen', String(id));
    expect(reopened.stdout).toBe(`story ${id}: candidate\n`);
    const shown = JSON.parse((await cli('show', String(id), '--json')).stdout);
    expect(shown.status).toBe('candidate');
  });

  it('unknown ids and reason codes: a clear error and exit 2, nothing recorded', async () => {
    const noStory = await cli('approve', '999');
    expect(noStory.code).toBe(2);
    expect(noStory.stderr).toMatch(/no story 999/);
    const badCode = await cli('reject', String(id), '--reason', 'boring');
    expect(badCode.code).toBe(2);
    expect(badCode.stderr).toMatch(/--reason: expected one of not_ai, negative, spin, duplicate, paywalled, low_quality, other, got "boring"/);
    const notANumber = await cli('reopen', 'abc');
    expect(notANumber.code).toBe(2);
    const store = await openStore(project.dbPath);
    expect(await store.editorial.decisions(id)).toEqual([]);
    await store.close();
  });
});

/** Runs the CLI with `input` on stdin. */
function cliWithStdin(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'aiwins.js'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('aiwins users', () => {
  it('add (password on stdin, stored as scrypt at OWASP parameters), list, remove', async () => {
    const added = await cliWithStdin(['--db', project.dbPath, 'users', 'add', 'ann', '--password-stdin'], 'correct horse battery\n');
    expect(added.code, added.stderr).toBe(0);
    const again = await cliWithStdin(['--db', project.dbPath, 'users', 'add', 'ANN', '--password-stdin'], 'another password\n');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    const short = await cliWithStdin(['--db', project.dbPath, 'users', 'add', 'bob', '--password-stdin'], 'short\n');
    expect(short.code).toBe(2);

    const store = await openStore(project.dbPath);
    const creds = await store.users.credentials('ann');
    expect(creds!.passwordHash).toMatch(/^scrypt\$N=131072,r=8,p=1\$/);
    expect(creds!.passwordHash).not.toContain('correct horse');
    await store.close();

    const listed = await cli('users', 'list', '--json');
    expect(JSON.parse(listed.stdout).map((u: { name: string }) => u.name)).toEqual(['ann']);
    expect((await cli('users', 'remove', 'ann')).code).toBe(0);
    const gone = await cli('users', 'remove', 'ann');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/no user "ann"/);
  });
});

describe('aiwins serve', () => {
  it('--port 0 picks a free port, prints the listening line once it accepts connections, and stops on SIGTERM', async () => {
    project.writeConfig('feeds: []\n');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'aiwins.js'), '--config', project.configPath, '--db', project.dbPath, 'serve', '--port', '0'], {
      cwd: ROOT,
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /^aiwins desk listening on (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(out);
        if (m) ok(m[1]!);
      });
      child.once('exit', (code) => fail(new Error(`serve exited ${code}`)));
    });
    const login = await fetch(url + '/login');
    expect(login.status).toBe(200);
    expect(login.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const queue = await fetch(url + '/', { redirect: 'manual' });
    expect(queue.status).toBe(303);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a port that is not one', async () => {
    project.writeConfig('feeds: []\n');
    const r = await runCli(['--config', project.configPath, '--db', project.dbPath, 'serve', '--port', 'http']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port: expected 0 to 65535/);
  });
});
