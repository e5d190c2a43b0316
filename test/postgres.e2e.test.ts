/**
 * The same aiwins on a PostgreSQL server, through the real CLI and the real desk: a run drafts the
 * demo site's articles into a postgres:// database, editors approve and send an issue, two runs
 * started together draft nothing twice, two desks share sessions, and a server that does not
 * answer is said plainly (exit 1, host and port). Skipped, with one line for the whole run, where
 * no server answers (and required under CI=true).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { demoConfig, startDemoWorld, type DemoWorld } from './helpers/demo-world.ts';
import { csrfOf, deskLogin, hashTestPassword } from './helpers/desk.ts';
import { createTestDatabase, dropTestDatabase } from './helpers/postgres.ts';
import pg from 'pg';
import { lastJsonLine, runCli } from './helpers/project.ts';
import { validDraftReply } from './helpers/openai-server.ts';
import { waitFor } from './helpers/wait-for.ts';
import { serveDesk } from './helpers/serve.ts';
import { loadDemoArticles } from '../scripts/demo-site.ts';
import { BACKENDS } from './helpers/stores.ts';

const N = loadDemoArticles().length;

describe.skipIf(!BACKENDS.includes('postgres'))('aiwins on PostgreSQL', () => {
  let world: DemoWorld;
  let db: string;
  beforeEach(async () => {
    world = await startDemoWorld();
    world.project.writeConfig(demoConfig(world));
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await world.close();
    await dropTestDatabase(db);
  });

  const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
    runCli(['--config', world.project.configPath, '--db', db, ...args], env, 180_000);

  it('runs, drafts every article once, and editors approve, send and export an issue', async () => {
    const first = await cli(['run', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(lastJsonLine(first.stdout)).toMatchObject({ status: 'completed', items: { new: N }, drafts: { made: N, failed: 0 } });
    const second = await cli(['run', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(lastJsonLine(second.stdout)).toMatchObject({ items: { new: 0 }, llm: { calls: 0 } });
    expect(world.llm.calls).toBe(N);

    const stories = JSON.parse((await cli(['stories', '--json'])).stdout) as { id: number; status: string }[];
    expect(stories).toHaveLength(N);
    expect(stories.every((s) => s.status === 'candidate')).toBe(true);
    const [a, b] = stories;
    expect((await cli(['approve', String(a!.id)])).code).toBe(0);
    expect((await cli(['approve', String(b!.id)])).code).toBe(0);
    const issue = await cli(['issue', 'new', '--title', 'First issue', '--json']);
    expect(issue.code, issue.stderr).toBe(0);
    expect(JSON.parse(issue.stdout).stories.map((s: { id: number }) => s.id).sort()).toEqual([a!.id, b!.id].sort());
    const sent = await cli(['issue', 'send', '1', '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    // A sent story is final on this backend too.
    const reject = await cli(['reject', String(a!.id), '--reason', 'spin']);
    expect(reject.code).toBe(2);
    expect(reject.stderr).toContain('Sent in issue 1');
    const exported = await cli(['export', '--status', 'approved', '--format', 'json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(String(a!.id));

    const check = await cli(['db', 'check']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout.trim()).toBe('ok');
    const dump = join(world.project.dir, 'aiwins.dump');
    const backup = await cli(['db', 'backup', dump]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(existsSync(dump) && statSync(dump).size).toBeGreaterThan(1000);
  });

  it('a dry run on a database with no aiwins tables yet plans as on a new SQLite file, creating nothing', async () => {
    const plan = await cli(['run', '--dry-run', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(lastJsonLine(plan.stdout).feeds).toHaveLength(1);
    const probe = new pg.Client({ connectionString: db });
    await probe.connect();
    try {
      expect((await probe.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`)).rows[0].n).toBe(0);
    } finally {
      await probe.end();
    }
  });

  it('two runs started together: one runs, the other says another run is in progress; nothing is drafted twice', async () => {
    const [r1, r2] = await Promise.all([cli(['run', '--json']), cli(['run', '--json'])]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r2.code, r2.stderr).toBe(0);
    const statuses = [lastJsonLine(r1.stdout).status, lastJsonLine(r2.stdout).status].sort();
    expect(statuses).toEqual(['already_running', 'completed']);
    expect(world.llm.calls).toBe(N);
    const stories = JSON.parse((await cli(['stories', '--json'])).stdout) as { id: number }[];
    expect(stories).toHaveLength(N);
  });

  it('two desks on one database share sessions, CSRF tokens, decisions, edit conflicts and login limits', async () => {
    expect((await cli(['run', '--json'])).code).toBe(0);
    const store = await openStore(db);
    try {
      await store.users.addUser('ann', await hashTestPassword('ann-password-1'), new Date());
    } finally {
      await store.close();
    }
    const [deskA, deskB] = await Promise.all([serveDesk({ ...world.project, dbPath: db }), serveDesk({ ...world.project, dbPath: db })]);
    try {
      const a = { request: (path: string, init?: RequestInit) => fetch(deskA.url + path, { ...init, redirect: 'manual' }) };
      const session = await deskLogin(a, deskA.url, 'ann', 'ann-password-1');
      // The session made on desk A works on desk B, and so does the CSRF token of A's page.
      const page = await fetch(deskB.url + '/', { headers: { cookie: session.cookie } });
      expect(page.status).toBe(200);
      expect(csrfOf(await page.text())).toBe(session.csrf);
      const stories = JSON.parse((await cli(['stories', '--json'])).stdout) as { id: number }[];
      const approved = await fetch(`${deskB.url}/stories/${stories[0]!.id}/approve`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: deskB.url, cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: session.csrf }),
      });
      expect(approved.status).toBe(303);
      const shown = JSON.parse((await cli(['show', String(stories[0]!.id), '--json'])).stdout);
      expect(shown.status).toBe('approved');

      // An edit saved on desk A makes the same edit from desk B, on the same base version, a 409.
      const other = JSON.parse((await cli(['show', String(stories[1]!.id), '--json'])).stdout);
      const edit = (url: string, headline: string) =>
        fetch(`${url}/stories/${other.id}/edit`, {
          method: 'POST',
          redirect: 'manual',
          headers: { origin: url, cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            _csrf: session.csrf,
            version: String(other.draft.id),
            headline,
            tldr: other.draft.tldr,
            'takeaways.0.text': other.draft.takeaways[0].text,
            'takeaways.0.quote': other.draft.takeaways[0].quote,
            whyItMatters: other.draft.whyItMatters,
            category: other.draft.category,
            deck: '',
            body: '',
            implications: '',
            readerNote: '',
          }),
        });
      expect((await edit(deskA.url, 'Saved on desk A')).status).toBe(303);
      expect((await edit(deskB.url, 'Saved on desk B')).status).toBe(409);

      // Failed logins counted by one desk lock the account on the other.
      for (let i = 0; i < 5; i++) {
        const r = await fetch(`${deskA.url}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { origin: deskA.url, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ username: 'ann', password: 'wrong-password' }),
        });
        expect(r.status).toBe(401);
      }
      const locked = await fetch(`${deskB.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: deskB.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'ann', password: 'ann-password-1' }),
      });
      expect(locked.status).toBe(429);
    } finally {
      await Promise.all([deskA.stop(), deskB.stop()]);
    }
  });

  it('a database lost mid-run: the run exits 1 naming the server, keeps the paid drafts, and the next run finishes without drafting twice', async () => {
    await world.close();
    world = await startDemoWorld({ llmHandler: ({ body }) => ({ ...validDraftReply(body), delayMs: 1500 }) });
    world.project.writeConfig(demoConfig(world));
    const name = new URL(db).pathname.slice(1);
    const admin = new pg.Client({ connectionString: db.replace(`/${name}`, '/postgres') });
    await admin.connect();
    try {
      const run = runCli(['--config', world.project.configPath, '--db', db, 'run', '--json'], {}, 120_000, world.project.dir);
      // While the first drafts are with the model, the database stops taking connections.
      await waitFor(() => world.llm.requests.length >= 1, 'the first request to the model', { timeoutMs: 60_000 });
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      const first = await run;
      expect(first.code, first.stderr).toBe(1);
      expect(first.stderr).toContain('127.0.0.1:5432');
      expect(first.stderr).toMatch(/unavailable/);
      expect(first.stderr).not.toMatch(/\n\s+at /);

      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      const second = await runCli(['--config', world.project.configPath, '--db', db, 'run', '--json'], {}, 120_000, world.project.dir);
      expect(second.code, second.stderr).toBe(0);
      const stories = JSON.parse((await cli(['stories', '--json'])).stdout) as { id: number; draft: unknown }[];
      expect(stories).toHaveLength(N);
      expect(stories.every((s) => s.draft !== null)).toBe(true);
      // Every story has one model draft: an answer paid for before the outage was kept, not asked again.
      const check = new pg.Client({ connectionString: db });
      await check.connect();
      try {
        const { rows } = await check.query(`SELECT item_id, count(*)::int AS n FROM drafts GROUP BY item_id HAVING count(*) > 1`);
        expect(rows).toEqual([]);
      } finally {
        await check.end();
      }
      expect(world.llm.calls).toBe(N);
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => {});
      await admin.end();
    }
  });

  it('a server that does not answer: exit 1, naming host and port; nothing else is touched', async () => {
    const r = await runCli(['--config', world.project.configPath, '--db', 'postgres://postgres@127.0.0.1:1/aiwins', 'run', '--json'], {}, 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('127.0.0.1:1');
    expect(r.stderr).toMatch(/unavailable/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for an expected fault
    expect(world.llm.calls).toBe(0);
  });
});
