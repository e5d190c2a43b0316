import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PROMPT_PATH = join(ROOT, 'prompts', 'draft-story.md');

/** A temp folder with a config file and a database path; remove() deletes it. */
export interface TempProject {
  dir: string;
  configPath: string;
  dbPath: string;
  writeConfig(yaml: string): void;
  remove(): void;
}

export function tempProject(): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'aiwins-test-'));
  const p: TempProject = {
    dir,
    configPath: join(dir, 'feeds.yaml'),
    dbPath: join(dir, 'aiwins.db'),
    writeConfig: (yaml) => writeFileSync(p.configPath, yaml),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return p;
}

/** A config for fixture servers: feeds, network.allow for them, optional LLM base URL, small timeouts. */
export function fixtureConfig(opts: {
  feeds: { name: string; url: string }[];
  allow: string[];
  llmBaseURL?: string;
  extra?: string;
}): string {
  const feeds = opts.feeds.map((f) => `  - name: ${JSON.stringify(f.name)}\n    url: ${JSON.stringify(f.url)}`).join('\n');
  return `feeds:
${feeds}
network:
  allow: ${JSON.stringify(opts.allow)}
  feedTimeoutSeconds: 5
  pageTimeoutSeconds: 5
extract:
  # Generous: CI machines are shared; the time limits themselves are tested in src/extract.
  timeoutSeconds: 60
schedule:
  feedIntervalMinutes: 0
  minIntervalMinutes: 0
llm:
  prompt: ${JSON.stringify(PROMPT_PATH)}
  timeoutSeconds: 20
  concurrency: 4
${opts.llmBaseURL ? `  baseURL: ${JSON.stringify(opts.llmBaseURL)}\n` : ''}${opts.extra ?? ''}`;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `aiwins ARGS` as a child process, the way cron or another tool would (from `cwd`, default the checkout). */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
  cwd = ROOT,
): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'aiwins.js'), ...args], {
      cwd,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** The test process's environment without aiwins' own variables, plus `env` (undefined removes). */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['OPENAI_API_KEY', 'AIWINS_CONFIG', 'AIWINS_DB', 'AIWINS_FAULT_KILL_AT']) delete out[k];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** The last line of stdout, parsed as JSON (the `--json` contract). */
export function lastJsonLine<T = any>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}
