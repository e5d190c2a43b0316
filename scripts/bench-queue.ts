/**
 * `npm run bench:queue`: pg-boss 10 and Graphile Worker 0.16 side by side on this machine's
 * PostgreSQL, for issue 22 (durable job queue). Each library gets a fresh database
 * (aiwins_bench_queue_<lib>_<pid>), dropped at the end even when a measure fails.
 *
 * Measures, per library:
 *   a. enqueue rate: N jobs one insert at a time, and in batches of 1,000;
 *   b. throughput on empty jobs at concurrency 4 and 16, with the per-job overhead
 *      (wall / jobs x concurrency: the time one job holds a slot beyond its handler);
 *   c. pick-up latency: 200 jobs enqueued one every 20 ms to an idle worker (p50/p95/max);
 *   d. a worker that dies holding a job: a child process takes a job whose handler hangs, is
 *      SIGKILLed, and a fresh worker is started: how long until the job runs again and completes;
 *      then whether a stale worker that finishes late is noticed (by the library, or by a token
 *      checked in our own transaction);
 *   e. RSS of a worker process (the child of d, after 1,000 empty jobs), next to a bare child.
 *
 * Usage: tsx scripts/bench-queue.ts [--jobs N] [--only pg-boss|graphile-worker] [--cap-s S]
 * PostgreSQL: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432), a role that may create
 * databases.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { Logger, makeWorkerUtils, run, runMigrations, type Runner, type RunnerOptions, type TaskList } from 'graphile-worker';

const SERVER_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const SELF = fileURLToPath(import.meta.url);
const LIBS = ['pg-boss', 'graphile-worker'] as const;
type Lib = (typeof LIBS)[number];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const now = () => performance.now();
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** A promise with its resolve exposed, for handlers that hold a job until the bench lets go. */
function gate<T = void>() {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

/** Polls `done` until it is true or `ms` pass; returns whether it became true. */
async function waitFor(done: () => boolean | Promise<boolean>, ms: number, every = 5): Promise<boolean> {
  const end = now() + ms;
  while (now() < end) {
    if (await done()) return true;
    await sleep(every);
  }
  return done();
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// ---------------------------------------------------------------------------------------------
// Child worker (measure d and e): `node --import tsx bench-queue.ts --child <lib> <url>`.
// It works 1,000 empty jobs, prints its RSS, then takes the "hang" job, prints the job's identity
// and never finishes it, waiting to be SIGKILLed. Lines on stdout are JSON.
// ---------------------------------------------------------------------------------------------
const WARM_JOBS = 1000;
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

async function childMain(lib: Lib | 'bare', url: string): Promise<void> {
  if (lib === 'bare') {
    // The floor: node + tsx + pg with one connection, and nothing else.
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('SELECT 1');
    say({ warm: true, rss: process.memoryUsage().rss });
    await new Promise(() => {});
  }
  let warmed = 0;
  const onWarm = () => {
    if (++warmed === WARM_JOBS) say({ warm: true, rss: process.memoryUsage().rss });
  };
  if (lib === 'pg-boss') {
    const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false, migrate: false });
    boss.on('error', (e) => console.error('child pg-boss error', e.message));
    await boss.start();
    await boss.work('noop', { batchSize: 100, pollingIntervalSeconds: 0.5 }, async (jobs) => jobs.forEach(onWarm));
    await boss.work('hang', { pollingIntervalSeconds: 0.5, includeMetadata: true }, async ([job]) => {
      say({ took: job.id, attempt: job.retryCount, startedOn: job.startedOn, rss: process.memoryUsage().rss });
      await new Promise(() => {});
    });
  } else {
    const tasks: TaskList = {
      noop: async () => onWarm(),
      hang: async (_payload, helpers) => {
        const { id, attempts, locked_by } = helpers.job;
        say({ took: id, attempt: attempts, lockedBy: locked_by, rss: process.memoryUsage().rss });
        await new Promise(() => {});
      },
    };
    await run({ connectionString: url, concurrency: 4, pollInterval: 500, taskList: tasks, logger: quietLogger, noHandleSignals: true });
  }
  await new Promise(() => {});
}

