/**
 * The token caps through the real CLI, against the local OpenAI-compatible server: past
 * llm.maxTokensPerDay or llm.maxTokensPerRun items wait (deferred, kind llm.budget, no attempt
 * spent), the run exits 0, and the day's cap holds across runs while the run's cap resets.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completion, validDraftContent, type OpenAiServer } from './helpers/openai-server.ts';
import { demoConfig, demoStories, serveStories, startDemoWorld, type DemoWorld } from './helpers/demo-world.ts';
import { lastJsonLine, runCli, type TempProject } from './helpers/project.ts';
import type { SiteServer } from './helpers/site-server.ts';
import { utcDayStart } from '../src/pipeline/budget.ts';

/** Six distinct stories from the demo articles; the feed serves the first five, then all six. */
const STORIES = demoStories(6);
/**
 * What the server says each draft used. Our estimate of a request is a few thousand tokens, so a
 * cap of 150,000 lets exactly two drafts go, one after the other (llm.concurrency 1): the third
 * request would take the spending past it.
 */
const USED_PER_DRAFT = { prompt_tokens: 90_000, completion_tokens: 10_000 };
const CAP = 150_000;

let world: DemoWorld;
let site: SiteServer;
let llm: OpenAiServer;
let project: TempProject;

const serve = (n: number, etag: string) => serveStories(site, STORIES.slice(0, n), etag);

beforeEach(async () => {
  world = await startDemoWorld({
    demoRoutes: false,
    llmHandler: ({ body }) => ({ body: completion(JSON.stringify(validDraftContent(body)), { usage: USED_PER_DRAFT }) }),
  });
  ({ site, llm, project } = world);
});

afterEach(() => world.close());

const cli = (args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, ...args], {}, 120_000);
const writeConfig = (cap: string) =>
  project.writeConfig(
    demoConfig(world, { extra: `  ${cap}\n` })
      // One request at a time, so which two drafts fit is decided by spending, not by a race.
      .replace('  concurrency: 4', '  concurrency: 1'),
  );
const run = async (...args: string[]) => {
  const r = await cli(['run', '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return lastJsonLine(r.stdout);
};
const stories = async () => JSON.parse((await cli(['stories', '--all', '--json'])).stdout) as any[];
const pageHits = (slug: string) => site.hits.get(`/articles/${slug}.html`) ?? 0;

describe('token caps', () => {
  it('llm.maxTokensPerDay: two of five drafted, three deferred for the budget with no attempt spent; the next run that day drafts none', async () => {
    serve(5, '"v1"');
    writeConfig(`maxTokensPerDay: ${CAP}`);

    const first = await run();
    expect(first.status).toBe('completed');
    expect(first.drafts).toMatchObject({ made: 2, deferred: 3, failed: 0, blocked: 0 });
    expect(first.budget).toEqual({ maxTokensPerRun: null, maxTokensPerDay: CAP, spentToday: 200_000, deferred: 3 });
    expect(first.llm.calls).toBe(2);
    expect(llm.calls).toBe(2);
    // Waiting for a budget is not an error of the run.
    expect(first.errors).toEqual([]);

    const after = await stories();
    expect(after.filter((s) => s.status === 'candidate')).toHaveLength(2);
    const deferred = after.filter((s) => s.status === 'deferred');
    expect(deferred).toHaveLength(3);
    const tomorrow = utcDayStart(Date.now()) + 86_400_000;
    for (const s of deferred) {
      expect(s.error.kind).toBe('llm.budget');
      expect(s.error.message).toMatch(/llm\.maxTokensPerDay \(150000\) reached/);
      expect(s.attempts).toBe(0);
      // Due when the next UTC day starts (give or take the moments between the refusal and the record).
      expect(Date.parse(s.nextAttemptAt) - tomorrow).toBeGreaterThanOrEqual(0);
      expect(Date.parse(s.nextAttemptAt) - tomorrow).toBeLessThan(60_000);
    }

    // A new story in the feed, and the deferred ones taken again now: the day's drafts already
    // spent the cap, so nothing is sent, and the new story's page is not even fetched.
    serve(6, '"v2"');
    const second = await run('--retry-failed');
    expect(second.drafts).toMatchObject({ made: 0, deferred: 4, failed: 0 });
    expect(second.budget).toMatchObject({ spentToday: 200_000, deferred: 4 });
    expect(second.llm.calls).toBe(0);
    expect(llm.calls).toBe(2);
    expect(pageHits(STORIES[5]!.slug)).toBe(0);
    const later = await stories();
    expect(later.filter((s) => s.status === 'deferred' && s.error.kind === 'llm.budget' && s.attempts === 0)).toHaveLength(4);
  }, 240_000);

  it('llm.maxTokensPerRun resets on the next run: 2, then 2, then the last one', async () => {
    serve(5, '"v1"');
    writeConfig(`maxTokensPerRun: ${CAP}`);

    const first = await run();
    expect(first.drafts).toMatchObject({ made: 2, deferred: 3, failed: 0 });
    expect(first.budget).toMatchObject({ maxTokensPerRun: CAP, maxTokensPerDay: null, deferred: 3 });
    const waiting = (await stories()).filter((s) => s.status === 'deferred');
    expect(waiting).toHaveLength(3);
    expect(waiting.every((s) => s.error.kind === 'llm.budget' && /llm\.maxTokensPerRun \(150000\) reached/.test(s.error.message) && s.attempts === 0)).toBe(true);

    // Deferred for this run only: due again at once, no --retry-failed needed.
    const second = await run();
    expect(second.drafts).toMatchObject({ made: 2, deferred: 1 });
    const third = await run();
    expect(third.drafts).toMatchObject({ made: 1, deferred: 0 });
    expect(third.budget.deferred).toBe(0);
    expect(llm.calls).toBe(5);
    const all = await stories();
    expect(all.filter((s) => s.status === 'candidate')).toHaveLength(5);
    expect(all.every((s) => s.attempts === 0)).toBe(true);
  }, 240_000);

  it('the text summary says how many items wait for the budget', async () => {
    serve(5, '"v1"');
    writeConfig(`maxTokensPerRun: ${CAP}`);
    const r = await cli(['--log-format', 'text', 'run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/3 deferred \(3 for the token budget\)/);
    expect(r.stderr).toMatch(/budget: llm\.maxTokensPerRun 150000; 3 items wait for it/);
  }, 240_000);
});
