/**
 * `npm run bench:pacing`: how much random rate limiting slows a run. The same 20-item run of the
 * real CLI (llm.concurrency 4) against two loopback OpenAI-compatible endpoints answering after a
 * fixed latency: a clean one, and a faulty one that answers a seeded 25% of requests 429 with
 * Retry-After: 1, 5% with 500 and 5% with a body cut off mid-JSON. Prints both wall times, their
 * ratio (the target is at most 2.0) and where every item ended up.
 *
 * Usage: tsx scripts/bench-pacing.ts [--items N] [--latency-ms L] [--cap-s S] [--seed K]
 * A run still going after S seconds (default 240) is killed and reported as not finished.
 */
import { parseArgs } from 'node:util';
import { faultyHandler, type FaultCounts, type FaultMix } from '../test/helpers/openai-server.ts';
import { demoConfig, demoStories, serveStories, startDemoWorld } from '../test/helpers/demo-world.ts';
import { runCli } from '../test/helpers/project.ts';
import { build } from './build.mjs';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '20' },
    'latency-ms': { type: 'string', default: '1000' },
    'cap-s': { type: 'string', default: '240' },
    seed: { type: 'string', default: '7' },
  },
});
const intArg = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer >= ${min}, got ${v}`);
    process.exit(2);
  }
  return n;
};
const ITEMS = intArg('items', args.items, 1);
const LATENCY = intArg('latency-ms', args['latency-ms'], 0);
const CAP_MS = intArg('cap-s', args['cap-s'], 1) * 1000;
const SEED = intArg('seed', args.seed, 0);

interface Outcome {
  label: string;
  wallMs: number;
  finished: boolean;
  drafted: number;
  failed: number;
  deferred: number;
  /** Items with neither a draft nor a recorded failure kind (should be 0). */
  unaccounted: number;
  failureKinds: Record<string, number>;
  calls: number;
  /** What the endpoint answered, by kind. */
  answers: FaultCounts;
}

/** `text` as JSON, or null (said on stderr with `what`) when it is not; `what` null: not even tried. */
function parsed<T>(text: string, what: string | null): T | null {
  if (what === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    process.stderr.write(`${what}: not JSON (${(err as Error).message}): ${text.slice(0, 300)}\n`);
    return null;
  }
}

async function benchRun(label: string, mix: FaultMix): Promise<Outcome> {
  const world = await startDemoWorld({ demoRoutes: false });
  try {
    serveStories(world.site, demoStories(ITEMS), `"bench-pacing-${ITEMS}"`);
    const endpoint = faultyHandler({ seed: SEED, latencyMs: LATENCY, ...mix });
    world.llm.setHandler(endpoint);
    world.project.writeConfig(demoConfig(world, { extra: 'dedupe:\n  enabled: false\n' }));
    const cli = (cliArgs: string[], timeoutMs: number) =>
      runCli(['--config', world.project.configPath, '--db', world.project.dbPath, ...cliArgs], {}, timeoutMs);

    const started = performance.now();
    const run = await cli(['run', '--json'], CAP_MS);
    const wallMs = performance.now() - started;
    const finished = run.signal === null && run.code === 0;
    if (!finished) process.stderr.write(`[${label}] run did not finish (code ${run.code}, signal ${run.signal}); stderr tail:\n${run.stderr.slice(-600)}\n`);

    // The store is the record: read every item back, whether or not the run finished.
    const listed = await cli(['stories', '--all', '--json'], 60_000);
    const stories = parsed<any[]>(listed.stdout, listed.code === 0 ? `[${label}] stories --all` : null) ?? [];
    const failureKinds: Record<string, number> = {};
    let drafted = 0;
    let failed = 0;
    let deferred = 0;
    for (const s of stories) {
      if (s.draft?.engine === 'llm') drafted++;
      else if (s.error?.kind) {
        failureKinds[s.error.kind] = (failureKinds[s.error.kind] ?? 0) + 1;
        if (s.status === 'deferred') deferred++;
        else failed++;
      }
    }
    const calls = world.llm.calls;
    return { label, wallMs, finished, drafted, failed, deferred, unaccounted: ITEMS - drafted - failed - deferred, failureKinds, calls, answers: endpoint.counts };
  } finally {
    await world.close();
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(`bench:pacing: ${ITEMS} items, llm.concurrency 4, model latency ${LATENCY} ms, seed ${SEED}, each run capped at ${s(CAP_MS)}`);
// dist/ is brought up to date first, so neither timed run pays for a rebuild.
await build();
const clean = await benchRun('clean', {});
const faulty = await benchRun('faulty', { rateLimited: 0.25, retryAfterSeconds: 1, serverErrors: 0.05, malformed: 0.05 });

for (const o of [clean, faulty]) {
  const a = o.answers;
  const kinds = Object.entries(o.failureKinds).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  console.log(
    `${o.label.padEnd(6)}  ${o.finished ? 'finished' : 'NOT FINISHED'} in ${s(o.wallMs).padStart(7)}  ` +
      `items: ${o.drafted} drafted, ${o.failed} failed, ${o.deferred} deferred, ${o.unaccounted} unaccounted (failure kinds: ${kinds})  ` +
      `calls ${o.calls}: ${a.ok} ok, ${a.rateLimited} 429, ${a.serverErrors} 500, ${a.malformed} malformed`,
  );
}
const ratio = faulty.wallMs / clean.wallMs;
const within = clean.finished && faulty.finished && ratio <= 2 && clean.unaccounted === 0 && faulty.unaccounted === 0;
console.log(`ratio faulty/clean ${ratio.toFixed(2)}${faulty.finished ? '' : ' (faulty run killed at the cap: at least this)'} (target <= 2.00, no item unaccounted): ${within ? 'MET' : 'NOT MET'}`);
console.log(JSON.stringify({ items: ITEMS, latencyMs: LATENCY, cleanMs: Math.round(clean.wallMs), faultyMs: Math.round(faulty.wallMs), ratio: Number(ratio.toFixed(2)), faultyFinished: faulty.finished, unaccounted: faulty.unaccounted + clean.unaccounted }));
process.exitCode = within ? 0 : 1;
