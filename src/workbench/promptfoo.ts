/**
 * `aiwins prompts export-promptfoo NAME`: a golden set as a promptfoo config, for those who like
 * promptfoo's matrix view. Its provider drafts each story with aiwins' own drafter, through the
 * CLI (`prompts run --set`), so the cache, the grounding checks and the settings are aiwins' own;
 * promptfoo is not a dependency of aiwins. Pure: the command writes the files.
 */
import { relative, sep } from 'node:path';
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

/** The last promptfoo release that runs on Node 20 (it needs ^20.20.0 || >=22.22.0); later ones need Node 22.22. */
export const PROMPTFOO_FOR_NODE_20 = '0.121.20';

/**
 * The promptfoo to run on a given Node (`process.versions.node`): the latest on Node 22.22 or
 * later, 0.121.20 on Node 20.20 and later 20s and 22s; `note` says what to do when none runs.
 */
export function promptfooFor(nodeVersion: string): { spec: string; note: string | null } {
  const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 22)) return { spec: 'promptfoo@latest', note: null };
  const pinned = `promptfoo@${PROMPTFOO_FOR_NODE_20}`;
  if ((major === 20 && minor >= 20) || major === 21 || major === 22) return { spec: pinned, note: null };
  return { spec: pinned, note: `promptfoo needs Node 20.20 or later (this is Node ${nodeVersion}): update Node first` };
}

/** The command that runs the set and then opens the viewer: `;`, since eval exits 100 when any test fails. */
export const promptfooCommand = (spec: string, configPath: string) => `npx ${spec} eval -c ${configPath}; npx ${spec} view`;

export function promptfooExport(opts: {
  setName: string;
  setDir: string;
  /** Where the config and provider are written: every path in them is relative to it. */
  outDir: string;
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
  // A golden set is committed and run on other machines: its paths are relative to the folder
  // the provider sits in (POSIX separators, so a set made on Windows runs elsewhere too).
  const rel = (to: string) => relative(opts.outDir, to).split(sep).join('/') || '.';
  const config = {
    description: `aiwins golden set ${opts.setName}: each prompt file drafts each story; assertions are the editors' decisions`,
    // The provider drafts with its own prompt file; promptfoo's prompt only names the story.
    prompts: ['{{storyId}}'],
    providers: opts.prompts.map((p, i) => {
      const label = `${p.id} ${p.hash.slice(0, 8)}`;
      return {
        id: 'file://provider.mjs',
        label,
        // promptfoo gives every provider of a file the file's path as its id, and (depending on
        // its release) may not pass the label: the provider takes both from here.
        config: { label, trial: `promptfoo-${i + 1}-${p.hash.slice(0, 8)}`, promptFile: rel(p.path), set: rel(opts.setDir), config: rel(opts.configPath), aiwins: rel(opts.aiwinsBin) },
      };
    }),
    // Each call starts an aiwins process: a few at a time.
    evaluateOptions: { maxConcurrency: 2 },
    tests,
  };
  const pinned = `promptfoo@${PROMPTFOO_FOR_NODE_20}`;
  const header =
    `# Written by \`aiwins prompts export-promptfoo ${opts.setName}\`. Paths are relative to this folder. Run it here with\n` +
    `#   ${promptfooCommand(pinned, 'promptfooconfig.yaml')}\n` +
    `# (${pinned} is the last promptfoo for Node 20; on Node 22.22 or later, promptfoo@latest. eval exits 100 when a\n` +
    "# test fails, so `;` rather than `&&` opens the viewer anyway.) Results are aiwins trials too (trials/ beside this\n" +
    '# file): `aiwins prompts compare A B --set ... --out ...`.\n';
  return { files: { 'promptfooconfig.yaml': header + stringify(config, { lineWidth: 0 }), 'provider.mjs': PROVIDER }, tests: tests.length };
}

/** The provider promptfoo loads: plain JavaScript, no dependency but Node. */
const PROVIDER = `// Written by \`aiwins prompts export-promptfoo\`: a promptfoo provider that drafts one story of an
// aiwins golden set with aiwins' drafter, through its CLI (\`aiwins prompts run --set\`), and returns
// the draft as JSON. Results and their cache are kept in trials/ beside this file, one trial per
// provider and story, so parallel calls never write the same file. Paths in its config are relative
// to this file's folder; when the aiwins CLI is not where the config says, \`aiwins\` on PATH runs.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

export default class AiwinsDrafter {
  // promptfoo builds it as new Provider({ id, config, env }): id is this file's path for every
  // provider of the file, and the label may come in the options or be set after, or not at all.
  // The trial name in the config tells the providers apart.
  constructor(options = {}) {
    this.config = options.config ?? {};
    this.env = options.env ?? {};
    this.label = options.label || this.config.label || this.config.trial;
  }

  id() {
    return \`aiwins:\${this.config.trial}\`;
  }

  async callApi(prompt, context) {
    const { promptFile, set, aiwins, config, trial } = this.config;
    const at = (p) => resolve(here, p);
    const storyId = String(context?.vars?.storyId ?? prompt).trim();
    const out = join(here, 'trials');
    const name = \`\${trial}-\${storyId}\`;
    const args = ['--config', at(config), '--log-format', 'json', 'prompts', 'run', at(promptFile), '--set', at(set), '--stories', storyId, '--name', name, '--out', out];
    const bin = aiwins && existsSync(at(aiwins)) ? [process.execPath, [at(aiwins), ...args]] : ['aiwins', args];
    try {
      await run(bin[0], bin[1], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...this.env } });
    } catch (err) {
      // Exit 1: the endpoint failed for the story; its result says why. Anything else is a setup problem.
      if (err.code === 'ENOENT') return { error: \`aiwins CLI not found at \${at(aiwins)} nor on PATH: install aiwins, or set config.aiwins in promptfooconfig.yaml\` };
      if (err.code !== 1) return { error: \`aiwins prompts run: \${String(err.stderr || err.message).trim()}\` };
    }
    let result;
    try {
      result = JSON.parse(readFileSync(join(out, \`\${name}.json\`), 'utf8')).results.find((r) => String(r.itemId) === storyId);
    } catch (err) {
      return { error: \`no result for story \${storyId}: \${err.message}\` };
    }
    if (!result) return { error: \`story \${storyId} is not in the golden set\` };
    const total = result.inputTokens + result.outputTokens;
    // A cached draft spent nothing now: its tokens are reported as cached, as promptfoo's own providers do.
    const tokenUsage = result.fromCache ? { cached: total, total, numRequests: 1 } : { prompt: result.inputTokens, completion: result.outputTokens, total, numRequests: 1 };
    if (!result.draft) return { error: \`\${result.failure.kind}: \${result.failure.message}\`, tokenUsage };
    return {
      output: JSON.stringify(result.draft),
      tokenUsage,
      cached: Boolean(result.fromCache),
      cost: result.cost ?? undefined,
      latencyMs: result.latencyMs,
    };
  }
}
`;
