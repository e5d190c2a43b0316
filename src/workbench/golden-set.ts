/**
 * Golden sets: the articles editors decided on, their decisions and the texts they approved,
 * frozen as plain files (`prompts/evals/NAME/`) so a prompt can be tried and scored anywhere,
 * without the database, and the set reviewed and committed like code.
 *
 *   set.json              what the set is: name, when and how it was frozen, the article token cap
 *   stories/ID.txt        the article's extracted text, cut to the cap as the drafter cuts it
 *   stories/ID.json       title, URL, feed, site, published, the editor's decision and reason code,
 *                         and the approved version's text (null for a rejection)
 *   trials/TRIAL.json     results of `prompts run --set` (or in --out DIR); also the set's cache
 *   trials/evaluations.jsonl  each `prompts eval --set`, one JSON line (for `prompts promote`)
 *   .gitignore            ignores trials/ (delete the line to commit a baseline)
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { truncateToTokens } from '../draft/prompt.ts';
import { PipelineSetupError } from '../pipeline/errors.ts';
import type { EvaluationRecord, Store, Trial, TrialDraft, TrialResult, TrialSource } from '../store/index.ts';
import type { CheckedDraft } from './metrics.ts';
import type { TrialBench } from './bench.ts';

export const SET_FORMAT = 1;

/**
 * A set's folder: NAME under prompts/evals/ beside the config file (the working directory without
 * one); a value with a slash, or starting with a dot, is a path as given.
 */
export function setDir(configPath: string | null, name: string): string {
  if (/[/\\]/.test(name) || name.startsWith('.')) return resolve(name);
  if (!TRIAL_NAME.test(name)) throw new GoldenSetError(`set name "${name}": use letters, digits, dots, dashes and underscores (or give a path)`);
  return join(configPath ? dirname(configPath) : process.cwd(), 'prompts', 'evals', name);
}

export interface SetIndex {
  format: number;
  name: string;
  frozenAt: string;
  /** How the stories were chosen. */
  selection: { stories: number[] | null; decidedSince: string | null };
  /** Article texts were cut to this many tokens (llm.maxInputTokens when frozen). */
  articleTokenCap: number;
  stories: number[];
}

/** The approved text's fields: what editors publish and what the edit distance reads. */
const APPROVED_FIELDS = ['headline', 'deck', 'tldr', 'takeaways', 'whyItMatters', 'body', 'implications', 'readerNote', 'category', 'framing'] as const;

export interface SetStory {
  id: number;
  title: string;
  url: string;
  feed: string;
  siteName: string | null;
  published: string | null;
  readingMinutes: number;
  articleTruncated: boolean;
  decision: { action: 'approve' | 'reject'; reason: string | null; at: string } | null;
  /** The version the editor approved (an edit included), its publishable fields; null otherwise. */
  approved: ({ version: number; origin: 'model' | 'editor'; editedBy: string | null } & Record<(typeof APPROVED_FIELDS)[number], unknown>) | null;
}

/** A problem with a set on disk or with freezing one: the message says what to do (exit 2, as a broken prompt file). */
export class GoldenSetError extends PipelineSetupError {}

export interface FreezeResult {
  dir: string;
  stories: number;
  bytes: number;
  truncated: number;
  /** Asked-for stories that have no stored article (not frozen). */
  missing: number[];
}

/**
 * Writes the golden set: with `stories`, those stories (undecided ones too, with a null decision);
 * else every story editors decided on (since `decidedSince` when given). Refuses to overwrite a
 * set unless `force`, which replaces its stories and keeps its trials.
 */
