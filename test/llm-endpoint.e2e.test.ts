import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SiteServer } from './helpers/site-server.ts';
import { errorReply, rateLimitedHandler, refusingJsonSchema, type OpenAiServer } from './helpers/openai-server.ts';
import { fixtureConfig, lastJsonLine, runCli, type TempProject } from './helpers/project.ts';
import { demoSiteRoutes, loadDemoArticles } from '../scripts/demo-site.ts';
import { startDemoWorld, type DemoWorld } from './helpers/demo-world.ts';

/** Thirty stories made from the five demo articles (distinct titles and links, five texts). */
const STORIES = Array.from({ length: 30 }, (_, i) => {
  const demo = loadDemoArticles();
  const a = demo[i % demo.length]!;
  return { ...a, slug: `${a.slug}-${i + 1}`, title: `${a.title} (part ${i + 1})` };
});
/** The provider's limit: requests a second, over which it answers 429 with Retry-After. */
const PER_SECOND = 2;

let site: SiteServer;
let llm: OpenAiServer;
let project: TempProject;

/** Serves the first `n` stories: a feed of them, and their pages. */
const serveStories = (n: number) => {
  for (const [path, route] of Object.entries(demoSiteRoutes(site.origin, STORIES.slice(0, n)))) site.setRoute(path, route);
};

let world: DemoWorld;
beforeEach(async () => void ({ site, llm, project } = world = await startDemoWorld({ demoRoutes: false })));
afterEach(() => world.close());

const cli = (args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, ...args], {}, 180_000);
// The stories repeat five texts under thirty titles: with the copy check on, they would be
// attached to five stories; these tests are about the endpoint, so every item is drafted.
const writeConfig = () =>
  project.writeConfig(
    fixtureConfig({ feeds: [{ name: 'Demo Gazette', url: `${site.origin}/feed.xml` }], allow: [site.hostPort], llmBaseURL: llm.url, extra: 'dedupe:\n  enabled: false\n' }),
  );

describe('aiwins run against real-world LLM endpoints', () => {
  it('against a provider that allows a few requests a second: slows to its pace, wastes few calls on 429s, drafts everything in the same run', async () => {
    serveStories(STORIES.length);
    const provider = rateLimitedHandler(PER_SECOND);
    llm.setHandler(provider);
    writeConfig();
    const run = await cli(['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJsonLine(run.stdout);

    expect(summary.drafts).toMatchObject({ made: STORIES.length, failed: 0, deferred: 0, blocked: 0 });
    // The provider did push back (the run went faster than it allows), and every 429 was counted.
    expect(provider.rejected).toBeGreaterThan(0);
    expect(summary.llm.rateLimited).toBe(provider.rejected);
    expect(summary.llm.calls).toBe(STORIES.length + provider.rejected);
    // Few wasted calls: well under one 429 per item.
    expect(provider.rejected).toBeLessThanOrEqual(STORIES.length / 3);

    // A 429 is never an attempt: every story drafted at its first.
    const stories = JSON.parse((await cli(['stories', '--json'])).stdout);
    expect(stories).toHaveLength(STORIES.length);
    expect(stories.every((s: any) => s.attempts === 0 && s.status === 'candidate')).toBe(true);
  }, 240_000); // 30 items at 2 a second, on a shared machine

  it('against a server that refuses json_schema: falls back to json_object once, drafts everything, and says so on each draft', async () => {
    const n = 8;
    serveStories(n);
    llm.setHandler(refusingJsonSchema('llama.cpp'));
    writeConfig();
    const run = await cli(['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJsonLine(run.stdout);
    expect(summary.drafts).toMatchObject({ made: n, failed: 0, deferred: 0, blocked: 0 });
    // Refused once per request in flight when the first refusal came back, never after.
    const refused = llm.requests.filter((r) => r.response_format.type === 'json_schema').length;
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(4); // llm.concurrency
    expect(summary.llm.calls).toBe(n + refused);
    const stories = JSON.parse((await cli(['stories', '--json'])).stdout);
    expect(stories.map((s: any) => s.draft.responseFormat)).toEqual(Array(n).fill('json_object'));
  }, 240_000);

  it('against an endpoint refusing the key: stops at the first answer, spends no attempt, says what to check, exits 1', async () => {
    const n = 8;
    serveStories(n);
    llm.setHandler(() => errorReply(401, 'Incorrect API key provided', { code: 'invalid_api_key' }));
    writeConfig();
    const run = await cli(['run', '--json']);
    expect(run.code, run.stderr).toBe(1);
    const summary = lastJsonLine(run.stdout);
    expect(summary.status).toBe('failed');
    expect(summary.stop.kind).toBe('llm.auth');
    expect(summary.stop.message).toMatch(/OPENAI_API_KEY/);
    // The requests in flight when the first answer came back, at most: never one per item.
    expect(llm.calls).toBeGreaterThanOrEqual(1);
    expect(llm.calls).toBeLessThanOrEqual(4); // llm.concurrency
    const all = JSON.parse((await cli(['stories', '--all', '--json'])).stdout);
    expect(all).toHaveLength(n);
    expect(all.every((s: any) => s.status === 'pending' && s.attempts === 0)).toBe(true);
  }, 240_000);
});
