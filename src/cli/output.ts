import { redactUrl } from '../fetch/redact.ts';
import type { RunEvent, RunSummary } from '../pipeline/run.ts';
import type { FeedStatus, Issue, IssueWithStories, StoredArticle, StoredDraft, Story } from '../store/index.ts';

/** A stored time as printed: ISO 8601. */
const when = (d: Date | null): string | null => (d ? d.toISOString() : null);

/**
 * Shows a run as it goes: on a terminal one progress line per stage, redrawn in place;
 * otherwise (cron, pipes) one plain log line per event.
 */
export function createRunReporter(out: NodeJS.WriteStream): { event: (e: RunEvent) => void; done: () => void } {
  const tty = Boolean(out.isTTY);
  const counts = { feeds: 0, feedErrors: 0, newItems: 0, extracted: 0, drafted: 0, failed: 0 };
  let lastDraw = 0;
  const started = Date.now();
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
  const line = (s: string) => out.write(`${new Date().toISOString()} ${s}\n`);
  return {
    event(e) {
      if (e.type === 'feed') {
        counts.feeds++;
        counts.newItems += e.newItems;
        if (e.result === 'error') counts.feedErrors++;
        if (!tty) {
          line(
            e.result === 'error'
              ? `feed "${e.feed}": ${e.failure!.kind}: ${e.failure!.message}`
              : `feed "${e.feed}": ${e.result.replace('_', ' ')}, ${e.newItems} new items`,
          );
        }
      } else if (e.type === 'article') {
        counts.extracted++;
      } else {
        if (e.stage === 'drafted') counts.drafted++;
        else counts.failed++;
        if (!tty) {
          line(
            e.stage === 'drafted'
              ? `item ${e.itemId} drafted (${e.engine}): ${e.url ?? ''}`
              : `item ${e.itemId} ${e.stage}: ${e.failure!.kind}: ${e.failure!.message} (${e.url ?? ''})`,
          );
        }
      }
      if (tty) draw();
    },
    done() {
      if (tty) {
        draw(true);
        out.write('\n');
      }
    },
  };
}

export function formatRunSummary(s: RunSummary): string {
  const lines = [
    `run ${s.runId} ${s.status} in ${(s.durationMs / 1000).toFixed(1)} s (engine: ${s.engine})` +
      (s.tookOverRunId ? `, took over from stale run ${s.tookOverRunId}` : ''),
    `  feeds: ${s.feeds.total} (${s.feeds.fetched} fetched, ${s.feeds.notModified} not modified, ${s.feeds.failed} failed; ${s.feeds.warnings} parser warnings)`,
    `  items: ${s.items.new} new (${s.items.overCap} over the per-feed cap, left for later runs), ${s.items.worked} worked on; articles: ${s.articles.fetched} fetched, ` +
      `${s.articles.extracted} extracted, ${s.articles.fromFeed} from feed content`,
    `  drafts: ${s.drafts.made} made (${s.drafts.flagged} flagged for review), ${s.drafts.failed} failed, ${s.drafts.deferred} deferred, ${s.drafts.blocked} blocked` +
      (s.drafts.kept ? `, ${s.drafts.kept} kept beside the database for the next run` : ''),
    `  llm: ${s.llm.calls} calls, ${s.llm.inputTokens} input + ${s.llm.outputTokens} output tokens`,
  ];
  if (s.stop) lines.push(`  stopped early: ${s.stop.kind}: ${s.stop.message}`);
  for (const e of s.errors) lines.push(`  ! ${e.scope} ${e.name}: ${e.kind}: ${e.message}`);
  return lines.join('\n');
}

export function formatStoryList(stories: Story[]): string {
  if (stories.length === 0) return 'no stories (run `aiwins run`, or add --all to see pending and failed items)\n';
  return (
    stories
      .map((s) => {
        const head = s.draft?.headline ?? s.title ?? s.url ?? '(untitled)';
        const tail = s.error ? `  [${s.error.kind}] ${s.error.message}` : s.draft ? `  (${s.draft.engine}, ${s.draft.category})` : '';
        return `${String(s.id).padStart(5)}  ${s.status.padEnd(9)}  ${head}${tail}`;
      })
      .join('\n') + '\n'
  );
}