export async function freezeSet(
  store: Store,
  dir: string,
  opts: { name: string; stories?: number[]; decidedSince?: Date; articleTokenCap: number; force?: boolean; now: Date },
): Promise<FreezeResult> {
  if (existsSync(join(dir, 'set.json')) && !opts.force) throw new GoldenSetError(`${dir} already holds a golden set: pick another name, or --force to replace its stories`);
  const labels = await store.editorial.labels({ ids: opts.stories, decidedSince: opts.decidedSince });
  const byId = new Map(labels.map((l) => [l.storyId, l]));
  const ids = opts.stories ?? labels.map((l) => l.storyId);
  const sources = new Map((await store.trials.sources({ ids })).map((s) => [s.itemId, s]));
  const missing: number[] = [];
  const written: { story: SetStory; text: string }[] = [];
  let truncated = 0;
  for (const id of ids) {
    const source = sources.get(id);
    const article = source && (await store.articles.get(id));
    if (!source || !article) {
      missing.push(id);
      continue;
    }
    const cut = truncateToTokens(article.text, opts.articleTokenCap);
    if (cut.truncated) truncated++;
    const label = byId.get(id);
    const approved = label?.approved ?? null;
    const story = await store.stories.get(id);
    written.push({
      text: cut.text,
      story: {
        id,
        title: source.title,
        url: source.url,
        feed: source.feedName,
        siteName: article.siteName,
        published: story?.published?.toISOString() ?? null,
        readingMinutes: article.readingMinutes,
        articleTruncated: cut.truncated,
        decision: label ? { action: label.decision, reason: label.reason, at: label.at.toISOString() } : null,
        approved: approved
          ? { version: approved.id, origin: approved.origin, editedBy: approved.editedBy, ...pick(approved) }
          : null,
      },
    });
  }
  const storiesDir = join(dir, 'stories');
  rmSync(storiesDir, { recursive: true, force: true });
  mkdirSync(storiesDir, { recursive: true });
  let bytes = 0;
  const write = (path: string, text: string) => {
    writeFileSync(path, text);
    bytes += Buffer.byteLength(text);
  };
  for (const { story, text } of written) {
    write(join(storiesDir, `${story.id}.txt`), text.endsWith('\n') ? text : text + '\n');
    write(join(storiesDir, `${story.id}.json`), JSON.stringify(story, null, 2) + '\n');
  }
  const index: SetIndex = {
    format: SET_FORMAT,
    name: opts.name,
    frozenAt: opts.now.toISOString(),
    selection: { stories: opts.stories ?? null, decidedSince: opts.decidedSince?.toISOString() ?? null },
    articleTokenCap: opts.articleTokenCap,
    stories: written.map((w) => w.story.id),
  };
  write(join(dir, 'set.json'), JSON.stringify(index, null, 2) + '\n');
  write(join(dir, '.gitignore'), '# trial results and their cache: local by default; delete this line to commit a baseline\ntrials/\n');
  return { dir, stories: written.length, bytes, truncated, missing };
}

function pick(d: object): Record<(typeof APPROVED_FIELDS)[number], unknown> {
  const src = d as Record<string, unknown>;
  return Object.fromEntries(APPROVED_FIELDS.map((k) => [k, src[k] ?? null])) as Record<(typeof APPROVED_FIELDS)[number], unknown>;
}

interface TrialFile {
  name: string;
  prompt: Trial['prompt'];
  model: string;
  createdAt: string;
  updatedAt: string;
  results: (Omit<TrialDraft, 'createdAt'> & { createdAt: string })[];
}

