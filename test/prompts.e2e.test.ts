/**
 * The prompt workbench through the real CLI: trials drafted by the real `openai` client against the
 * local OpenAI-compatible server, on stored articles in a real SQLite file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Draft } from '../src/core/types.ts';
import { join } from 'node:path';
import { openStore } from '../src/store/index.ts';
import { completion, startOpenAiServer, validDraftContent, validDraftReply, type OpenAiServer } from './helpers/openai-server.ts';
import { fixtureConfig, lastJsonLine, PROMPT_PATH, runCli, tempProject, type TempProject } from './helpers/project.ts';
import { articleText, decide, seedArticles } from './helpers/workbench.ts';

let project: TempProject;
let llm: OpenAiServer;

beforeEach(async () => {
  project = tempProject();
  llm = await startOpenAiServer(({ body }) => validDraftReply(body));
  project.writeConfig(
    fixtureConfig({
      feeds: [{ name: 'Test Feed', url: 'https://feeds.example/test.xml' }],
      allow: [],
      llmBaseURL: llm.url,
      extra: '  pricing:\n    gpt-4o-mini: { input: 0.15, output: 0.6 }\n',
    }),
  );
});
afterEach(async () => {
  await llm.close();
  project.remove();
});

/** Text logs on stderr (`ISO-TIME message` lines), as a person at a terminal reads them. */
const cli = (...args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, '--log-format', 'text', ...args]);

async function seed(n: number, liveDraft?: Draft): Promise<number[]> {
  const store = await openStore(project.dbPath);
  try {
    return await seedArticles(store, Array.from({ length: n }, (_, i) => ({ title: `Story ${i + 1}`, text: articleText(i + 1), draft: i === 0 ? liveDraft : undefined })));
  } finally {
    await store.close();
  }
}

/** A copy of the shipped prompt with other wording: another content hash. */
function editedPrompt(): string {
  const path = join(project.dir, 'edited.md');
  writeFileSync(path, readFileSync(PROMPT_PATH, 'utf8') + '\nKeep the headline under ten words.\n');
  return path;
}

describe('aiwins prompts run', () => {
  it('drafts stored articles into a named trial with a progress line, and the same trial again makes no LLM call', async () => {
    const ids = await seed(3);
    const first = await cli('prompts', 'run', PROMPT_PATH, '--name', 'base', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(llm.calls).toBe(3);
    const progress = first.stderr.split('\n').filter((l) => / 3\/3 /.test(l));
    expect(progress[0]).toMatch(/drafted 3 \(0 from cache, 3 LLM calls\), failed 0; tokens \d+ in \+ \d+ out; est\. \$0\.\d{4}/);
    const out = lastJsonLine(first.stdout);
    expect(out.trial.name).toBe('base');
    expect(out.progress).toMatchObject({ total: 3, drafted: 3, fromCache: 0, failed: 0 });
    expect(out.progress.cost).toBeGreaterThan(0);

    const again = await cli('prompts', 'run', PROMPT_PATH, '--name', 'base-again', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(llm.calls).toBe(3);
    expect(lastJsonLine(again.stdout).progress).toMatchObject({ drafted: 3, fromCache: 3, llmCalls: 0 });

    // Another prompt text is another trial that costs calls; only the chosen stories are drafted.
    const edited = await cli('prompts', 'run', editedPrompt(), '--stories', `${ids[0]},${ids[2]}`, '--name', 'edited');
    expect(edited.code, edited.stderr).toBe(0);
    expect(llm.calls).toBe(5);
    expect(edited.stdout).toMatch(/^trial edited \(prompt draft-story-v\d+ [0-9a-f]{16}, model gpt-4o-mini\): 2\/2 drafted 2/);

    // Another model is another cache key too.
    const other = await cli('prompts', 'run', PROMPT_PATH, '--model', 'other-model', '--sample', '1', '--name', 'other');
    expect(other.code, other.stderr).toBe(0);
    expect(llm.calls).toBe(6);
    expect(llm.requests.at(-1).model).toBe('other-model');
    expect(other.stdout).toMatch(/cost unknown \(no llm\.pricing for the model\)/);

    // Trial drafts are not stories: editors see none of them.
    const stories = await cli('stories', '--all', '--json');
    expect(stories.code, stories.stderr).toBe(0);
    const listed = JSON.parse(stories.stdout) as any[];
    expect(listed).toHaveLength(3);
    expect(listed.every((s) => s.draft === null && s.status === 'pending')).toBe(true);
  });

  it('records output the model got wrong as the trial result, and reuses it', async () => {
    await seed(1);
    llm.setHandler(() => ({ body: { id: 'x', object: 'chat.completion', created: 0, model: 'test-model', choices: [{ index: 0, message: { role: 'assistant', content: '{"headline": 1}' }, finish_reason: 'stop' }] } }));
    const first = await cli('prompts', 'run', PROMPT_PATH, '--name', 'bad', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/story \d+: llm\.invalid_output/);
    const calls = llm.calls;
    expect(calls).toBe(2); // the answer and its one repair turn
    const again = await cli('prompts', 'run', PROMPT_PATH, '--name', 'bad', '--json');
    expect(llm.calls).toBe(calls);
    expect(lastJsonLine(again.stdout).progress).toMatchObject({ failed: 1, fromCache: 1 });
  });

  it('refuses a broken prompt file with its problems, and conflicting selections, with exit 2', async () => {
    await seed(1);
    const broken = join(project.dir, 'broken.md');
    writeFileSync(broken, '---\nid: x\nschema: draft_story\n---\nno article placeholder');
    const bad = await cli('prompts', 'run', broken);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\{\{article\}\} exactly once[\s\S]*Expected format:/);
    const both = await cli('prompts', 'run', PROMPT_PATH, '--sample', '2', '--stories', '1');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/one of --sample, --stories, --since/);
    expect(llm.calls).toBe(0);
  });
});