/** Spawns a child worker and hands back its JSON lines as they come. */
function spawnChild(lib: Lib | 'bare', url: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', lib, url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l));
    } catch {
      console.error(`child: ${l}`);
    }
  });
  const next = async (key: string, ms: number) => {
    if (!(await waitFor(() => lines.some((l) => key in l), ms, 10))) throw new Error(`child ${lib} sent no "${key}" in ${ms} ms`);
    return lines.find((l) => key in l)!;
  };
  const kill = () => {
    child.kill('SIGKILL');
    return new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  };
  return { child, next, kill };
}

// ---------------------------------------------------------------------------------------------
// Results, printed as one table per measure at the end.
// ---------------------------------------------------------------------------------------------
type Row = Record<string, string | number>;
const results: Record<string, Row[]> = {};
const record = (measure: string, row: Row) => (results[measure] ??= []).push(row);
const notes: string[] = [];

function printTables(): void {
  for (const [measure, rows] of Object.entries(results)) {
    console.log(`\n## ${measure}`);
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const cell = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v ?? ''));
    const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
    const line = (vals: string[]) => '| ' + vals.map((v, i) => v.padEnd(widths[i])).join(' | ') + ' |';
    console.log(line(cols));
    console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
    for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))));
  }
  if (notes.length) console.log('\n## notes\n' + notes.map((n) => `- ${n}`).join('\n'));
}

// ---------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------
const dbUrl = (name: string) => {
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  return u.toString();
};
const created = new Set<string>();

async function adminQuery(text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: dbUrl('postgres') });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

