/**
 * Golden sets through the real CLI: frozen from a real database with editors' decisions made
 * through the desk's store, then drafted and scored with no database at all, by the real `openai`
 * client against the local OpenAI-compatible server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import type { Draft } from '../src/core/types.ts';
import { openStore } from '../src/store/index.ts';
import { articleFromRequest, completion, startOpenAiServer, validDraftContent, type OpenAiServer } from './helpers/openai-server.ts';
import { fixtureConfig, lastJsonLine, PROMPT_PATH, runCli, tempProject, type TempProject } from './helpers/project.ts';
import { articleText, decide, seedArticles } from './helpers/workbench.ts';

let project: TempProject;
let llm: OpenAiServer;

/** The model skips the stories of hospitals 2 and 3 and includes the others. */
function judgingReply(body: any) {
  const content = validDraftContent(body);
  if (/hospital number [23] /.test(articleFromRequest(body))) {
    content.framing = { ...(content.framing as object), verdict: 'uncertain', score: 0.5, recommendation: 'skip' };
  }
  return { body: completion(JSON.stringify(content)) };
}

beforeEach(async () => {
  project = tempProject();
  llm = await startOpenAiServer(({ body }) => judgingReply(body));
  project.writeConfig(
    fixtureConfig({
      feeds: [{ name: 'Test Feed', url: 'https://feeds.example/test.xml' }],
      allow: [],
      llmBaseURL: llm.url,
      // A small article budget, so the long article is cut when frozen.
      extra: '  maxInputTokens: 200\n  pricing:\n    gpt-4o-mini: { input: 0.15, output: 0.6 }\n',
    }),
  );
});
afterEach(async () => {
  await llm.close();
  project.remove();
});

const cli = (...args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, '--log-format', 'text', ...args]);

const LIVE = {
  headline: 'Hospital AI reads eye scans', tldr: 'A hospital used a model on retinal scans.', whyItMatters: 'Earlier care.', category: 'Health', engine: 'llm', model: 'gpt-4o-mini',
  takeaways: [{ text: 'Scans were read by a model.', quote: 'used a machine learning model to read retinal scans', grounded: true, supported: true }],
  deck: 'D', body: [], implications: [], readerNote: null, unsupportedClaims: [],
  framing: { verdict: 'positive', score: 0.8, rationale: 'r', concerns: [], angle: null, confidence: 0.8, recommendation: 'include' },
  promptId: 'live', promptHash: '0123456789abcdef', inputTokens: 1000, outputTokens: 200, latencyMs: 700, inputTruncated: false, readingMinutes: 1,
} as unknown as Draft;

const LONG_TEXT =
  articleText(7) +
  Array.from({ length: 30 }, (_, i) => `\n\nBackground paragraph ${i + 1} describes regional health services, staffing levels and budgets in some detail.`).join('');

/** Seven stories with live drafts; editors decided on six (one edited before approving). */
async function seedDecided(): Promise<number[]> {
  const store = await openStore(project.dbPath);
  try {
    const texts = [1, 2, 3, 4, 5, 6].map((n) => articleText(n)).concat(LONG_TEXT);
    const ids = await seedArticles(store, texts.map((text, i) => ({ title: `Story ${i + 1}`, text, draft: LIVE })));
    const [v1] = await store.editorial.versions(ids[0]!);
    const saved = await store.editorial.saveEdit(ids[0]!, v1!.id, { ...v1!.draft, headline: 'Eye clinic AI finds disease early' }, 'ana', new Date('2026-11-30T11:00:00Z'));
    expect(saved.ok).toBe(true);
    await decide(store, [
      { itemId: ids[0]!, action: 'approve', at: new Date('2026-11-30T12:00:00Z') }, // model includes: TP
      { itemId: ids[1]!, action: 'approve', at: new Date('2026-11-30T12:00:00Z') }, // model skips: FN
      { itemId: ids[2]!, action: 'reject', reason: 'not_ai', at: new Date('2026-11-30T12:00:00Z') }, // skips: TN
      { itemId: ids[3]!, action: 'reject', reason: 'spin', at: new Date('2026-11-20T12:00:00Z') }, // includes: FP (decided earlier)
      { itemId: ids[4]!, action: 'reject', reason: 'duplicate', at: new Date('2026-11-30T12:00:00Z') }, // not a label of the prompt
      { itemId: ids[6]!, action: 'approve', at: new Date('2026-11-30T12:00:00Z') }, // includes: TP
    ]);
    return ids;
  } finally {
    await store.close();
  }
}

