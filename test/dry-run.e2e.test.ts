/**
 * `aiwins run --dry-run` through the real CLI, with loopback feed and LLM servers: it counts what a
 * run would do (due feeds, new items, LLM calls, tokens, cost), fetches the feeds and nothing else,
 * calls no LLM, and leaves the database exactly as it was (or uncreated).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { completion, validDraftContent, type OpenAiServer } from './helpers/openai-server.ts';
import { demoConfig, demoStories, serveStories, startDemoWorld, type DemoWorld } from './helpers/demo-world.ts';
import { lastJsonLine, runCli, type TempProject } from './helpers/project.ts';
import type { SiteServer } from './helpers/site-server.ts';
import { probeDb } from './helpers/db.ts';

const STORIES = demoStories(7);
/** max_output_tokens of the bundled prompt: what a dry run counts for each answer. */
const MAX_OUTPUT = 2000;

let world: DemoWorld;
let site: SiteServer;
let llm: OpenAiServer;
let project: TempProject;

const serve = (n: number, etag: string) => serveStories(site, STORIES.slice(0, n), etag);
const pageHits = () => [...site.hits].filter(([path]) => path.startsWith('/articles/')).reduce((n, [, hits]) => n + hits, 0);

beforeEach(async () => {
  world = await startDemoWorld({
    demoRoutes: false,
    llmHandler: ({ body }) => ({ body: completion(JSON.stringify(validDraftContent(body)), { usage: { prompt_tokens: 90_000, completion_tokens: 10_000 } }) }),
  });
  ({ site, llm, project } = world);
});

afterEach(() => world.close());

const cli = (args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, ...args], {}, 120_000);
const writeConfig = (llmExtra = '', top = '') =>
  project.writeConfig(
    `${top}${demoConfig(world, { extra: llmExtra })}`,
  );