export function formatStory(s: Story, article: StoredArticle | null): string {
  const out: string[] = [];
  const d = s.draft;
  out.push(`#${s.id} [${s.status}] ${d?.headline ?? s.title ?? '(untitled)'}`);
  out.push(`${s.feed} · ${s.url ?? 'no link'}${article ? ` · ${article.readingMinutes} min read` : ''}`);
  if (s.error) out.push(`\nNot drafted: ${s.error.kind}: ${s.error.message} (attempts: ${s.attempts}${s.nextAttemptAt ? `, next try after ${when(s.nextAttemptAt)}` : ''})`);
  if (d) {
    out.push('', `TL;DR: ${d.tldr}`, '', 'Key takeaways:');
    d.takeaways.forEach((t, i) => {
      out.push(`  ${i + 1}. ${t.text}`);
      out.push(`     "${t.quote}"${t.grounded ? '' : '  (quote NOT found in the article)'}`);
    });
    out.push('', `Why it matters: ${d.whyItMatters}`, '', `Category: ${d.category}`);
    out.push(
      `Framing: ${d.framing.verdict} (score ${d.framing.score.toFixed(2)}): ${d.framing.rationale}` +
        (d.framing.concerns.length ? `\n  concerns: ${d.framing.concerns.join('; ')}` : ''),
    );
    out.push(
      '',
      `Draft by ${d.engine}${d.model ? ` (${d.model})` : ''}, prompt ${d.prompt.id}@${d.prompt.hash}, ` +
        `${d.inputTokens}+${d.outputTokens} tokens, ${d.latencyMs} ms${d.inputTruncated ? ', article cut to the token budget' : ''}`,
    );
  }
  if (article) out.push(`Extracted by ${article.method} (confidence ${article.confidence.toFixed(2)}, ${article.wordCount} words)`);
  return out.join('\n') + '\n';
}

export function formatFeeds(feeds: FeedStatus[]): string {
  if (feeds.length === 0) return 'no feeds yet (run `aiwins run` first)\n';
  return (
    feeds
      .map((f) => {
        const lines = [
          `${f.name}${f.active ? '' : ' (removed from config)'}`,
          `  ${redactUrl(f.url)}`,
          `  last fetch: ${when(f.lastFetchAt) ?? 'never'}${f.lastStatus ? ` (HTTP ${f.lastStatus})` : ''} ${f.lastResult ?? ''}`,
          `  items: ${f.items.seen} seen, ${f.items.drafted} drafted, ${f.items.pending} pending (${f.items.overCap} over the per-run cap), ${f.items.failed} failed`,
        ];
        if (f.lastParse?.warnings.length) lines.push(`  last parse: ${f.lastParse.items} items, ${f.lastParse.warnings.length} warnings: ${f.lastParse.warnings.slice(0, 3).join('; ')}`);
        if (f.error) lines.push(`  error (${f.error.count} in a row): ${f.error.kind}: ${f.error.message}`);
        if (f.movedTo) lines.push(`  moved permanently to ${f.movedTo}: update feeds.yaml`);
        if (f.nextCheckAt) lines.push(`  next check: ${when(f.nextCheckAt)}`);
        return lines.join('\n');
      })
      .join('\n\n') + '\n'
  );
}

/** Drafts of one story side by side, for comparing prompt versions and engines. */
export function formatDraftHistory(drafts: StoredDraft[]): string {
  if (drafts.length === 0) return 'no drafts yet\n';
  return (
    drafts
      .map((d, i) =>
        [
          `draft ${i + 1} of ${drafts.length}: ${d.engine}${d.model ? ` (${d.model})` : ''}, prompt ${d.prompt.id}@${d.prompt.hash}, ${when(d.createdAt)}`,
          `  headline: ${d.headline}`,
          `  tldr: ${d.tldr}`,
          `  takeaways: ${d.takeaways.length}, grounded ${d.takeaways.filter((t) => t.grounded).length}`,
          `  framing: ${d.framing.verdict} (${d.framing.score.toFixed(2)}); category ${d.category}; ${d.inputTokens}+${d.outputTokens} tokens`,
        ].join('\n'),
      )
      .join('\n\n') + '\n'
  );
}

/** An issue as `issue --json` prints it: dates as ISO strings, stories when loaded. */
export function issueJson(issue: Issue | IssueWithStories) {
  return {
    ...issue,
    createdAt: issue.createdAt.toISOString(),
    sentAt: issue.sentAt?.toISOString() ?? null,
  };
}

/** One issue, its stories in order. */
export function formatIssue(issue: IssueWithStories): string {
  const head =
    `Issue ${issue.number} [${issue.status}]${issue.title ? ` ${issue.title}` : ''}: ` +
    (issue.sentAt ? `sent ${issue.sentAt.toISOString()}` : `opened ${issue.createdAt.toISOString()}`);
  if (issue.stories.length === 0) return `${head}\n  no stories yet: \`aiwins issue add ID...\`\n`;
  const lines = issue.stories.map((s, i) => {
    const category = s.draft?.category ?? '-';
    return `${String(i + 1).padStart(3)}. #${s.id}  [${category}] ${s.draft?.headline ?? s.title ?? '(untitled)'}`;
  });
  return [head, ...lines].join('\n') + '\n';
}

export function formatIssueList(issues: Issue[]): string {
  if (issues.length === 0) return 'no issues yet: `aiwins issue new` opens one\n';
  return (
    issues
      .map((i) => `${String(i.number).padStart(5)}  ${i.status.padEnd(5)}  ${i.storyIds.length} stories  ${i.title ?? ''}`.trimEnd())
      .join('\n') + '\n'
  );
}