describe('aiwins prompts freeze, then run and eval --set without the database', () => {
  it('freezes decisions, approved texts and capped articles as files, and drafts and scores them with no database', async () => {
    const ids = await seedDecided();
    const frozen = await cli('prompts', 'freeze', 'gold', '--json');
    expect(frozen.code, frozen.stderr).toBe(0);
    const dir = join(project.dir, 'prompts', 'evals', 'gold');
    expect(lastJsonLine(frozen.stdout)).toMatchObject({ dir, stories: 6, truncated: 1, missing: [] });

    const index = JSON.parse(readFileSync(join(dir, 'set.json'), 'utf8'));
    expect(index).toMatchObject({ format: 1, name: 'gold', articleTokenCap: 200, selection: { stories: null, decidedSince: null } });
    expect(index.stories).toEqual([ids[0], ids[1], ids[2], ids[3], ids[4], ids[6]]); // the undecided story is left out
    const edited = JSON.parse(readFileSync(join(dir, 'stories', `${ids[0]}.json`), 'utf8'));
    expect(edited.decision).toMatchObject({ action: 'approve', reason: null });
    expect(edited.approved).toMatchObject({ origin: 'editor', editedBy: 'ana', headline: 'Eye clinic AI finds disease early' });
    expect(JSON.parse(readFileSync(join(dir, 'stories', `${ids[3]}.json`), 'utf8'))).toMatchObject({ decision: { action: 'reject', reason: 'spin' }, approved: null });
    expect(readFileSync(join(dir, 'stories', `${ids[2]}.txt`), 'utf8')).toBe(articleText(3) + '\n');
    const long = readFileSync(join(dir, 'stories', `${ids[6]}.txt`), 'utf8');
    expect(long.startsWith(articleText(7))).toBe(true);
    expect(long.length).toBeLessThan(LONG_TEXT.length);
    expect(JSON.parse(readFileSync(join(dir, 'stories', `${ids[6]}.json`), 'utf8')).articleTruncated).toBe(true);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^trials\/$/m);

    // A second freeze under the same name would silently replace a reviewed set: refused.
    const again = await cli('prompts', 'freeze', 'gold');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a golden set.*--force/);
    const since = await cli('prompts', 'freeze', 'recent', '--decided-since', '2026-11-25');
    expect(since.code, since.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(project.dir, 'prompts', 'evals', 'recent', 'set.json'), 'utf8')).stories).not.toContain(ids[3]);

    // From here on there is no database: it is moved away, and nothing may create one.
    renameSync(project.dbPath, `${project.dbPath}.moved`);
    const run = await cli('prompts', 'run', PROMPT_PATH, '--set', 'gold', '--name', 'base', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(llm.calls).toBe(6);
    expect(lastJsonLine(run.stdout).progress).toMatchObject({ total: 6, drafted: 6, fromCache: 0 });
    // The model was sent the frozen, capped text.
    const sent = llm.requests.map((r) => articleFromRequest(r)).find((t) => t.includes('hospital number 7'));
    expect(sent).toBe(long.replace(/\n$/, ''));
    expect(readdirSync(join(dir, 'trials'))).toEqual(['base.json']);

    // The same prompt again is served from the set's own results.
    const cached = await cli('prompts', 'eval', PROMPT_PATH, '--set', 'gold', '--json', '--min-f1', '0.6');
    expect(cached.code, cached.stderr).toBe(0);
    expect(llm.calls).toBe(6);
    const ev = lastJsonLine(cached.stdout);
    expect(ev.counts).toMatchObject({ truePositive: 2, falseNegative: 1, trueNegative: 1, falsePositive: 1, positives: 3, negatives: 2 });
    expect(ev.precision).toBeCloseTo(2 / 3);
    expect(ev.recall).toBeCloseTo(2 / 3);
    expect(ev.f1).toBeCloseTo(2 / 3);
    expect(ev.confusion).toEqual({ positive: { approved: 2, spin: 1, duplicate: 1 }, uncertain: { approved: 1, not_ai: 1 } });
    // Measured against the approved texts, the editor's edit included: every draft differs from it.
    expect(ev.editDistance.stories).toBe(3);
    expect(ev.editDistance.meanWords).toBeGreaterThan(0);

    // A trial by name, and a gate that fails.
    const byName = await cli('prompts', 'eval', 'base', '--set', 'gold', '--min-f1', '0.8');
    expect(byName.code).toBe(1);
    expect(byName.stdout).toMatch(/^trial base: precision 0\.667, recall 0\.667, F1 0\.667$/m);

    // Promoting the prompt shows that last eval, kept in the set (there is still no database).
    const promote = await cli('prompts', 'promote', PROMPT_PATH);
    expect(promote.code, promote.stderr).toBe(0);
    expect(promote.stdout).toContain(`trial base, model gpt-4o-mini, on golden set ${dir}`);
    expect(promote.stdout).toMatch(/below threshold: F1 0\.667 is below --min-f1 0\.8/);

    // Results elsewhere (a read-only checkout, CI): --out; compare reads them there too.
    const out = join(project.dir, 'results');
    const other = await cli('prompts', 'run', PROMPT_PATH, '--set', join(project.dir, 'prompts', 'evals', 'gold'), '--name', 'copy', '--out', out);
    expect(other.code, other.stderr).toBe(0);
    expect(llm.calls).toBe(12); // the cache is the results kept where this trial is kept: --out had none
    expect(readdirSync(out)).toEqual(['copy.json']);
    const compared = await cli('prompts', 'compare', 'base', 'live', '--set', 'gold');
    expect(compared.code).toBe(2);
    expect(compared.stderr).toMatch(/a golden set has no live drafts/);

    expect(existsSync(project.dbPath)).toBe(false);
  });
});

