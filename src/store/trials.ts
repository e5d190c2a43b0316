import type { Draft } from '../core/types.ts';
import { sql, type Selectable } from 'kysely';
import type { Db, Tx } from './sql.ts';
import { isoOf } from './values.ts';
import type { TrialDraftsTable, TrialsTable } from './schema.ts';

/** A named prompt trial: drafts of stored articles made with one prompt and model, apart from the live drafts. */
export interface Trial {
  id: number;
  name: string;
  prompt: { id: string; hash: string; path: string };
  model: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What drafting one article in a trial gave: a draft, or the failure (schema-invalid output counts). */
export interface TrialResult {
  draft: Draft | null;
  failure: { kind: string; message: string } | null;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  /** Estimated from llm.pricing; null when the model has no price. */
  cost: number | null;
}

/** A stored trial result for one story. */
export interface TrialDraft extends TrialResult {
  itemId: number;
  cacheKey: string;
  /** True when the result was reused from an earlier identical call (no LLM call was made). */
  fromCache: boolean;
  createdAt: Date;
}

/** Stored articles a trial can draft: the item's title, URL and feed, for the drafter's input. */
export interface TrialSource {
  itemId: number;
  title: string;
  url: string;
  feedName: string;
}

/** One `prompts eval` of a trial: where it ran (the database, or a golden set's folder) and what it gave. */
export interface EvaluationRecord {
  trial: string;
  prompt: { id: string; hash: string };
  model: string;
  /** "database", or the golden set's folder. */
  where: string;
  at: Date;
  /** The evaluation as `prompts eval --json` prints it. */
  result: Record<string, unknown>;
}

/** The trials and trial_drafts tables: never read by `stories`, the desk or exports. */
export interface TrialStore {
  /** Creates the trial, or points an existing one at this prompt and model. */
  open(name: string, prompt: { id: string; hash: string; path: string }, model: string, now: Date): Promise<Trial>;
  get(name: string): Promise<Trial | null>;
  list(): Promise<Trial[]>;
  /** The result of an earlier identical call in any trial, when it is worth reusing (a draft, or output the model got wrong). */
  cached(cacheKey: string): Promise<TrialResult | null>;
  /** Stores (or replaces) a trial's result for one story. */
  record(trialId: number, itemId: number, cacheKey: string, result: TrialResult, fromCache: boolean, now: Date): Promise<void>;
  /** A trial's results, by story id. */
  results(trialId: number): Promise<TrialDraft[]>;
  /** Keeps an evaluation of a trial. */
  recordEvaluation(e: EvaluationRecord): Promise<void>;
  /** The newest evaluation of a trial made with this prompt content; null when none was run. */
  lastEvaluation(promptHash: string): Promise<EvaluationRecord | null>;
  /**
   * Items with a stored article, newest first: the given ids, or those published (or found) since
   * a date, at most `limit`.
   */
  sources(opts: { ids?: number[]; since?: Date; limit?: number }): Promise<TrialSource[]>;
}

/** Failures that belong to the prompt and model, not to the moment: reused like drafts. */
const REUSABLE_FAILURES = ['llm.invalid_output', 'llm.refused', 'llm.truncated'];

type TrialRow = Selectable<TrialsTable>;

type TrialDraftRow = Omit<Selectable<TrialDraftsTable>, 'trial_id'>;

const toTrial = (r: TrialRow): Trial => ({
  id: r.id,
  name: r.name,
  prompt: { id: r.prompt_id, hash: r.prompt_hash, path: r.prompt_path },
  model: r.model,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

const toResult = (r: TrialDraftRow): TrialResult => ({
  draft: r.draft === null ? null : (JSON.parse(r.draft) as Draft),
  failure: r.failure_kind === null ? null : { kind: r.failure_kind, message: r.failure_message ?? '' },
  inputTokens: r.input_tokens,
  outputTokens: r.output_tokens,
  latencyMs: r.latency_ms,
  cost: r.cost,
});

const byName = async (tx: Tx, name: string) => tx.get<TrialRow>(sql`SELECT * FROM trials WHERE name = ${name}`);

export function trialStore(db: Db): TrialStore {
  return {
    open: (name, prompt, model, now) =>
      db.write(async (tx) => {
        await tx.run(
          sql`INSERT INTO trials (name, prompt_id, prompt_hash, prompt_path, model, created_at, updated_at)
              VALUES (${name}, ${prompt.id}, ${prompt.hash}, ${prompt.path}, ${model}, ${isoOf(now)}, ${isoOf(now)})
              ON CONFLICT (name) DO UPDATE SET prompt_id = excluded.prompt_id, prompt_hash = excluded.prompt_hash,
                prompt_path = excluded.prompt_path, model = excluded.model, updated_at = excluded.updated_at`,
        );
        return toTrial((await byName(tx, name))!);
      }),

    get: (name) =>
      db.read(async (tx) => {
        const r = await byName(tx, name);
        return r ? toTrial(r) : null;
      }),

    list: () => db.read(async (tx) => (await tx.all<TrialRow>(sql`SELECT * FROM trials ORDER BY id`)).map(toTrial)),

    cached: (cacheKey) =>
      db.read(async (tx) => {
        const r = await tx.get<TrialDraftRow>(
          // The paid answer first; a cached copy of it when a rerun of its own trial replaced it.
          sql`SELECT * FROM trial_drafts WHERE cache_key = ${cacheKey}
                AND (draft IS NOT NULL OR failure_kind IN (${sql.join(REUSABLE_FAILURES)}))
              ORDER BY from_cache, created_at DESC LIMIT 1`,
        );
        return r ? toResult(r) : null;
      }),

    record: (trialId, itemId, cacheKey, result, fromCache, now) =>
      db.write(async (tx) => {
        const row = {
          cache_key: cacheKey,
          draft: result.draft === null ? null : JSON.stringify(result.draft),
          failure_kind: result.failure?.kind ?? null,
          failure_message: result.failure?.message ?? null,
          input_tokens: result.inputTokens,
          output_tokens: result.outputTokens,
          latency_ms: Math.round(result.latencyMs),
          cost: result.cost,
          from_cache: fromCache ? 1 : 0,
          created_at: isoOf(now),
        };
        // One result per trial and story: a rerun replaces it (no trigger or reference hangs on the row).
        await tx.run(
          tx.k
            .insertInto('trial_drafts')
            .values({ trial_id: trialId, item_id: itemId, ...row })
            .onConflict((oc) => oc.columns(['trial_id', 'item_id']).doUpdateSet(row)),
        );
      }),

    results: (trialId) =>
      db.read(async (tx) =>
        (await tx.all<TrialDraftRow>(sql`SELECT * FROM trial_drafts WHERE trial_id = ${trialId} ORDER BY item_id`)).map((r) => ({
          ...toResult(r),
          itemId: r.item_id,
          cacheKey: r.cache_key,
          fromCache: r.from_cache === 1,
          createdAt: new Date(r.created_at),
        })),
      ),

    recordEvaluation: (e) =>
      db.write(async (tx) => {
        await tx.run(
          tx.k.insertInto('evaluations').values({
            trial: e.trial,
            prompt_id: e.prompt.id,
            prompt_hash: e.prompt.hash,
            model: e.model,
            result: JSON.stringify(e.result),
            created_at: isoOf(e.at),
          }),
        );
      }),

    lastEvaluation: (promptHash) =>
      db.read(async (tx) => {
        const r = await tx.get<{ trial: string; prompt_id: string; prompt_hash: string; model: string; result: string; created_at: string }>(
          sql`SELECT * FROM evaluations WHERE prompt_hash = ${promptHash} ORDER BY id DESC LIMIT 1`,
        );
        return r
          ? { trial: r.trial, prompt: { id: r.prompt_id, hash: r.prompt_hash }, model: r.model, where: 'database', at: new Date(r.created_at), result: JSON.parse(r.result) as Record<string, unknown> }
          : null;
      }),

    sources: (opts) =>
      db.read(async (tx) => {
        // Asked for no ids: none match.
        if (opts.ids && opts.ids.length === 0) return [];
        const where = [
          ...(opts.ids ? [sql`i.id IN (${sql.join(opts.ids)})`] : []),
          ...(opts.since ? [sql`COALESCE(i.published_at, i.discovered_at) >= ${isoOf(opts.since)}`] : []),
        ];
        const rows = await tx.all<{ item_id: number; title: string; url: string; feed_name: string }>(
          sql`SELECT i.id AS item_id, COALESCE(a.title, i.title, i.url, 'Untitled') AS title, COALESCE(i.url, '') AS url, f.name AS feed_name
              FROM stories i JOIN articles a ON a.item_id = i.id JOIN feeds f ON f.id = i.feed_id
              ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
              ORDER BY COALESCE(i.published_at, i.discovered_at) DESC, i.id DESC
              ${opts.limit !== undefined ? sql`LIMIT ${opts.limit}` : sql``}`,
        );
        return rows.map((r) => ({ itemId: r.item_id, title: r.title, url: r.url, feedName: r.feed_name }));
      }),
  };
}
