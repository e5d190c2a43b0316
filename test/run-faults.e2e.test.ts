/**
 * The run keeps its promises under faults, driven through the CLI as cron and operators do: a
 * lost lease, a locked database, a full or damaged one, an endpoint refusing the key, and a
 * redraft beside editors' decisions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { validDraftReply, type OpenAiServer } from './helpers/openai-server.ts';
import { lastJsonLine, ROOT, runCli, type CliResult, type TempProject } from './helpers/project.ts';
import { corruptPages, probeDb } from './helpers/db.ts';
import { openStore } from '../src/store/index.ts';
import { loadDemoArticles } from '../scripts/demo-site.ts';
import { demoConfig, startDemoWorld, type DemoWorld } from './helpers/demo-world.ts';
import { waitFor } from './helpers/wait-for.ts';

const N = loadDemoArticles().length;

let llm: OpenAiServer;
let project: TempProject;

let world: DemoWorld;
beforeEach(async () => void ({ llm, project } = world = await startDemoWorld()));
afterEach(() => world.close());

function writeConfig(extra = '', withLlm = true) {
  project.writeConfig(
    demoConfig(world, { llm: withLlm, extra })
      // Answers held back by a test wait as long as it takes on a loaded machine.
      .replace('  timeoutSeconds: 20\n', '  timeoutSeconds: 600\n'),
  );
}

const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(['--config', project.configPath, '--db', project.dbPath, ...args], env, 180_000);

/** `aiwins ARGS` as a child process the test can signal. */
function startCli(args: string[], env: Record<string, string> = {}): { pid: number; signal(s: NodeJS.Signals): void; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'aiwins.js'), '--config', project.configPath, '--db', project.dbPath, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { pid: child.pid!, signal: (s) => child.kill(s), done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The run lease as stored, or undefined when no run holds it. */
function leaseRow(): { acquired_at: string; heartbeat_at: string; expires_at: string } | undefined {
  const db = probeDb(project.dbPath);
  try {
    return db.all<{ acquired_at: string; heartbeat_at: string; expires_at: string }>('SELECT acquired_at, heartbeat_at, expires_at FROM lease')[0];
  } finally {
    db.close();
  }
}

/** A gate the LLM's answers wait on. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

const STACK_LINE = /\n\s+at .+:\d+:\d+/;

function dbFacts() {
  const db = probeDb(project.dbPath);
  try {
    return {
      draftsPerItem: db.all<{ item_id: number; n: number }>('SELECT item_id, COUNT(*) AS n FROM drafts GROUP BY item_id'),
      attempts: db.all<{ attempts: number }>('SELECT attempts FROM stories').map((r) => r.attempts),
      statuses: db.all<{ status: string }>('SELECT status FROM stories ORDER BY id').map((r) => r.status),
      leases: db.value('SELECT COUNT(*) FROM lease'),
      runs: db.all<{ id: number; status: string; error_kind: string | null }>('SELECT id, status, error_kind FROM runs ORDER BY id'),
    };
  } finally {
    db.close();
  }
}

describe('the lease', () => {
  it('a run stopped past its lease is taken over, then stores nothing, calls the LLM no more, and exits 0 as abandoned', async () => {
    writeConfig('  maxRetries: 0\nrun:\n  leaseSeconds: 5\n');
    const firstRunAnswers = gate();
    llm.setHandler(async ({ body, n }) => {
      if (n <= 4) await firstRunAnswers.wait; // the first run's calls (llm.concurrency 4) wait
      return validDraftReply(body);
    });
    // A 1 s lease (AIWINS_FAULT_LEASE_MS) lapses a second after the run stops, not five.
    const first = startCli(['run', '--json'], { AIWINS_FAULT_LEASE_MS: '1000' });
    await waitFor(() => llm.calls === 4, 'the first run to have 4 LLM calls in flight');
    first.signal('SIGSTOP');
    try {
      // Stopped, it beats no more: wait until its lease has expired, as the next run will see.
      await waitFor(() => (leaseRow()?.expires_at ?? '') < new Date().toISOString(), "the stopped run's lease to expire", { intervalMs: 100 });
      const second = await cli(['run', '--json']);
      expect(second.code, second.stderr).toBe(0);
      expect(lastJsonLine(second.stdout)).toMatchObject({ status: 'completed', tookOverRunId: 1, drafts: { made: N } });
    } finally {
      firstRunAnswers.open();
      first.signal('SIGCONT');
    }
    const done = await Promise.race([first.done, sleep(120_000).then(() => null)]);
    if (!done) {
      first.signal('SIGKILL');
      throw new Error(`the first run did not end: ${JSON.stringify(await first.done)}`);
    }
    expect(done.code, done.stderr).toBe(0);
    expect(lastJsonLine(done.stdout)).toMatchObject({ status: 'abandoned', stop: { kind: 'run.lease_lost' }, drafts: { made: 0 } });
    expect(done.stderr).toContain('lost its lease');
    expect(done.stderr).not.toMatch(STACK_LINE);
    // 4 calls by the first run before it stopped, 5 by the second; none after the first resumed.
    expect(llm.calls).toBe(4 + N);
    const facts = dbFacts();
    expect(facts.draftsPerItem).toHaveLength(N);
    expect(facts.draftsPerItem.every((r) => r.n === 1)).toBe(true);
    expect(facts.runs.map((r) => [r.status, r.error_kind])).toEqual([['abandoned', 'run.lease_lost'], ['completed', null]]);
    expect(facts.leases).toBe(0);
  }, 400_000);

  it('redraft keeps the lease with its heartbeat, and leaves approved stories alone unless asked by id', async () => {
    writeConfig('run:\n  leaseSeconds: 5\n', false);
    expect((await cli(['run'])).code).toBe(0);
    const db = probeDb(project.dbPath);
    const [approved, rejected] = db.all<{ id: number }>('SELECT id FROM stories ORDER BY id LIMIT 2').map((r) => r.id);
    db.run(`UPDATE stories SET status = 'approved' WHERE id = ?`, approved);
    db.run(`UPDATE stories SET status = 'rejected' WHERE id = ?`, rejected);
    db.close();

    writeConfig('  maxRetries: 0\nrun:\n  leaseSeconds: 5\n');
    const answers = gate();
    llm.setHandler(async ({ body }) => {
      await answers.wait;
      return validDraftReply(body);
    });
    // A 3 s lease (AIWINS_FAULT_LEASE_MS), renewed every second by the heartbeat.
    const redraft = startCli(['redraft', '--json'], { AIWINS_FAULT_LEASE_MS: '3000' });
    await waitFor(() => llm.calls > 0, 'the redraft to call the LLM');
    // Wait until the heartbeat has carried the lease past the end of its first term, when it would
    // have expired without it.
    let lease: ReturnType<typeof leaseRow>;
    await waitFor(
      () => !!(lease = leaseRow()) && Date.parse(lease.heartbeat_at) - Date.parse(lease.acquired_at) > 3000,
      'the heartbeat to renew the lease past its first term',
      { intervalMs: 100 },
    );
    expect(Date.parse(lease!.expires_at) - Date.parse(lease!.heartbeat_at)).toBe(3000);
    const run = await cli(['run', '--json']);
    expect(lastJsonLine(run.stdout).status).toBe('already_running');
    answers.open();
    const done = await redraft.done;
    expect(done.code, done.stderr).toBe(0);
    expect(lastJsonLine(done.stdout)).toMatchObject({ status: 'completed', redrafted: N - 2, skipped: [approved, rejected] });

    const byId = await cli(['redraft', '--id', String(approved), '--json']);
    expect(lastJsonLine(byId.stdout)).toMatchObject({ redrafted: 1 });
    const stories = JSON.parse((await cli(['stories', '--json'])).stdout) as any[];
    expect(stories.find((s) => s.id === approved)).toMatchObject({ status: 'approved', draft: { engine: 'llm' } });
    expect(stories.find((s) => s.id === rejected)).toMatchObject({ status: 'rejected', draft: { engine: 'extractive' } });
  }, 400_000);
});

describe('the database', () => {
  it('locked by another connection past the busy timeout: no crash, no paid answer lost or paid twice', async () => {
    writeConfig();
    let release: (() => void) | null = null;
    let holder: ReturnType<typeof probeDb> | null = null;
    llm.setHandler(({ body, n }) => {
      if (n === 1) {
        // An editor's sqlite3 shell takes the write lock for 8 s, longer than the 5 s busy timeout.
        holder = probeDb(project.dbPath);
        release = holder.holdWriteLock();
        setTimeout(() => {
          release!();
          holder!.close();
        }, 8000);
      }
      return validDraftReply(body);
    });
    const first = await cli(['run', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(STACK_LINE);
    const s1 = lastJsonLine(first.stdout);
    expect(s1.status).toBe('completed');
    // Whatever was not stored in this run (held, or kept beside the database) is stored by the next.
    const second = await cli(['run', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(llm.calls).toBe(N);
    const facts = dbFacts();
    expect(facts.draftsPerItem).toHaveLength(N);
    expect(facts.draftsPerItem.every((r) => r.n === 1)).toBe(true);
    expect(facts.attempts.every((a) => a === 0)).toBe(true);
    expect(facts.leases).toBe(0);
  });

  it('full: a clear message with the path and free space, exit 1, lease released, no attempt spent; the next run finishes', async () => {
    writeConfig('', false);
    await (await openStore(project.dbPath)).close();
    const probe = probeDb(project.dbPath);
    const pages = probe.value<number>('PRAGMA page_count');
    probe.close();
    const full = await cli(['run', '--json'], { AIWINS_FAULT_DB_MAX_PAGES: String(pages + 3) });
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr).toContain('db.full');
    expect(full.stderr).toContain(project.dbPath);
    expect(full.stderr).toMatch(/MB free on the disk of/);
    expect(full.stderr).not.toMatch(STACK_LINE);
    const facts = dbFacts();
    expect(facts.leases).toBe(0);
    expect(facts.attempts.every((a) => a === 0)).toBe(true);
    const next = await cli(['run', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(dbFacts().draftsPerItem).toHaveLength(N);
  });

  it('with damaged pages: commands name integrity_check and the backup; db check, backup and vacuum for operators', async () => {
    writeConfig('', false);
    expect((await cli(['run'])).code).toBe(0);
    const backup = join(project.dir, 'backup.db');
    const made = await cli(['db', 'backup', backup]);
    expect(made.code, made.stderr).toBe(0);
    expect((await cli(['db', 'backup', backup])).code).toBe(2); // never overwrites
    expect((await cli(['db', 'vacuum'])).code).toBe(0);
    expect((await cli(['db', 'check'])).stdout.trim()).toBe('ok');

    corruptPages(project.dbPath);
    const stories = await cli(['stories']);
    expect(stories.code).toBe(1);
    expect(stories.stderr).toContain('integrity_check');
    expect(stories.stderr).toContain('backup');
    expect(stories.stderr).not.toMatch(STACK_LINE);
    const check = await cli(['db', 'check']);
    expect(check.code).toBe(1);
    expect(check.stdout.trim()).not.toBe('ok');

    const restored = await runCli(['--db', backup, 'stories', '--json']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toHaveLength(N);
  });

  it('read-only commands on a missing database name it, exit 2 and create nothing; a read-only file is still read', async () => {
    const missing = join(project.dir, 'typo', 'aiwins.db');
    for (const args of [['stories'], ['show', '1'], ['feeds']]) {
      const r = await runCli(['--db', missing, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(missing);
    }
    expect(existsSync(join(project.dir, 'typo'))).toBe(false);

    writeConfig('', false);
    expect((await cli(['run'])).code).toBe(0);
    chmodSync(project.dbPath, 0o444);
    const listed = await cli(['stories', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveLength(N);
    expect((await cli(['feeds', '--json'])).code).toBe(0);
  });
});

describe('the LLM endpoint', () => {
  it('a refused key stops drafting at once: items stay pending with no attempt, the run records llm.auth and exits 1', async () => {
    writeConfig();
    llm.setHandler(() => ({ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } }));
    const r = await cli(['run', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const s = lastJsonLine(r.stdout);
    expect(s).toMatchObject({ status: 'failed', stop: { kind: 'llm.auth' }, drafts: { made: 0, failed: 0 } });
    expect(s.stop.message).toMatch(/API key/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    // The calls already in flight when the first answer came (llm.concurrency 4), no more.
    expect(llm.calls).toBeLessThan(N);
    const facts = dbFacts();
    expect(facts.statuses.every((x) => x === 'pending')).toBe(true);
    expect(facts.attempts.every((a) => a === 0)).toBe(true);
    expect(facts.runs.at(-1)).toMatchObject({ status: 'failed', error_kind: 'llm.auth' });
  });
});