/** Trial and set names become file names: a letter or digit, then letters, digits, dots, dashes, underscores. */
export const TRIAL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * A golden set as a bench: its stories and decisions from the files, trial results in
 * `trialsDir` (default: the set's trials/), one JSON file per trial, rewritten whole after each story.
 */
export function setBench(dir: string, trialsDir = join(dir, 'trials')): TrialBench & { index: SetIndex } {
  const indexPath = join(dir, 'set.json');
  if (!existsSync(indexPath)) throw new GoldenSetError(`no golden set at ${dir} (set.json missing): make one with \`aiwins prompts freeze NAME\``);
  const index = readJson<SetIndex>(indexPath);
  if (index.format !== SET_FORMAT) throw new GoldenSetError(`${indexPath}: format ${index.format}, this aiwins reads format ${SET_FORMAT}`);
  const stories = new Map<number, SetStory>(index.stories.map((id) => [id, readJson<SetStory>(join(dir, 'stories', `${id}.json`))]));

  // Trials, loaded once; ids are positions in this list.
  const trials: TrialFile[] = existsSync(trialsDir)
    ? readdirSync(trialsDir)
        .filter((f) => f.endsWith('.json') && !f.endsWith('.tmp'))
        .map((f) => readJson<TrialFile>(join(trialsDir, f)))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name))
    : [];
  const toTrial = (t: TrialFile): Trial => ({
    id: trials.indexOf(t) + 1,
    name: t.name,
    prompt: t.prompt,
    model: t.model,
    createdAt: new Date(t.createdAt),
    updatedAt: new Date(t.updatedAt),
  });
  const save = (t: TrialFile) => {
    mkdirSync(trialsDir, { recursive: true });
    const path = join(trialsDir, `${t.name}.json`);
    writeFileSync(`${path}.tmp`, JSON.stringify(t, null, 1) + '\n');
    renameSync(`${path}.tmp`, path);
  };
  const byId = (id: number) => {
    const t = trials[id - 1];
    if (!t) throw new Error(`no trial ${id} in ${trialsDir}`);
    return t;
  };
  const REUSABLE = ['llm.invalid_output', 'llm.refused', 'llm.truncated'];

  return {
    index,
    defaultSample: undefined,
    sources: async (opts) => {
      let list = [...stories.values()];
      if (opts.ids) list = list.filter((s) => opts.ids!.includes(s.id));
      if (opts.since) list = list.filter((s) => s.published !== null && new Date(s.published) >= opts.since!);
      list.sort((a, b) => (b.published ?? '').localeCompare(a.published ?? '') || b.id - a.id);
      if (opts.limit !== undefined) list = list.slice(0, opts.limit);
      return list.map((s): TrialSource => ({ itemId: s.id, title: s.title, url: s.url, feedName: s.feed }));
    },
    article: async (id) => {
      const s = stories.get(id);
      if (!s) return null;
      return { text: readFileSync(join(dir, 'stories', `${id}.txt`), 'utf8').replace(/\n$/, ''), siteName: s.siteName, readingMinutes: s.readingMinutes };
    },
    labels: async () =>
      [...stories.values()]
        .filter((s) => s.decision)
        .map((s) => ({ storyId: s.id, decision: s.decision!.action, reason: s.decision!.reason, approved: s.approved as unknown as CheckedDraft | null })),
    title: async (id) => stories.get(id)?.title ?? null,
    live: async () => null,
    trials: {
      open: async (name, prompt, model, now) => {
        if (!TRIAL_NAME.test(name)) throw new GoldenSetError(`trial name "${name}": a golden set's trials are files; use letters, digits, dots, dashes and underscores`);
        let t = trials.find((x) => x.name === name);
        if (t) Object.assign(t, { prompt, model, updatedAt: now.toISOString() });
        else trials.push((t = { name, prompt, model, createdAt: now.toISOString(), updatedAt: now.toISOString(), results: [] }));
        save(t);
        return toTrial(t);
      },
      get: async (name) => {
        const t = trials.find((x) => x.name === name);
        return t ? toTrial(t) : null;
      },
      list: async () => trials.map(toTrial),
      cached: async (cacheKey) => {
        const reusable = (x: TrialFile['results'][number]) => x.cacheKey === cacheKey && (x.draft !== null || REUSABLE.includes(x.failure?.kind ?? ''));
        // The original call first; else a copy of it. A trial run again under its own name (as the
        // promptfoo provider runs each story) replaces its original result with the cached copy, so
        // without the copy every other run would call the model again.
        for (const fromCache of [false, true]) {
          for (const t of trials) {
            const r = t.results.find((x) => reusable(x) && x.fromCache === fromCache);
            if (r) return resultOf(r);
          }
        }
        return null;
      },
      record: async (trialId, itemId, cacheKey, result, fromCache, now) => {
        const t = byId(trialId);
        t.results = t.results.filter((r) => r.itemId !== itemId);
        t.results.push({ ...resultOf(result), itemId, cacheKey, fromCache, createdAt: now.toISOString() });
        t.results.sort((a, b) => a.itemId - b.itemId);
        save(t);
      },
      results: async (trialId) => byId(trialId).results.map((r) => ({ ...r, createdAt: new Date(r.createdAt) })),
      recordEvaluation: async (e) => {
        mkdirSync(trialsDir, { recursive: true });
        appendFileSync(join(trialsDir, EVALUATIONS_FILE), JSON.stringify({ ...e, where: dir, at: e.at.toISOString() }) + '\n');
      },
      lastEvaluation: async (promptHash) => lastEvaluationIn(trialsDir, promptHash),
    },
  };
}

const EVALUATIONS_FILE = 'evaluations.jsonl';

/** The newest evaluation of this prompt content kept in a trials folder; null when none. */
export function lastEvaluationIn(trialsDir: string, promptHash: string): EvaluationRecord | null {
  const path = join(trialsDir, EVALUATIONS_FILE);
  if (!existsSync(path)) return null;
  let last: EvaluationRecord | null = null;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as Omit<EvaluationRecord, 'at'> & { at: string };
    if (e.prompt.hash === promptHash) last = { ...e, at: new Date(e.at) };
  }
  return last;
}

/** Every golden set's own trials folder under a project's prompts/evals/. */
export function setTrialDirs(configPath: string | null): string[] {
  const root = join(configPath ? dirname(configPath) : process.cwd(), 'prompts', 'evals');
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'set.json')))
    .map((d) => join(root, d.name, 'trials'));
}

const resultOf = (r: TrialResult): TrialResult => ({
  draft: r.draft,
  failure: r.failure,
  inputTokens: r.inputTokens,
  outputTokens: r.outputTokens,
  latencyMs: r.latencyMs,
  cost: r.cost,
});

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new GoldenSetError(`${path}: ${(err as Error).message}`);
  }
}
