/**
 * CPU time by pipeline stage, from the V8 CPU profiles a run writes with `--cpu-prof` (one file
 * per thread: the main thread and each extraction worker). Each sample is charged to the innermost
 * frame of its stack that belongs to a stage (our src/ folders and the libraries each one uses),
 * so a JSON.parse or a GC-free native call made by the store counts as store. Every sample of a
 * worker thread is extraction, whatever it runs. Samples of no stage are module loading, GC, or
 * the runtime (timers, sockets, promise plumbing).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const STAGES = ['fetch', 'parse', 'extract', 'tokenize', 'draft', 'store', 'pipeline', 'start-up', 'gc', 'runtime'] as const;
export type Stage = (typeof STAGES)[number];

/** Frame URL patterns to stages, first match wins (tokenize before draft: the drafter calls the tokenizer). */
const RULES: [RegExp, Stage][] = [
  [/\/node_modules\/gpt-tokenizer\//, 'tokenize'],
  [/\/src\/fetch\/|\/node_modules\/(undici|robots-parser|ipaddr\.js)\//, 'fetch'],
  [/\/src\/parse\/|\/node_modules\/(feedsmith|fast-xml-parser|entities|rss-parser|xml2js|sax)\//, 'parse'],
  [/\/src\/extract\/|\/node_modules\/(linkedom|@mozilla|htmlparser2|parse5|sanitize-html|wink-)/, 'extract'],
  [/\/src\/draft\/|\/node_modules\/(openai|zod)\/|\/src\/pipeline\/(llm-limiter|drafter)/, 'draft'],
  [/\/src\/store\/|\/node_modules\/better-sqlite3/, 'store'],
  [/\/src\/|\/node_modules\/(p-queue|commander|yaml|croner|pino)/, 'pipeline'],
  [/^node:internal\/modules\/|^node:internal\/main\//, 'start-up'],
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface StageCpu {
  /** Microseconds by stage, all threads. */
  us: Record<Stage, number>;
  /** Microseconds of the main thread alone (the one that must keep up with the LLM). */
  mainUs: number;
  threads: number;
}

function stageOfUrl(url: string): Stage | null {
  for (const [pattern, stage] of RULES) if (pattern.test(url)) return stage;
  return null;
}

/** Adds one profile's samples to `us`; returns its sampled microseconds. */
function addProfile(profile: Profile, isWorker: boolean, us: Record<Stage, number>): number {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const memo = new Map<number, Stage | 'idle'>();
  const stageOf = (id: number): Stage | 'idle' => {
    const known = memo.get(id);
    if (known) return known;
    const { functionName, url } = byId.get(id)!.callFrame;
    let stage: Stage | 'idle';
    if (functionName === '(idle)') stage = 'idle';
    else if (functionName === '(garbage collector)') stage = 'gc';
    else {
      const up = parent.get(id);
      stage = stageOfUrl(url) ?? (up === undefined ? 'runtime' : stageOf(up));
    }
    memo.set(id, stage);
    return stage;
  };
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const stage = stageOf(id);
    if (stage === 'idle') return;
    total += dt;
    us[isWorker && stage !== 'start-up' && stage !== 'gc' ? 'extract' : stage] += dt;
  });
  return total;
}

/** Reads every .cpuprofile in dir: the one with the lowest thread id is the main thread's. */
export function stageCpu(dir: string): StageCpu {
  const us = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  // Node names them CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; the main thread is thread 0.
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  let mainUs = 0;
  for (const file of files) {
    const threadId = Number(file.split('.').at(-3));
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const sampled = addProfile(profile, threadId !== 0, us);
    if (threadId === 0) mainUs += sampled;
  }
  return { us, mainUs, threads: files.length };
}
