import { hostname } from 'node:os';
import PQueue from 'p-queue';
import type { Config } from '../config/index.ts';
import type { Engine } from '../core/types.ts';
import { drafterFor } from './drafter.ts';
import * as store from '../store/index.ts';
import type { Db } from '../store/index.ts';
import type { RunSummary } from './run.ts';

export interface RedraftSummary {
  status: 'completed' | 'already_running';
  engine: Engine;
  redrafted: number;
  failed: { id: number; kind: string; message: string }[];
  llm: RunSummary['llm'];
}

/**
 * Drafts stored articles again with the given engine: by default the stories whose current
 * draft is extractive (made while no LLM was configured), or the given ids. Earlier drafts are
 * kept; the new one becomes current. Editors' decisions (approved, rejected) are kept.
 */
export async function redraftStories(
  config: Config,
  db: Db,
  opts: { engine: Engine; ids?: number[]; now?: () => number },
): Promise<RedraftSummary> {
  const clock = opts.now ?? Date.now;
  const iso = () => new Date(clock()).toISOString();
  const drafter = await drafterFor(config, opts.engine);
  const result: RedraftSummary = {
    status: 'completed',
    engine: opts.engine,
    redrafted: 0,
    failed: [],
    llm: { calls: 0, inputTokens: 0, outputTokens: 0, rateLimited: 0 },
  };
  const lease = store.startRun(db, {
    pid: process.pid,
    host: hostname(),
    now: iso(),
    expiresAt: new Date(clock() + config.run.leaseSeconds * 1000).toISOString(),
    isAlive: () => true,
  });
  if (!lease.acquired) return { ...result, status: 'already_running' };

  const ids = opts.ids ?? store.itemIdsWithCurrentEngine(db, 'extractive');
  const queue = new PQueue({ concurrency: config.llm.concurrency });
  try {
    await Promise.all(
      ids.map((id) =>
        queue.add(async () => {
          const story = store.getStory(db, id);
          const article = store.getArticle(db, id);
          if (!story || !article) {
            result.failed.push({ id, kind: 'extract.empty', message: `story ${id} has no stored article to draft from` });
            return;
          }
          const input = {
            title: article.title ?? story.title ?? 'Untitled',
            url: story.url ?? '',
            text: article.text,
            siteName: article.site_name,
            feedName: story.feed,
            readingMinutes: article.reading_minutes,
          };
          const drafted = await drafter.draft(input);
          if (!drafted.ok) {
            result.failed.push({ id, kind: drafted.failure.kind, message: drafted.failure.message });
            return;
          }
          store.write(db, () => store.saveDraft(db, id, lease.runId, drafted.value, iso()));
          result.redrafted++;
        }),
      ),
    );
  } finally {
    result.llm = { ...drafter.usage };
    store.finishRun(db, lease.runId, 'completed', { redraft: result }, iso());
  }
  return result;
}