async function withDatabase(lib: Lib, fn: (url: string) => Promise<void>): Promise<void> {
  const name = `aiwins_bench_queue_${lib.replace(/-/g, '_')}_${process.pid}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  created.add(name);
  try {
    await fn(dbUrl(name));
  } finally {
    await dropDatabase(name);
  }
}

async function dropDatabase(name: string): Promise<void> {
  // FORCE: workers the bench stopped badly (or a SIGKILLed child's backend) may still hold sessions.
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  created.delete(name);
}

// ---------------------------------------------------------------------------------------------
// pg-boss 10
// ---------------------------------------------------------------------------------------------
type Boss = InstanceType<typeof PgBoss>;

async function startBoss(url: string, extra: Partial<PgBoss.ConstructorOptions> = {}): Promise<Boss> {
  // The maintenance loop (which expires jobs whose lease ran out) is only wanted in measure d.
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false, max: 20, ...extra });
  boss.on('error', (e) => console.error('pg-boss error:', e.message));
  await boss.start();
  return boss;
}

/** pg-boss `insert` of N jobs in batches (one INSERT … SELECT FROM json per batch). */
async function bossFill(boss: Boss, queue: string, n: number, batch = 1000): Promise<void> {
  for (let i = 0; i < n; i += batch) {
    await boss.insert(Array.from({ length: Math.min(batch, n - i) }, (_, k) => ({ name: queue, data: { i: i + k } })));
  }
}

async function bossQueueCount(url: string, queue: string, states: string[]): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query('SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = ANY($2::pgboss.job_state[])', [queue, states]);
    return r.rows[0].n;
  } finally {
    await c.end();
  }
}

async function benchPgBoss(url: string, o: Options): Promise<void> {
  const lib = 'pg-boss';
  const boss = await startBoss(url);
  try {
    // a. enqueue
    await boss.createQueue('enq_single');
    let t = now();
    for (let i = 0; i < o.jobs; i++) await boss.send('enq_single', { i });
    record('a. enqueue', { lib, method: 'send() one at a time', jobs: o.jobs, 'jobs/s': Math.round(o.jobs / ((now() - t) / 1000)) });
    await boss.createQueue('enq_batch');
    t = now();
    await bossFill(boss, 'enq_batch', o.jobs);
    record('a. enqueue', { lib, method: 'insert([...1000])', jobs: o.jobs, 'jobs/s': Math.round(o.jobs / ((now() - t) / 1000)) });
    // Jobs nobody works: pg-boss 10 gives each queue its own partition, but clear them anyway.
    for (const q of ['enq_single', 'enq_batch']) await boss.purgeQueue(q);

    // b. throughput on empty jobs
    for (const conc of [4, 16]) {
      // b1: the library's own loop, one work() per slot. In v10 each work() loop waits
      // pollingIntervalSeconds (minimum 0.5 s) after EVERY fetch, even one that returned a job.
      await bossThroughput(boss, url, o, conc, 'work() x conc, batchSize 1, poll 0.5 s', async (q, onJob) => {
        const ids: string[] = [];
        for (let k = 0; k < conc; k++) ids.push(await boss.work(q, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => jobs.forEach(onJob)));
        return async () => { for (const id of ids) await boss.offWork({ id }); };
      });
      // b2: one loop fetching `conc` jobs at a time and running them together.
      await bossThroughput(boss, url, o, conc, 'work() x1, batchSize conc, poll 0.5 s', async (q, onJob) => {
        const id = await boss.work(q, { batchSize: conc, pollingIntervalSeconds: 0.5 }, async (jobs) => { await Promise.all(jobs.map(async (j) => onJob(j))); });
        return async () => boss.offWork({ id });
      });
      // b3: our own loop over fetch()/complete(), which is what aiwins would write to avoid the
      // fixed wait: a slot fetches again as soon as it completes, and sleeps only on an empty fetch.
      await bossThroughput(boss, url, o, conc, 'own loop: fetch()+complete() x conc, idle poll 50 ms', async (q, onJob) => bossOwnLoop(boss, q, conc, 50, onJob));
    }
    // b4: the fetch sorts every available job of the queue (its index is on (name, start_after),
    // not on the ORDER BY), so its cost grows with the backlog: the same loop on a short queue.
    await bossThroughput(boss, url, o, 4, 'own loop: fetch()+complete() x conc, idle poll 50 ms', async (q, onJob) => bossOwnLoop(boss, q, 4, 50, onJob), SHORT_BACKLOG);

    // c. pick-up latency
    await boss.createQueue('lat_poll');
    await bossLatency(boss, o, 'work() batchSize 50, poll 0.5 s (no LISTEN/NOTIFY in v10)', 'lat_poll', 'work');
    await boss.createQueue('lat_notify');
    await bossLatency(boss, o, 'same + notifyWorker(id) after each send (same process only)', 'lat_notify', 'work+notify');
    await boss.createQueue('lat_own');
    await bossLatency(boss, o, 'own loop: fetch()+complete() x4, idle poll 50 ms', 'lat_own', 'own-loop');
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 2000 });
  }

  // d + e. a worker that dies, then a stale worker.
  await bossDeadWorker(url);
  await bossStaleWorker(url);
}

/**
 * `conc` slots, each fetching one job, running it and completing it, and fetching again at once;
 * only an empty fetch sleeps `idleMs`. Returns the function that stops the slots.
 */
function bossOwnLoop(boss: Boss, q: string, conc: number, idleMs: number, onJob: (job: PgBoss.Job<unknown>) => void): () => Promise<void> {
  let stop = false;
  const slots = Array.from({ length: conc }, async () => {
    while (!stop) {
      const [job] = await boss.fetch(q);
      if (!job) {
        await sleep(idleMs);
        continue;
      }
      onJob(job);
      await boss.complete(q, job.id);
    }
  });
  return async () => {
    stop = true;
    await Promise.all(slots);
  };
}

async function bossThroughput(
  boss: Boss, url: string, o: Options, conc: number, method: string,
  start: (queue: string, onJob: (job: PgBoss.Job<unknown>) => void) => Promise<() => Promise<void>>,
  backlog = o.jobs,
): Promise<void> {
  const q = `tp_${conc}_${(results['b. throughput'] ?? []).length}`;
  await boss.createQueue(q);
  await bossFill(boss, q, backlog);
  let done = 0;
  const t = now();
  const stop = await start(q, () => { done++; });
  const finished = await waitFor(async () => done >= backlog && (await bossQueueCount(url, q, ['completed'])) >= backlog, o.capMs, 100);
  const wall = now() - t;
  await stop();
  // Completed rows, not handler calls: a slot counts once pg-boss has recorded the completion.
  const completed = await bossQueueCount(url, q, ['completed']);
  await boss.purgeQueue(q); // a capped run leaves most of its jobs behind
  record('b. throughput', {
    lib: 'pg-boss', method, concurrency: conc, backlog, jobs: completed, 'wall s': wall / 1000,
    'jobs/s': Math.round(completed / (wall / 1000)), 'ms/job/slot': (wall / completed) * conc,
    note: finished ? '' : `stopped at the ${o.capMs / 1000} s cap`,
  });
}

type BossWorkerStyle = 'work' | 'work+notify' | 'own-loop';

async function bossLatency(boss: Boss, o: Options, method: string, q: string, style: BossWorkerStyle): Promise<void> {
  const sent = new Map<number, number>();
  const lat: number[] = [];
  const started = (job: PgBoss.Job<unknown>, t = now()) => lat.push(t - sent.get((job.data as { i: number }).i)!);
  let id = '';
  let stopOwn: (() => Promise<void>) | undefined;
  if (style === 'own-loop') stopOwn = bossOwnLoop(boss, q, 4, 50, (j) => started(j));
  else id = await boss.work(q, { batchSize: 50, pollingIntervalSeconds: 0.5 }, async (jobs) => { const t = now(); jobs.forEach((j) => started(j, t)); });
  await sleep(1000); // let the worker settle into its idle polling
  for (let i = 0; i < o.latencyJobs; i++) {
    sent.set(i, now());
    await boss.send(q, { i });
    if (style === 'work+notify') boss.notifyWorker(id);
    await sleep(o.latencyEveryMs);
  }
  await waitFor(() => lat.length >= o.latencyJobs, 10_000);
  if (stopOwn) await stopOwn();
  else await boss.offWork({ id });
  recordLatency('pg-boss', method, lat);
}

function recordLatency(lib: Lib, method: string, lat: number[]): void {
  const s = [...lat].sort((a, b) => a - b);
  record('c. pick-up latency (enqueue -> handler start)', {
    lib, method, jobs: s.length, 'p50 ms': percentile(s, 50), 'p95 ms': percentile(s, 95), 'max ms': s[s.length - 1],
  });
}

const LEASE_S = 5;
/** A queue as short as aiwins' usual one (a run's items), to set against the 10,000-job backlog. */
const SHORT_BACKLOG = 1000;

async function bossDeadWorker(url: string): Promise<void> {
  // The lease: expireInSeconds on the queue. v10 has no heartbeat; an active job whose
  // started_on + expire_in has passed is failed (and so retried) by the maintenance loop, which
  // runs every maintenanceIntervalSeconds in some process with supervise: true.
  const boss = await startBoss(url, { supervise: true, maintenanceIntervalSeconds: 1 });
  try {
    await boss.createQueue('noop');
    await boss.createQueue('hang', { name: 'hang', expireInSeconds: LEASE_S, retryLimit: 3, retryDelay: 0 });
    await bossFill(boss, 'noop', WARM_JOBS);
    const child = spawnChild('pg-boss', url);
    try {
      const warm = await child.next('warm', 60_000);
      await boss.send('hang', { i: 0 });
      const took = await child.next('took', 10_000);
      const tKill = now();
      await child.kill();
      let second: PgBoss.JobWithMetadata<unknown> | undefined;
      let tDone = 0;
      await boss.work('hang', { pollingIntervalSeconds: 0.5, includeMetadata: true }, async ([job]) => {
        second = job;
        tDone = now();
      });
      await waitFor(() => second !== undefined, 60_000, 20);
      const finalState = (await boss.getJobById('hang', String(took.took)))?.state;
      record('d. worker SIGKILLed while holding a job', {
        lib: 'pg-boss',
        settings: `expireInSeconds ${LEASE_S}, retryLimit 3, retryDelay 0, maintenanceIntervalSeconds 1, poll 0.5 s; no heartbeat in v10`,
        'kill -> job rerun s': second ? (tDone - tKill) / 1000 : 'never (60 s)',
        'attempt before/after': `retryCount ${took.attempt} -> ${second?.retryCount ?? '?'}`,
        'final state': finalState ?? '?',
      });
      record('e. worker RSS', { lib: 'pg-boss', process: 'child worker after 1,000 empty jobs', rss: mb(Number(warm.rss)) });
    } finally {
      await child.kill();
    }
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 2000 });
  }
}

/**
 * A worker (A) that lost its job (its lease ran out, another worker B took it) and then finishes
 * late. Does pg-boss refuse A's complete()? And can A find out itself, in the transaction that
 * would save its result, by checking the attempt it holds against the job row?
 */
async function bossStaleWorker(url: string): Promise<void> {
  const boss = await startBoss(url);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await boss.createQueue('stale', { name: 'stale', expireInSeconds: 1, retryLimit: 3, retryDelay: 0 });
    await c.query('CREATE TABLE bench_drafts (job_id uuid, attempt int)');
    await boss.send('stale', { i: 0 });
    const [a] = await boss.fetch('stale', { includeMetadata: true });
    await sleep(1500);
    await boss.expire(); // what the maintenance loop would do: A's lease is over
    const [b] = await boss.fetch('stale', { includeMetadata: true });
    // The token: the job row is still active AND on the attempt this worker took.
    const holds = async (job: PgBoss.JobWithMetadata<unknown>) =>
      (await c.query("SELECT 1 FROM pgboss.job WHERE id = $1 AND state = 'active' AND retry_count = $2 FOR UPDATE", [job.id, job.retryCount])).rowCount === 1;
    await c.query('BEGIN');
    const aHolds = await holds(a);
    await c.query('ROLLBACK');
    await boss.complete('stale', a.id); // A finishes late, through the library
    const afterA = await boss.getJobById('stale', a.id);
    record('d2. stale worker finishing late', {
      lib: 'pg-boss',
      'same job retaken by B': b?.id === a.id ? `yes (retryCount ${a.retryCount} -> ${b.retryCount})` : 'no',
      'library refuses late complete() by A': afterA?.state === 'completed' ? 'no: job completed while B runs it' : `yes (state ${afterA?.state})`,
      'token check in our tx sees A lost it': aHolds ? 'no' : 'yes (retry_count/state in pgboss.job)',
    });

    // Completing inside our own transaction: complete(name, id, data, { db }) runs on our client.
    await boss.send('stale', { i: 1 });
    const [d] = await boss.fetch('stale', { includeMetadata: true });
    const db = { executeSql: (text: string, values: unknown[]) => c.query(text, values as unknown[]) };
    await c.query('BEGIN');
    const dHolds = await holds(d);
    await c.query('INSERT INTO bench_drafts VALUES ($1, $2)', [d.id, d.retryCount]);
    await boss.complete('stale', d.id, {}, { db });
    await c.query('ROLLBACK'); // the draft's transaction fails: the completion must roll back with it
    const afterRollback = (await boss.getJobById('stale', d.id))?.state;
    await c.query('BEGIN');
    await c.query('INSERT INTO bench_drafts VALUES ($1, $2)', [d.id, d.retryCount]);
    await boss.complete('stale', d.id, {}, { db });
    await c.query('COMMIT');
    const afterCommit = (await boss.getJobById('stale', d.id))?.state;
    record('d3. complete inside our own transaction', {
      lib: 'pg-boss',
      how: 'boss.complete(name, id, data, { db: { executeSql } }) on our client',
      'token held': dHolds ? 'yes' : 'no',
      'state after ROLLBACK': afterRollback ?? '?',
      'state after COMMIT': afterCommit ?? '?',
    });
  } finally {
    await c.end();
    await boss.stop({ graceful: false, wait: true, timeout: 2000 });
  }
}

// ---------------------------------------------------------------------------------------------
// Graphile Worker 0.16
// ---------------------------------------------------------------------------------------------
const quietLogger = new Logger(() => (level, message) => {
  if (level === 'error') console.error(`graphile-worker: ${message}`);
});

async function graphileFill(url: string, task: string, n: number, batch = 1000): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (let i = 0; i < n; i += batch) {
      const specs = Array.from({ length: Math.min(batch, n - i) }, (_, k) => ({ identifier: task, payload: { i: i + k } }));
      await c.query(
        'SELECT count(*) FROM graphile_worker.add_jobs(ARRAY(SELECT json_populate_record(NULL::graphile_worker.job_spec, s) FROM json_array_elements($1::json) s))',
        [JSON.stringify(specs)],
      );
    }
  } finally {
    await c.end();
  }
}

async function benchGraphile(url: string, o: Options): Promise<void> {
  const lib = 'graphile-worker';
  await runMigrations({ connectionString: url, logger: quietLogger });
  const utils = await makeWorkerUtils({ connectionString: url, logger: quietLogger });
  try {
    // a. enqueue
    let t = now();
    for (let i = 0; i < o.jobs; i++) await utils.addJob('enq_single', { i });
    record('a. enqueue', { lib, method: 'addJob() one at a time', jobs: o.jobs, 'jobs/s': Math.round(o.jobs / ((now() - t) / 1000)) });
    t = now();
    await graphileFill(url, 'enq_batch', o.jobs);
    record('a. enqueue', { lib, method: 'SQL add_jobs([...1000])', jobs: o.jobs, 'jobs/s': Math.round(o.jobs / ((now() - t) / 1000)) });
    // Jobs nobody works would sit in the table get_job scans (it filters by task after ordering).
    await graphilePurge(utils);

    // b. throughput
    for (const [conc, backlog] of [[4, o.jobs], [16, o.jobs], [4, SHORT_BACKLOG]]) {
      const task = `tp_${conc}_${backlog}`;
      await graphileFill(url, task, backlog);
      let done = 0;
      t = now();
      const runner = await run({
        connectionString: url, concurrency: conc, maxPoolSize: conc + 2, pollInterval: 2000,
        taskList: { [task]: async () => { done++; } }, logger: quietLogger, noHandleSignals: true,
      });
      const finished = await waitFor(() => done >= backlog, o.capMs, 5);
      const wall = now() - t;
      await runner.stop();
      const left = (await utils.withPgClient((c) => c.query('SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = $1', [task]))).rows[0].n;
      const completed = backlog - left;
      await graphilePurge(utils);
      record('b. throughput', {
        lib, method: `run({ concurrency: ${conc} }), pollInterval 2 s + LISTEN/NOTIFY`, concurrency: conc, backlog, jobs: completed, 'wall s': wall / 1000,
        'jobs/s': Math.round(completed / (wall / 1000)), 'ms/job/slot': (wall / completed) * conc,
        note: finished ? '' : `stopped at the ${o.capMs / 1000} s cap`,
      });
    }

    // c. pick-up latency: the pool LISTENs on "jobs:insert", which add_job NOTIFYs.
    {
      const sent = new Map<number, number>();
      const lat: number[] = [];
      const runner = await run({
        connectionString: url, concurrency: 4, pollInterval: 2000,
        taskList: { lat: async (p) => { lat.push(now() - sent.get((p as { i: number }).i)!); } }, logger: quietLogger, noHandleSignals: true,
      });
      await sleep(1000);
      for (let i = 0; i < o.latencyJobs; i++) {
        sent.set(i, now());
        await utils.addJob('lat', { i });
        await sleep(o.latencyEveryMs);
      }
      await waitFor(() => lat.length >= o.latencyJobs, 10_000);
      await runner.stop();
      recordLatency(lib, 'run({ concurrency: 4 }), pollInterval 2 s, LISTEN/NOTIFY', lat);
    }

    await graphileDeadWorker(url, utils);
    await graphileStaleWorker(url, utils);
  } finally {
    await utils.release();
  }
}

/** Deletes every job left (bench only: the private table is not an API). */
async function graphilePurge(utils: Awaited<ReturnType<typeof makeWorkerUtils>>): Promise<void> {
  await utils.withPgClient((c) => c.query('DELETE FROM graphile_worker._private_jobs'));
}

/** A job's attempt count and holder, from the public view; undefined once it is completed (deleted). */
async function graphileJob(utils: Awaited<ReturnType<typeof makeWorkerUtils>>, id: string) {
  const r = await utils.withPgClient((c) => c.query('SELECT attempts, locked_by FROM graphile_worker.jobs WHERE id = $1', [id]));
  return r.rows[0] as { attempts: number; locked_by: string | null } | undefined;
}

const GRAPHILE_OBSERVE_MS = 8000;

async function graphileDeadWorker(url: string, utils: Awaited<ReturnType<typeof makeWorkerUtils>>): Promise<void> {
  await graphileFill(url, 'noop', WARM_JOBS);
  const child = spawnChild('graphile-worker', url);
  let runner: Runner | undefined;
  try {
    const warm = await child.next('warm', 60_000);
    await utils.addJob('hang', { i: 0 }, { maxAttempts: 3 });
    const took = await child.next('took', 10_000);
    const tKill = now();
    await child.kill();
    // A fresh worker alone: 0.16 has no lease shorter than 4 hours and no heartbeat, so the job
    // stays locked by the dead worker. Watch for a while to show it.
    let tDone = 0;
    let rerunAttempt = 0;
    runner = await run({
      connectionString: url, concurrency: 4, pollInterval: 500, logger: quietLogger, noHandleSignals: true,
      taskList: { hang: async (_p, h) => { rerunAttempt = h.job.attempts; tDone = now(); } },
    });
    const rerunAlone = await waitFor(() => tDone > 0, GRAPHILE_OBSERVE_MS, 20);
    // The documented recovery: forceUnlockWorkers(ids of workers known to be dead). aiwins
    // would have to know they are dead: a heartbeat table of its own, swept by a supervisor.
    const tUnlock = now();
    await utils.forceUnlockWorkers([String(took.lockedBy)]);
    await waitFor(() => tDone > 0, 10_000, 20);
    record('d. worker SIGKILLed while holding a job', {
      lib: 'graphile-worker',
      settings: `pollInterval 0.5 s; lock expiry fixed at 4 h (swept every 8-10 min); no heartbeat in 0.16; then forceUnlockWorkers(['${took.lockedBy}'])`,
      'kill -> job rerun s': rerunAlone ? (tDone - tKill) / 1000 : tDone ? `not in ${GRAPHILE_OBSERVE_MS / 1000} s alone; ${((tDone - tUnlock) / 1000).toFixed(2)} s after forceUnlockWorkers` : 'never',
      'attempt before/after': `attempts ${took.attempt} -> ${rerunAttempt || '?'}`,
      'final state': (await waitFor(async () => (await graphileJob(utils, String(took.took))) === undefined, 3000, 20)) ? 'completed (row deleted)' : 'still in table',
    });
    record('e. worker RSS', { lib: 'graphile-worker', process: 'child worker after 1,000 empty jobs', rss: mb(Number(warm.rss)) });
  } finally {
    await child.kill();
    await runner?.stop();
  }
}

async function graphileStaleWorker(url: string, utils: Awaited<ReturnType<typeof makeWorkerUtils>>): Promise<void> {
  const takenA = gate<{ id: string; attempts: number; locked_by: string | null }>();
  const takenB = gate<{ id: string; attempts: number; locked_by: string | null }>();
  const releaseA = gate();
  const releaseB = gate();
  const finishedB = gate();
  const common = { connectionString: url, concurrency: 1 as const, pollInterval: 200, logger: quietLogger, noHandleSignals: true };
  // workerId is honoured at concurrency 1 though RunnerOptions does not declare it.
  const named = (workerId: string, taskList: TaskList): RunnerOptions => ({ ...common, workerId, taskList }) as RunnerOptions;
  const a = await run(named('bench-A', { stale: async (_p, h) => { takenA.open(h.job); await releaseA.promise; } }));
  let b: Runner | undefined;
  try {
    await utils.addJob('stale', { i: 0 }, { maxAttempts: 3 });
    const jobA = await takenA.promise;
    await utils.forceUnlockWorkers(['bench-A']); // A is wrongly believed dead
    b = await run(named('bench-B', { stale: async (_p, h) => { takenB.open(h.job); await releaseB.promise; finishedB.open(); } }));
    const jobB = await takenB.promise;
    // Token check A could make in its own transaction: attempts and locked_by still its own?
    const row = await graphileJob(utils, jobA.id);
    const aHolds = row?.attempts === jobA.attempts && row?.locked_by === 'bench-A';
    releaseA.open();
    // Graphile deletes a completed job by id only (no locked_by check in 0.16's completeJob).
    const goneWhileBRuns = await waitFor(async () => (await graphileJob(utils, jobA.id)) === undefined, 3000, 20);
    releaseB.open();
    await finishedB.promise;
    await sleep(300);
    record('d2. stale worker finishing late', {
      lib: 'graphile-worker',
      'same job retaken by B': jobB.id === jobA.id ? `yes (attempts ${jobA.attempts} -> ${jobB.attempts})` : 'no',
      'library refuses late complete() by A': goneWhileBRuns ? 'no: job deleted (completed) while B runs it' : 'yes',
      'token check in our tx sees A lost it': aHolds ? 'no' : 'yes (attempts/locked_by in graphile_worker.jobs view)',
    });
    record('d3. complete inside our own transaction', {
      lib: 'graphile-worker',
      how: 'no API: the worker deletes the job on its own connection after the task resolves; utils.completeJobs() skips locked jobs',
      'token held': '-', 'state after ROLLBACK': '-', 'state after COMMIT': '-',
    });
  } finally {
    releaseA.open();
    releaseB.open();
    await a.stop();
    await b?.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------
interface Options {
  jobs: number;
  capMs: number;
  latencyJobs: number;
  latencyEveryMs: number;
}

async function bareRss(): Promise<void> {
  const name = `aiwins_bench_queue_bare_${process.pid}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  created.add(name);
  const child = spawnChild('bare', dbUrl(name));
  try {
    const warm = await child.next('warm', 30_000);
    record('e. worker RSS', { lib: '(none)', process: 'bare child: node + tsx + pg, one query', rss: mb(Number(warm.rss)) });
  } finally {
    await child.kill();
    await dropDatabase(name);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { jobs: { type: 'string', default: '10000' }, only: { type: 'string' }, 'cap-s': { type: 'string', default: '10' } },
  });
  const o: Options = { jobs: Number(values.jobs), capMs: Number(values['cap-s']) * 1000, latencyJobs: 200, latencyEveryMs: 20 };
  if (!Number.isInteger(o.jobs) || o.jobs < 1 || !(o.capMs > 0)) throw new Error('--jobs must be a positive integer, --cap-s positive');
  const libs = values.only ? LIBS.filter((l) => l === values.only) : [...LIBS];
  const cleanup = async () => {
    for (const name of [...created]) await dropDatabase(name).catch((e) => console.error(`could not drop ${name}: ${e.message}`));
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  // A pool client of a library may throw outside any await (seen once: a connection ending while
  // a worker stopped); the databases must still go.
  process.once('uncaughtException', (e) => {
    console.error('uncaught:', e.message, e.stack?.split('\n').slice(0, 4).join('\n'));
    void cleanup().finally(() => process.exit(1));
  });
  const serverVersion = `PostgreSQL ${(await adminQuery('SHOW server_version')).rows[0].server_version}`;
  const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
  const t0 = now();
  let failed = false;
  for (const lib of libs) {
    console.error(`… ${lib}`);
    try {
      await withDatabase(lib, (url) => (lib === 'pg-boss' ? benchPgBoss(url, o) : benchGraphile(url, o)));
    } catch (e) {
      failed = true;
      console.error(`${lib} failed:`, e);
    }
  }
  await bareRss().catch((e) => console.error('bare child failed:', e));
  notes.push(`${o.jobs} jobs per measure, throughput cap ${o.capMs / 1000} s per configuration; total ${((now() - t0) / 1000).toFixed(0)} s`);
  notes.push(`load average (1/5/15 min) ${loadBefore} before, ${loadavg().map((l) => l.toFixed(1)).join(' ')} after, on ${cpus().length} CPUs: the machine is shared, compare rows of one run`);
  const version = (pkg: string) => JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')).version;
  notes.push(`node ${process.version}, pg-boss ${version('pg-boss')}, graphile-worker ${version('graphile-worker')}, ${serverVersion}`);
  printTables();
  await cleanup();
  process.exit(failed ? 1 : 0);
}

if (process.argv[2] === '--child') {
  childMain(process.argv[3] as Lib | 'bare', process.argv[4]).catch((e) => {
    console.error('child failed:', e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
