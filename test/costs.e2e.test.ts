/**
 * Costs through the real CLI: the run's estimated cost in its summary, and per feed in `aiwins
 * feeds` (acceptance from the editors' decisions, cost per approved story), priced by llm.pricing,
 * "unknown" without a price.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completion, validDraftContent, type OpenAiServer } from './helpers/openai-server.ts';
import { demoStories, serveStories, startDemoWorld, type DemoWorld } from './helpers/demo-world.ts';
import { fixtureConfig, lastJsonLine, runCli, type TempProject } from './helpers/project.ts';
import type { SiteServer } from './helpers/site-server.ts';

const STORIES = demoStories(5);
/** Each draft reports 1,000 + 250 tokens; at $1 and $4 per million that is $0.002 a draft. */
const USAGE = { prompt_tokens: 1000, completion_tokens: 250 };
const PRICING = '  pricing:\n    gpt-4o-mini: { input: 1, output: 4 }\n';
const PER_DRAFT = 0.002;

let world: DemoWorld;
let site: SiteServer;
let llm: OpenAiServer;
let project: TempProject;

beforeEach(async () => {
  world = await startDemoWorld({
    demoRoutes: false,
    // The server names the model as servers do (a dated name): priced as the configured llm.model.
    llmHandler: ({ body }) => ({ body: completion(JSON.stringify(validDraftContent(body)), { usage: USAGE, model: 'gpt-4o-mini-2024-07-18' }) }),
  });
  ({ site, llm, project } = world);
  serveStories(site, STORIES.slice(0, 3), '"a1"', '/alpha.xml');
  serveStories(site, STORIES.slice(3), '"b1"', '/beta.xml');
});

afterEach(() => world.close());

const cli = (...args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, ...args], {}, 120_000);
const writeConfig = (extra: string) =>
  project.writeConfig(
    fixtureConfig({
      feeds: [
        { name: 'Alpha', url: `${site.origin}/alpha.xml` },
        { name: 'Beta', url: `${site.origin}/beta.xml` },
      ],
      allow: [site.hostPort],
      llmBaseURL: llm.url,
      extra,
    }),
  );

describe('costs', () => {
  it("the run's estimated cost, and per feed: acceptance from editors' decisions and cost per approved story", async () => {
    writeConfig(PRICING);
    const run = await cli('--log-format', 'text', 'run', '--json');
    expect(run.code, run.stderr).toBe(0);
    const summary = lastJsonLine(run.stdout);
    expect(summary.drafts.made).toBe(5);
    expect(summary.llm).toMatchObject({ calls: 5, inputTokens: 5000, outputTokens: 1250 });
    expect(summary.llm.estimatedCost).toBeCloseTo(5 * PER_DRAFT, 10);
    expect(run.stderr).toContain('llm: 5 calls, 5000 input + 1250 output tokens, est. $0.0100');

    const stories = JSON.parse((await cli('stories', '--json')).stdout) as any[];
    const of = (feed: string) => stories.filter((s) => s.feed === feed).map((s) => String(s.id));
    const [a1, a2, a3] = of('Alpha');
    const [b1, b2] = of('Beta');
    for (const args of [
      ['approve', a1!],
      ['approve', a2!],
      ['reject', a3!, '--reason', 'spin'],
      ['reject', b1!, '--reason', 'not_ai'],
      // Approved, then reopened: undecided again.
      ['approve', b2!],
      ['reopen', b2!],
    ]) {
      const r = await cli(...args);
      expect(r.code, r.stderr).toBe(0);
    }

    const feeds = JSON.parse((await cli('feeds', '--json')).stdout) as any[];
    const alpha = feeds.find((f) => f.name === 'Alpha');
    const beta = feeds.find((f) => f.name === 'Beta');
    // The fields that were there stay (a contract: fields are only added).
    expect(alpha.items).toMatchObject({ seen: 3, drafted: 3 });
    expect(alpha).toHaveProperty('lastParse');
    expect(alpha.acceptance).toEqual({ approved: 2, rejected: 1, rate: 2 / 3 });
    expect(alpha.cost).toMatchObject({ llmDrafts: 3, inputTokens: 3000, outputTokens: 750 });
    expect(alpha.cost.estimated).toBeCloseTo(3 * PER_DRAFT, 10);
    expect(alpha.cost.perApprovedStory).toBeCloseTo((3 * PER_DRAFT) / 2, 10);
    expect(beta.acceptance).toEqual({ approved: 0, rejected: 1, rate: 0 });
    expect(beta.cost.estimated).toBeCloseTo(2 * PER_DRAFT, 10);
    expect(beta.cost.perApprovedStory).toBeNull();

    // Per draft: its provenance line, and each draft in the history.
    const shown = await cli('show', a1!);
    expect(shown.stdout).toMatch(/1000\+250 tokens, cost est\. \$0\.0020, \d+ ms/);
    expect((await cli('show', a1!, '--history')).stdout).toContain('1000+250 tokens, cost est. $0.0020');

    const text = await cli('feeds');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('editors: 2 approved, 1 rejected (acceptance 67%); 3 LLM drafts, 3000+750 tokens, cost est. $0.0060 ($0.0030 per approved story)');
    expect(text.stdout).toContain('editors: 0 approved, 1 rejected (acceptance 0%); 2 LLM drafts, 2000+500 tokens, cost est. $0.0040');
  }, 240_000);

  it('without a price the cost is unknown, never 0', async () => {
    writeConfig('');
    const run = await cli('--log-format', 'text', 'run', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(lastJsonLine(run.stdout).llm.estimatedCost).toBeNull();
    expect(run.stderr).toMatch(/llm: 5 calls, 5000 input \+ 1250 output tokens\n/);
    const feeds = JSON.parse((await cli('feeds', '--json')).stdout) as any[];
    expect(feeds.map((f) => f.cost.estimated)).toEqual([null, null]);
    expect(feeds.map((f) => f.acceptance.rate)).toEqual([null, null]);
    expect((await cli('show', '1')).stdout).toContain('1000+250 tokens, cost unknown (no llm.pricing for gpt-4o-mini)');
    expect((await cli('feeds')).stdout).toContain('editors: no story decided yet; 3 LLM drafts, 3000+750 tokens, cost unknown (no llm.pricing for the model)');
  }, 240_000);
});
