/**
 * `aiwins prompts run`: drafts stored articles (nothing is fetched) with one prompt file and model
 * into a named trial, apart from the drafts editors see. A result is reused when the same article
 * text, prompt content, model and settings were drafted before, in any trial, so running a trial
 * again costs nothing.
 */
import type { Config } from '../config/index.ts';
import type { DraftInput } from '../core/types.ts';
import { hash16, loadPrompt } from '../draft/prompt.ts';
import { drafterFor, type Drafter } from '../pipeline/drafter.ts';
import { PipelineSetupError } from '../pipeline/errors.ts';
import type { Store, Trial, TrialResult } from '../store/index.ts';
import { costOf } from '../core/pricing.ts';

export interface TrialRunOptions {
  promptPath: string;
  /** Default: llm.model, else the prompt file's model. */
  model?: string;
  /** Default: the prompt id and the first 8 characters of its content hash. */
  name?: string;
  /** The newest N stored articles (default 20, when no other selection is given). */
  sample?: number;
  stories?: number[];
  since?: Date;
  signal?: AbortSignal;
  onProgress?: (p: TrialProgress) => void;
  now?: () => Date;
}

/** Counts so far; `cost` is null while no price is known for the model. */
export interface TrialProgress {
  done: number;
  total: number;
  drafted: number;
  fromCache: number;
  failed: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  cost: number | null;
}

export interface TrialRunResult {
  trial: Trial;
  progress: TrialProgress;
  /** Stories whose draft failed, with why. */
  failures: { itemId: number; kind: string; message: string }[];
  /** Stories asked for by id that have no stored article. */
  missing: number[];
}

export const DEFAULT_SAMPLE = 20;

/** The cache key: what decides the output of a call, and nothing else. */
export function trialCacheKey(parts: { articleText: string; promptHash: string; model: string; settings: object }): string {
  return hash16(JSON.stringify([hash16(parts.articleText), parts.promptHash, parts.model, parts.settings]));
}

export async function runTrial(config: Config, store: Store, opts: TrialRunOptions): Promise<TrialRunResult> {
  const now = opts.now ?? (() => new Date());
  const loaded = loadPrompt(opts.promptPath);
  if (!loaded.ok) throw new PipelineSetupError(loaded.failure.message);
  const prompt = loaded.value;
  const model = opts.model || config.llm.model || prompt.model || '';
  if (!model) throw new PipelineSetupError('no model: pass --model, set llm.model, or `model` in the prompt file');
  const name = opts.name ?? `${prompt.id}-${prompt.hash.slice(0, 8)}`;
  const settings = {
    maxInputTokens: prompt.maxInputTokens ?? config.llm.maxInputTokens,
    contextTokens: config.llm.contextTokens ?? null,
    categories: config.categories,
  };

  const selection =
    opts.stories !== undefined ? { ids: opts.stories } : opts.since !== undefined ? { since: opts.since } : { limit: opts.sample ?? DEFAULT_SAMPLE };
  const sources = await store.trials.sources({ ...selection, ...(opts.sample !== undefined ? { limit: opts.sample } : {}) });
  const missing = opts.stories ? opts.stories.filter((id) => !sources.some((s) => s.itemId === id)) : [];
  const trial = await store.trials.open(name, { id: prompt.id, hash: prompt.hash, path: opts.promptPath }, model, now());

  const progress: TrialProgress = { done: 0, total: sources.length, drafted: 0, fromCache: 0, failed: 0, llmCalls: 0, inputTokens: 0, outputTokens: 0, cost: null };
  const failures: TrialRunResult['failures'] = [];
  // Made at the first cache miss only: a trial served whole from the cache needs no LLM at all.
  let drafter: Promise<Drafter> | null = null;
  const trialConfig: Config = { ...config, promptPath: opts.promptPath, llm: { ...config.llm, model } };

  const account = (itemId: number, result: TrialResult, fromCache: boolean) => {
    progress.done++;
    if (fromCache) progress.fromCache++;
    if (result.draft) progress.drafted++;
    else {
      progress.failed++;
      failures.push({ itemId, kind: result.failure!.kind, message: result.failure!.message });
    }
    progress.inputTokens += result.inputTokens;
    progress.outputTokens += result.outputTokens;
    if (result.cost !== null) progress.cost = (progress.cost ?? 0) + result.cost;
    opts.onProgress?.({ ...progress });
  };

  const queue = [...sources];
  const worker = async () => {
    for (let source = queue.shift(); source; source = queue.shift()) {
      if (opts.signal?.aborted) return;
      const article = await store.articles.get(source.itemId);
      if (!article) continue;
      const cacheKey = trialCacheKey({ articleText: article.text, promptHash: prompt.hash, model, settings });
      const hit = await store.trials.cached(cacheKey);
      if (hit) {
        await store.trials.record(trial.id, source.itemId, cacheKey, hit, true, now());
        account(source.itemId, hit, true);
        continue;
      }
      drafter ??= drafterFor(trialConfig, 'llm');
      const llm = await drafter;
      const input: DraftInput = {
        title: source.title,
        url: source.url,
        text: article.text,
        siteName: article.siteName,
        feedName: source.feedName,
        readingMinutes: article.readingMinutes,
      };
      const started = performance.now();
      const before = { ...llm.usage };
      const out = await llm.draft(input, opts.signal);
      const result: TrialResult = out.ok
        ? {
            draft: out.value,
            failure: null,
            inputTokens: out.value.inputTokens,
            outputTokens: out.value.outputTokens,
            latencyMs: out.value.latencyMs,
            cost: costOf(config.llm.pricing, [out.value.model, model], out.value.inputTokens, out.value.outputTokens),
          }
        : {
            draft: null,
            failure: { kind: out.failure.kind, message: out.failure.message },
            // Calls run in parallel, so the usage delta is approximate for a failed draft; it is the best we have.
            inputTokens: Math.max(0, llm.usage.inputTokens - before.inputTokens),
            outputTokens: Math.max(0, llm.usage.outputTokens - before.outputTokens),
            latencyMs: Math.round(performance.now() - started),
            cost: null,
          };
      if (!out.ok) result.cost = costOf(config.llm.pricing, [model], result.inputTokens, result.outputTokens);
      progress.llmCalls = llm.usage.calls;
      await store.trials.record(trial.id, source.itemId, cacheKey, result, false, now());
      account(source.itemId, result, false);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(config.llm.concurrency, sources.length)) }, worker));
  return { trial, progress, failures, missing };
}