const dryRun = async (...args: string[]) => {
  const r = await cli(['run', '--dry-run', '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return lastJsonLine(r.stdout);
};

/** Every row the database holds that a run writes: feeds (validators included), items, articles, drafts, runs. */
function snapshot(): string {
  const db = probeDb(project.dbPath);
  try {
    return JSON.stringify(['feeds', 'stories', 'articles', 'drafts', 'runs'].map((t) => db.all(`SELECT * FROM ${t} ORDER BY rowid`)));
  } finally {
    db.close();
  }
}

describe('aiwins run --dry-run', () => {
  it('without a database: every item is new, over-cap items counted apart; one call per item estimated; the feed is the only fetch and no database is created', async () => {
    serve(5, '"v1"');
    writeConfig('', 'run:\n  maxItemsPerFeed: 3\n');
    const plan = await dryRun();
    expect(plan.dryRun).toBe(true);
    expect(plan.engine).toBe('llm');
    expect(plan.feeds).toEqual([{ name: 'Demo Gazette', url: `${site.origin}/feed.xml`, result: 'ok', newItems: 5, overCap: 2, error: null }]);
    expect(plan.items).toEqual({ new: 5, overCap: 2, waiting: 0, toDraft: 3 });
    expect(plan.llm.calls).toBe(3);
    expect(plan.llm.outputTokens).toBe(3 * MAX_OUTPUT);
    // Each article not fetched yet fills the 6,000-token budget (llm.maxInputTokens), around the prompt.
    expect(plan.llm.inputTokens).toBeGreaterThan(3 * 6000);
    expect(plan.llm.inputTokens).toBeLessThan(3 * 6000 + 3 * 5000);
    expect(plan.llm.estimatedCost).toBeNull();

    expect(site.hits.get('/feed.xml')).toBe(1);
    expect(pageHits()).toBe(0);
    expect(site.hits.get('/robots.txt') ?? 0).toBe(0);
    expect(llm.calls).toBe(0);
    expect(existsSync(project.dbPath)).toBe(false);

    const text = await cli(['run', '--dry-run']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Demo Gazette: 5 new items \(2 over the per-feed cap, for later runs\)/);
    expect(text.stdout).toMatch(/items: 3 to draft \(3 new, 0 left by earlier runs\); 2 new over the cap/);
    expect(text.stdout).toMatch(/llm: 3 calls, about \d+ input \+ 6000 output tokens/);
    expect(text.stdout).toMatch(/cost: unknown \(no llm\.pricing for gpt-4o-mini\)/);
    expect(existsSync(project.dbPath)).toBe(false);
  }, 240_000);

  it('prices the estimate with llm.pricing', async () => {
    serve(2, '"v1"');
    writeConfig('  model: priced-model\n  pricing:\n    priced-model: { input: 0.5, output: 2 }\n');
    const plan = await dryRun();
    expect(plan.model).toBe('priced-model');
    expect(plan.llm.calls).toBe(2);
    expect(plan.llm.estimatedCost).toBeCloseTo((plan.llm.inputTokens * 0.5 + plan.llm.outputTokens * 2) / 1e6, 10);
    const text = await cli(['run', '--dry-run']);
    expect(text.stdout).toContain(`cost: est. $${plan.llm.estimatedCost.toFixed(4)}`);
  }, 240_000);

  it('after runs: counts only the new items and the items left waiting, sends the stored validators, and changes nothing in the database', async () => {
    serve(5, '"v1"');
    // Two drafts fit the run's cap (each draft reports 100,000 tokens); three wait for the next run.
    project.writeConfig(
      demoConfig(world, { extra: '  maxTokensPerRun: 150000\n' }).replace(
        '  concurrency: 4',
        '  concurrency: 1',
      ),
    );
    const real = await cli(['run', '--json']);
    expect(real.code, real.stderr).toBe(0);
    expect(lastJsonLine(real.stdout).drafts).toMatchObject({ made: 2, deferred: 3 });
    const callsAfterRun = llm.calls;
    const pagesAfterRun = pageHits();
    const before = snapshot();

    // Unchanged feed (the ETag answers 304): nothing new, the three deferred items wait.
    site.requests.length = 0;
    const quiet = await dryRun();
    expect(site.requests.find((r) => r.path === '/feed.xml')?.headers['if-none-match']).toBe('"v1"');
    expect(quiet.feeds[0]).toMatchObject({ result: 'not_modified', newItems: 0 });
    expect(quiet.items).toEqual({ new: 0, overCap: 0, waiting: 3, toDraft: 3 });
    expect(quiet.llm.calls).toBe(3);
    // The waiting items' articles are stored: estimated on their text, well under the 6,000-token budget each.
    expect(quiet.llm.inputTokens).toBeLessThan(3 * 6000);
    expect(quiet.budget).toEqual({ maxTokensPerRun: 150000, maxTokensPerDay: null, spentToday: 200_000, wouldDefer: 0 });

    // Two more stories under a new ETag: two new, the five stored ones not counted again.
    serve(7, '"v2"');
    const plan = await dryRun();
    expect(plan.feeds[0]).toMatchObject({ result: 'ok', newItems: 2, overCap: 0 });
    expect(plan.items).toEqual({ new: 2, overCap: 0, waiting: 3, toDraft: 5 });
    expect(plan.llm.calls).toBe(5);
    // And again: nothing was stored, so the same answer.
    expect((await dryRun()).items).toEqual(plan.items);

    expect(llm.calls).toBe(callsAfterRun);
    expect(pageHits()).toBe(pagesAfterRun);
    // No feed state (not even the new ETag), no items, no run row.
    expect(snapshot()).toBe(before);
    const db = probeDb(project.dbPath);
    expect(db.value('SELECT etag FROM feeds')).toBe('"v1"');
    db.close();
  }, 240_000);

  it('offline (no LLM configured): items counted, no calls, no tokens', async () => {
    serve(3, '"v1"');
    project.writeConfig(demoConfig(world, { llm: false }));
    const plan = await dryRun();
    expect(plan.engine).toBe('extractive');
    expect(plan.items.toDraft).toBe(3);
    expect(plan.llm).toEqual({ calls: 0, inputTokens: 0, outputTokens: 0, estimatedCost: 0 });
  }, 240_000);
});
