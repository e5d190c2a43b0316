/** A run as it goes (the progress line or one event per feed and item) and its summary at the end. */
import type { RunEvent, RunSummary } from '../pipeline/run.ts';
import type { Logger } from './log.ts';
import { formatRunSummary } from './output.ts';

/**
 * Shows a run as it goes. On a terminal with text logs: one progress line, redrawn in place.
 * Otherwise one log event per feed and item, with the run, feed and item ids and the failure kind.
 */
export function createRunReporter(out: NodeJS.WriteStream, log: Logger): { event: (e: RunEvent) => void; done: () => void } {
  const progress = log.format === 'text' && Boolean(out.isTTY);
  const zero = { feeds: 0, feedErrors: 0, newItems: 0, extracted: 0, drafted: 0, failed: 0 };
  let counts = { ...zero };
  let lastDraw = 0;
  let started = Date.now();
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    // ETA from the pace so far over the items known to be left (more may still come from feeds).
    const done = counts.drafted + counts.failed;
    const left = Math.max(0, counts.newItems - done);
    const pace = done > 0 ? (now - started) / done : 0;
    const eta = done > 0 && left > 0 ? ` | ETA ${Math.ceil((left * pace) / 1000)} s` : '';
    out.write(
      `\r\x1b[Kfeeds ${counts.feeds} (${counts.feedErrors} failed) | new items ${counts.newItems} | ` +
        `extracted ${counts.extracted} | drafted ${counts.drafted} | failed ${counts.failed}${eta}`,
    );
  };
  return {
    event(e) {
      if (e.type === 'feed') {
        counts.feeds++;
        counts.newItems += e.newItems;
        if (e.result === 'error') counts.feedErrors++;
        if (!progress) {
          const fields = { event: 'feed', run_id: e.runId, feed_id: e.feedId, feed: e.feed, result: e.result, new_items: e.newItems };
          if (e.failure) log.warn(`feed "${e.feed}": ${e.failure.kind}: ${e.failure.message}`, { ...fields, kind: e.failure.kind });
          else log.info(`feed "${e.feed}": ${e.result.replace('_', ' ')}, ${e.newItems} new items`, fields);
        }
      } else if (e.type === 'article') {
        counts.extracted++;
        if (!progress && log.format === 'json') {
          log.info(`item ${e.itemId} extracted (${e.method})`, { event: 'article', run_id: e.runId, feed_id: e.feedId, item_id: e.itemId, method: e.method });
        }
      } else {
        if (e.stage === 'drafted') counts.drafted++;
        else if (e.stage !== 'duplicate') counts.failed++;
        if (!progress) {
          const fields = { event: 'item', run_id: e.runId, feed_id: e.feedId, item_id: e.itemId, url: e.url, stage: e.stage };
          if (e.failure) {
            log.warn(`item ${e.itemId} ${e.stage}: ${e.failure.kind}: ${e.failure.message} (${e.url ?? ''})`, { ...fields, kind: e.failure.kind });
          } else if (e.stage === 'duplicate') {
            log.info(`item ${e.itemId} is a copy of story ${e.duplicateOf}, not drafted: ${e.url ?? ''}`, { ...fields, duplicate_of: e.duplicateOf });
          } else {
            log.info(`item ${e.itemId} drafted (${e.engine}): ${e.url ?? ''}`, { ...fields, engine: e.engine });
          }
        }
      }
      if (progress) draw();
    },
    /** Ends the run's progress line; the scheduler's next run starts a new one from zero. */
    done() {
      if (progress) {
        draw(true);
        out.write('\n');
      }
      counts = { ...zero };
      started = Date.now();
    },
  };
}

/** Logs the end of a run: the summary as text lines, or as one JSON event with its counts. */
export function logRunSummary(log: Logger, s: RunSummary): void {
  if (s.status === 'already_running') {
    const h = s.holder;
    log.info(`another run is in progress${h ? ` (run ${h.runId}, pid ${h.pid} on ${h.host})` : ''}; nothing to do`, {
      event: 'run',
      status: s.status,
      holder_run_id: h?.runId ?? null,
    });
    return;
  }
  if (log.format === 'text') {
    log.info(formatRunSummary(s));
    return;
  }
  const { runId, errors, ...counts } = s;
  log.info(`run ${runId} ${s.status} in ${(s.durationMs / 1000).toFixed(1)} s`, { event: 'run', run_id: runId, ...counts, errorCount: errors.length });
}
