/**
 * `aiwins prompts export-promptfoo NAME`: a golden set as a promptfoo config, for those who like
 * promptfoo's matrix view. Its provider drafts each story with aiwins' own drafter, through the
 * CLI (`prompts run --set`), so the cache, the grounding checks and the settings are aiwins' own;
 * promptfoo is not a dependency of aiwins. Pure: the command writes the files.
 */
import { stringify } from 'yaml';
import type { EditorVerdict } from './bench.ts';
import { NEGATIVE_REASONS } from './evaluate.ts';

export interface PromptfooExport {
  /** File name (inside the export folder) to its text. */
  files: Record<string, string>;
  tests: number;
}

/** The include/skip call a story's editors made, as a promptfoo assertion on the draft JSON. */
const RECOMMENDATION = {
  approve: "JSON.parse(output).framing.recommendation !== 'skip'",
  reject: "JSON.parse(output).framing.recommendation === 'skip'",
};
const GROUNDED = 'JSON.parse(output).takeaways.every((t) => t.grounded)';

export function promptfooExport(opts: {
  setName: string;
  setDir: string;
  stories: { id: number; title: string }[];
  labels: EditorVerdict[];
  prompts: { path: string; id: string; hash: string }[];
  aiwinsBin: string;
  configPath: string;
}): PromptfooExport {
  const labels = new Map(opts.labels.map((l) => [l.storyId, l]));
  const tests = opts.stories.map((s) => {
    const label = labels.get(s.id);
    const scored = label && (label.decision === 'approve' || (NEGATIVE_REASONS as readonly string[]).includes(label.reason ?? ''));
    const said = label ? (label.decision === 'approve' ? 'approved' : `rejected ${label.reason ?? ''}`.trim()) : 'undecided';
    return {
      description: `${s.id} (${said}): ${s.title}`,
      vars: { storyId: s.id },
      assert: [
        { type: 'is-json', metric: 'schema-valid' },
        ...(scored ? [{ type: 'javascript', value: RECOMMENDATION[label!.decision], metric: 'editors agree' }] : []),
        { type: 'javascript', value: GROUNDED, metric: 'grounded quotes' },
      ],
    };
  });
  const config = {
    description: `aiwins golden set ${opts.setName}: each prompt file drafts each story; assertions are the editors' decisions`,
    // The provider drafts with its own prompt file; promptfoo's prompt only names the story.
    prompts: ['{{storyId}}'],
    providers: opts.prompts.map((p, i) => ({
      id: 'file://provider.mjs',
      label: `${p.id} ${p.hash.slice(0, 8)}`,
      config: { promptFile: p.path, set: opts.setDir, aiwins: opts.aiwinsBin, config: opts.configPath, trial: `promptfoo-${i + 1}-${p.hash.slice(0, 8)}` },
    })),
    // Each call starts an aiwins process: a few at a time.
    evaluateOptions: { maxConcurrency: 2 },
    tests,
  };
  const header =
    `# Written by \`aiwins prompts export-promptfoo ${opts.setName}\`. Run it with\n` +
    '#   npx promptfoo@latest eval -c promptfooconfig.yaml && npx promptfoo@latest view\n' +
    "# Results are aiwins trials too (trials/ beside this file): `aiwins prompts compare A B --set ... --out ...`.\n";
  return { files: { 'promptfooconfig.yaml': header + stringify(config, { lineWidth: 0 }), 'provider.mjs': PROVIDER }, tests: tests.length };
}

/** The provider promptfoo loads: plain JavaScript, no dependency but Node. */
const PROVIDER = `// Written by \`aiwins prompts export-promptfoo\`: a promptfoo provider that drafts one story of an
// aiwins golden set with aiwins' drafter, through its CLI (\`aiwins prompts run --set\`), and returns
// the draft as JSON. Results and their cache are kept in trials/ beside this file, one trial per
// provider and story, so parallel calls never write the same file.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

export default class AiwinsDrafter {
  constructor(options = {}) {
    this.config = options.config ?? {};
    this.label = options.label ?? 'aiwins';
  }

  id() {
    return \`aiwins:\${this.label}\`;
  }

  async callApi(prompt, context) {
    const { promptFile, set, aiwins, config, trial } = this.config;
    const storyId = String(context?.vars?.storyId ?? prompt).trim();
    const out = join(here, 'trials');
    const name = \`\${trial}-\${storyId}\`;
    const args = [aiwins, '--config', config, '--log-format', 'json', 'prompts', 'run', promptFile, '--set', set, '--stories', storyId, '--name', name, '--out', out];
    try {
      await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
    } catch (err) {
      // Exit 1: the endpoint failed for the story; its result says why. Anything else is a setup problem.
      if (err.code !== 1) return { error: \`aiwins prompts run: \${String(err.stderr || err.message).trim()}\` };
    }
    let result;
    try {
      result = JSON.parse(readFileSync(join(out, \`\${name}.json\`), 'utf8')).results.find((r) => String(r.itemId) === storyId);
    } catch (err) {
      return { error: \`no result for story \${storyId}: \${err.message}\` };
    }
    if (!result) return { error: \`story \${storyId} is not in the golden set\` };
    const tokenUsage = { prompt: result.inputTokens, completion: result.outputTokens, total: result.inputTokens + result.outputTokens };
    if (!result.draft) return { error: \`\${result.failure.kind}: \${result.failure.message}\`, tokenUsage };
    return { output: JSON.stringify(result.draft), tokenUsage, cost: result.cost ?? undefined, cached: result.fromCache, latencyMs: result.latencyMs };
  }
}
`;