/** A live draft with one ungrounded takeaway of two. */
const LIVE_DRAFT = {
  headline: 'Live headline', tldr: 'Live TL;DR.', whyItMatters: 'W', category: 'Health', engine: 'llm', model: 'gpt-4o-mini',
  takeaways: [
    { text: 'One.', quote: 'used a machine learning model to read retinal scans', grounded: true, supported: true },
    { text: 'Two.', quote: 'not in the article', grounded: false, supported: false },
  ],
  deck: 'D', body: [], implications: [], readerNote: null, unsupportedClaims: [],
  framing: { verdict: 'mixed', score: 0.5, rationale: 'r', concerns: [], angle: null, confidence: 0.5, recommendation: 'include_with_note' },
  promptId: 'live', promptHash: '0123456789abcdef', inputTokens: 1000, outputTokens: 200, latencyMs: 700, inputTruncated: false, readingMinutes: 1,
} as unknown as Draft;

describe('aiwins prompts compare', () => {
  it('compares two trials and live story by story and in aggregate, with the delta, as text, JSON and one escaped HTML file', async () => {
    await seed(2, LIVE_DRAFT);
    expect((await cli('prompts', 'run', PROMPT_PATH, '--name', 'a')).code).toBe(0);
    // B's model quotes one passage the article does not have, and puts markup in its headline.
    llm.setHandler(({ body }) => {
      const content = validDraftContent(body) as any;
      content.headline = '<img src=x onerror=alert(1)> Hospital AI';
      content.takeaways[0].quote = 'a sentence the article never contained at all';
      return { body: completion(JSON.stringify(content)) };
    });
    expect((await cli('prompts', 'run', editedPrompt(), '--name', 'b')).code).toBe(0);

    const html = join(project.dir, 'report.html');
    const res = await cli('prompts', 'compare', 'a', 'b', '--json', '--html', html);
    expect(res.code, res.stderr).toBe(0);
    const c = lastJsonLine(res.stdout);
    expect(c.a.aggregate).toMatchObject({ stories: 2, schemaValidRate: 1, groundedQuoteRate: 1, verdicts: { positive: 2 } });
    expect(c.b.aggregate).toMatchObject({ stories: 2, schemaValidRate: 1, groundedQuoteRate: 0.75 });
    expect(c.delta.groundedQuoteRate).toBeCloseTo(-0.25);
    expect(c.delta.schemaValidRate).toBe(0);
    expect(c.a.aggregate.latencyP50Ms).toBeGreaterThanOrEqual(0);
    expect(c.stories).toHaveLength(2);
    expect(c.stories.every((s: any) => s.differs)).toBe(true);
    expect(c.stories[0].b.takeaways[0]).toMatchObject({ grounded: false });

    const page = readFileSync(html, 'utf8');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; Hospital AI');
    expect(page).not.toMatch(/<img|<script|<link|src="http/i);
    expect(page).toMatch(/grounded-quote rate<\/th><td>100\.0%<\/td><td>75\.0%<\/td><td>-25\.0 pp/);

    // Against the live drafts: only the stories live has, its prompt named as such.
    const live = await cli('prompts', 'compare', 'live', 'a');
    expect(live.code, live.stderr).toBe(0);
    expect(live.stdout).toMatch(/^grounded-quote rate\s+50\.0%\s+100\.0%\s+\+50\.0 pp$/m);
    expect(live.stdout).toMatch(/^verdicts\s+mixed 1\s+positive 1\s+mixed -1, positive \+1$/m);
    expect(live.stdout).toMatch(/story \d+: Story 1 +\[differs\]\n  A: Live headline +\[mixed \/ include_with_note\]/);
    expect(live.stdout).toMatch(/story \d+: Story 2  \[differs\]\n  A: not in this side/);

    const unknown = await cli('prompts', 'compare', 'a', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no trial named "nope"; trials: a, b, or "live"/);
  });
});

describe('aiwins prompts eval', () => {
  it('scores live drafts and a prompt file against editor decisions, with known precision and recall, and gates on thresholds', async () => {
    const recommendation = (verdict: string, rec: string) =>
      ({ ...LIVE_DRAFT, takeaways: [LIVE_DRAFT.takeaways[0]], framing: { ...LIVE_DRAFT.framing, verdict, recommendation: rec } }) as unknown as Draft;
    const store = await openStore(project.dbPath);
    const ids = await seedArticles(store, [
      { title: 'approved, included', text: articleText(1), draft: recommendation('positive', 'include') }, // TP
      { title: 'approved, skipped', text: articleText(2), draft: recommendation('uncertain', 'skip') }, // FN
      { title: 'not AI, skipped', text: articleText(3), draft: recommendation('not_ai', 'skip') }, // TN
      { title: 'spin, included', text: articleText(4), draft: recommendation('positive', 'include') }, // FP
      { title: 'negative, noted', text: articleText(5), draft: recommendation('mixed', 'include_with_note') }, // FP
      { title: 'duplicate', text: articleText(6), draft: recommendation('positive', 'include') }, // not a label of the prompt
      { title: 'reopened', text: articleText(7), draft: recommendation('positive', 'include') }, // no decision stands
    ]);
    await decide(store, [
      { itemId: ids[0]!, action: 'approve' },
      { itemId: ids[1]!, action: 'approve' },
      { itemId: ids[2]!, action: 'reject', reason: 'not_ai' },
      { itemId: ids[3]!, action: 'reject', reason: 'spin' },
      { itemId: ids[4]!, action: 'reject', reason: 'negative' },
      { itemId: ids[5]!, action: 'reject', reason: 'duplicate' },
      { itemId: ids[6]!, action: 'reject', reason: 'negative' },
      { itemId: ids[6]!, action: 'reopen' },
    ]);
    await store.close();

    const live = await cli('prompts', 'eval', 'live', '--json', '--min-f1', '0.8');
    expect(live.code).toBe(1); // F1 0.4 is below 0.8
    const ev = lastJsonLine(live.stdout);
    expect(ev.precision).toBeCloseTo(1 / 3);
    expect(ev.recall).toBe(0.5);
    expect(ev.f1).toBeCloseTo(0.4);
    expect(ev.counts).toMatchObject({ truePositive: 1, falsePositive: 2, falseNegative: 1, trueNegative: 1, positives: 2, negatives: 3 });
    expect(ev.confusion).toEqual({
      positive: { approved: 1, spin: 1, duplicate: 1 },
      uncertain: { approved: 1 },
      not_ai: { not_ai: 1 },
      mixed: { negative: 1 },
    });
    expect(ev.groundedQuoteRate).toBe(1);
    // The approved versions are the live drafts themselves: nothing was edited.
    expect(ev.editDistance).toEqual({ stories: 2, meanWords: 0, meanRatio: 0 });
    expect(live.stderr).toMatch(/below threshold: F1 0\.400 is below --min-f1 0\.8/);

    // A prompt file: the decided stories are drafted into a trial first; this model includes everything.
    const file = await cli('prompts', 'eval', PROMPT_PATH, '--min-grounded', '0.95');
    expect(file.code, file.stderr).toBe(0);
    expect(llm.calls).toBe(6); // the six stories with a standing decision
    expect(file.stdout).toMatch(/^trial draft-story-v\d+-[0-9a-f]{8}: precision 0\.400, recall 1\.000, F1 0\.571$/m);
    expect(file.stdout).toMatch(/TP 2 FP 3 FN 0 TN 0/);
  });
});