/**
 * A provider built as promptfoo builds one from a `file://` entry (its documented custom-provider
 * contract, and what its loader does): `new Provider({id, config, env})` with `id` the entry's
 * path and `config` the entry's config plus `basePath`; releases since early 2025 then set
 * `label` on the instance only when the provider left it empty, earlier ones passed it in the options.
 */
async function providerAsPromptfooLoadsIt(dir: string, entry: { id: string; label?: string; config: object }, passLabel = false) {
  const { default: Provider } = await import(pathToFileURL(join(dir, entry.id.slice('file://'.length))).href);
  const provider = new Provider({ id: entry.id, config: { ...entry.config, basePath: dir }, env: {}, ...(passLabel ? { label: entry.label } : {}) });
  provider.label ||= entry.label;
  return provider;
}

describe('aiwins prompts export-promptfoo', () => {
  it('writes a promptfoo config whose tests are the editors\' decisions and a provider that drafts with aiwins, cached', async () => {
    const ids = await seedDecided();
    expect((await cli('prompts', 'freeze', 'gold')).code).toBe(0);
    const edited = join(project.dir, 'edited.md');
    writeFileSync(edited, readFileSync(PROMPT_PATH, 'utf8') + '\nKeep the headline under ten words.\n');
    const out = await cli('prompts', 'export-promptfoo', 'gold', '--prompt', PROMPT_PATH, edited);
    expect(out.code, out.stderr).toBe(0);
    const setDir = join(project.dir, 'prompts', 'evals', 'gold');
    const dir = join(setDir, 'promptfoo');
    expect(out.stdout).toContain(`wrote a promptfoo config for 6 stories and 2 prompts to ${dir}`);
    // The promptfoo release that runs on this Node, and a command that opens the viewer even though eval exits 100 when a test fails.
    const spec = Number(process.versions.node.split('.')[0]) >= 23 || /^22\.(2[2-9]|[3-9]\d)\./.test(process.versions.node) ? 'promptfoo@latest' : 'promptfoo@0.121.20';
    expect(out.stdout).toContain(`npx ${spec} eval -c ${join(dir, 'promptfooconfig.yaml')}; npx ${spec} view`);
    const text = readFileSync(join(dir, 'promptfooconfig.yaml'), 'utf8');
    expect(text).toContain('npx promptfoo@0.121.20 eval -c promptfooconfig.yaml; npx promptfoo@0.121.20 view');
    expect(text).not.toMatch(/eval -c [^\n]*&&/);
    // A committed set runs on another machine: no path in it is this machine's.
    expect(text).not.toContain(project.dir);
    const config = parse(text);
    for (const p of config.providers) for (const key of ['promptFile', 'set', 'config', 'aiwins']) expect(isAbsolute(p.config[key]), `${key}: ${p.config[key]}`).toBe(false);
    expect(config.providers).toHaveLength(2);
    expect(config.providers[1]).toMatchObject({ id: 'file://provider.mjs', config: { promptFile: '../../../../edited.md', set: '..', config: '../../../../feeds.yaml' } });
    expect(config.tests.map((t: any) => t.vars.storyId)).toEqual([ids[0], ids[1], ids[2], ids[3], ids[4], ids[6]]);
    const metrics = (storyId: number) => config.tests.find((t: any) => t.vars.storyId === storyId).assert.map((a: any) => a.metric);
    expect(metrics(ids[0]!)).toEqual(['schema-valid', 'editors agree', 'grounded quotes']);
    expect(metrics(ids[4]!)).toEqual(['schema-valid', 'grounded quotes']); // a duplicate says nothing about the prompt

    // Each provider has its own id and label, as promptfoo builds them: one column per prompt, and --filter-providers finds each.
    const [first, second] = await Promise.all(config.providers.map((p: any) => providerAsPromptfooLoadsIt(dir, p)));
    expect(first.id()).toBe(`aiwins:${config.providers[0].config.trial}`);
    expect(second.id()).toBe(`aiwins:${config.providers[1].config.trial}`);
    expect(first.id()).not.toBe(second.id());
    expect([first.label, second.label]).toEqual([config.providers[0].label, config.providers[1].label]);
    expect(first.label).not.toBe(second.label);
    const older = await providerAsPromptfooLoadsIt(dir, config.providers[1], true);
    expect([older.id(), older.label]).toEqual([second.id(), second.label]);

    // The set moves (another checkout, another machine): the provider finds everything relative to itself.
    const moved = `${project.dir}-moved`;
    renameSync(project.dir, moved);
    try {
      const movedDir = join(moved, 'prompts', 'evals', 'gold', 'promptfoo');
      const provider = await providerAsPromptfooLoadsIt(movedDir, config.providers[0]);
      const agree = (storyId: number, output: string) => {
        const assertion = config.tests.find((t: any) => t.vars.storyId === storyId).assert.find((a: any) => a.metric === 'editors agree');
        return new Function('output', `return ${assertion.value}`)(output) as boolean;
      };
      const approvedIncluded = await provider.callApi(String(ids[0]), { vars: { storyId: ids[0] } });
      expect(approvedIncluded.error).toBeUndefined();
      expect(agree(ids[0]!, approvedIncluded.output)).toBe(true);
      expect(approvedIncluded.cached).toBe(false);
      expect(approvedIncluded.tokenUsage.total).toBeGreaterThan(0);
      expect(approvedIncluded.tokenUsage.total).toBe(approvedIncluded.tokenUsage.prompt + approvedIncluded.tokenUsage.completion);
      expect(approvedIncluded.tokenUsage.cached).toBeUndefined();
      const approvedSkipped = await provider.callApi(String(ids[1]), { vars: { storyId: ids[1] } });
      expect(agree(ids[1]!, approvedSkipped.output)).toBe(false); // the model skips a story editors approved
      const rejectedSkipped = await provider.callApi(String(ids[2]), { vars: { storyId: ids[2] } });
      expect(agree(ids[2]!, rejectedSkipped.output)).toBe(true);
      expect(llm.calls).toBe(3);
      // A cached draft spends nothing: its tokens are reported as cached, as promptfoo's own providers report theirs.
      const again = await provider.callApi(String(ids[0]), { vars: { storyId: ids[0] } });
      expect(again).toMatchObject({ cached: true, output: approvedIncluded.output });
      expect(again.tokenUsage).toEqual({ cached: approvedIncluded.tokenUsage.total, total: approvedIncluded.tokenUsage.total, numRequests: 1 });
      expect(llm.calls).toBe(3);
      // Every later eval too: the cached result that replaced the first in the trial is itself reused.
      const third = await provider.callApi(String(ids[0]), { vars: { storyId: ids[0] } });
      expect(third).toMatchObject({ cached: true, output: approvedIncluded.output });
      expect(llm.calls).toBe(3);
    } finally {
      renameSync(moved, project.dir);
    }
  });
});
