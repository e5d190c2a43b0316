/**
 * A run against an endpoint that answers at random with 429s (Retry-After: 1), 500s and broken
 * bodies: the pacing must not ratchet up on random 429s, so the run finishes with every item
 * accounted for (drafted, or failed or deferred with its kind recorded). How fast it finishes is
 * measured by `npm run bench:pacing`, not asserted here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { faultyHandler } from './helpers/openai-server.ts';
import { lastJsonLine, runCli } from './helpers/project.ts';
import { demoConfig, demoStories, serveStories, startDemoWorld, type DemoWorld } from './helpers/demo-world.ts';

const ITEMS = 20;

let world: DemoWorld;
beforeEach(async () => void (world = await startDemoWorld({ demoRoutes: false })));
afterEach(() => world.close());

const cli = (args: string[], timeoutMs = 60_000) =>
  runCli(['--config', world.project.configPath, '--db', world.project.dbPath, ...args], {}, timeoutMs);

describe('aiwins run against an endpoint with random 429s, 500s and broken answers', () => {
  it('finishes, with all 20 items drafted or failed with a typed kind, and every 429 counted', async () => {
    serveStories(world.site, demoStories(ITEMS), '"pacing-v1"');
    const endpoint = faultyHandler({ seed: 7, rateLimited: 0.25, retryAfterSeconds: 1, serverErrors: 0.05, malformed: 0.05 });
    world.llm.setHandler(endpoint);
    // The stories repeat five texts: with the copy check on, most would be attached, not drafted.
    world.project.writeConfig(demoConfig(world, { extra: 'dedupe:\n  enabled: false\n' }));

    // A bound for a run that stalls, not a speed target (bench:pacing measures that): a pacing that
    // ratchets up on random 429s took about 90 s here; one that recovers takes about 10 s.
    const run = await cli(['run', '--json'], 60_000);
    expect(run.signal, `the run did not finish:\n${run.stderr.slice(-2000)}`).toBeNull();
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJsonLine(run.stdout);
    expect(summary.status).toBe('completed');
    expect(summary.stop).toBeNull();
    expect(summary.items.new).toBe(ITEMS);
    const { made, failed, deferred, blocked, duplicates } = summary.drafts;
    expect(made + failed + deferred + blocked + duplicates).toBe(ITEMS);
    // The endpoint did misbehave, and every 429 it sent was seen and counted.
    expect(endpoint.counts.rateLimited).toBeGreaterThan(0);
    expect(summary.llm.rateLimited).toBe(endpoint.counts.rateLimited);

    const stories = JSON.parse((await cli(['stories', '--all', '--json'])).stdout) as any[];
    expect(stories).toHaveLength(ITEMS);
    for (const s of stories) {
      if (s.draft?.engine === 'llm') continue;
      // Not drafted: the reason is on the item, as a kind of the LLM path and a message.
      expect(s.status, JSON.stringify(s)).toMatch(/^(failed|deferred)$/);
      expect(s.error?.kind, JSON.stringify(s)).toMatch(/^llm\.[a-z_]+$/);
      expect(s.error?.message).toBeTruthy();
    }
    expect(stories.filter((s) => s.draft?.engine === 'llm')).toHaveLength(made);
  }, 120_000);
});
