import { stripControlChars, terminalSafeJson } from '../core/terminal.ts';
import { redactUrl, redactUrlsIn } from '../fetch/redact.ts';
import type { FeedAcceptance, FeedCost } from '../core/feed-report.ts';
import { costPhrase, provenance, type Prices } from '../render/provenance.ts';
import type { DryRunSummary } from '../pipeline/dry-run.ts';
import type { RunSummary } from '../pipeline/run.ts';
import { sentSentence, type FeedStatus, type Issue, type IssueWithStories, type StoredArticle, type StoredDraft, type Story } from '../store/index.ts';

/** A stored time as printed: ISO 8601. */
const when = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** An estimated cost for people: "unknown" without a price for the model, never 0. */
const costText = (cost: number | null, model: string | null): string =>
  cost === null ? `unknown (no llm.pricing for ${model ?? 'the model'})` : `est. $${cost.toFixed(4)}`;

/** A run summary as lines of text. */
export function formatRunSummary(s: RunSummary): string {
  const lines = [
    `run ${s.runId} ${s.status} in ${(s.durationMs / 1000).toFixed(1)} s (engine: ${s.engine})` +
      (s.tookOverRunId ? `, took over from stale run ${s.tookOverRunId}` : ''),
    `  feeds: ${s.feeds.total} (${s.feeds.fetched} fetched, ${s.feeds.notModified} not modified, ${s.feeds.failed} failed; ${s.feeds.warnings} parser warnings)`,
    `  items: ${s.items.new} new (${s.items.overCap} over the per-feed cap, left for later runs), ${s.items.worked} worked on; articles: ${s.articles.fetched} fetched, ` +
      `${s.articles.extracted} extracted, ${s.articles.fromFeed} from feed content`,
    `  drafts: ${s.drafts.made} made (${s.drafts.flagged} flagged for review), ${s.drafts.failed} failed, ` +
      `${s.drafts.deferred} deferred${s.budget.deferred ? ` (${s.budget.deferred} for the token budget)` : ''}, ${s.drafts.blocked} blocked` +
      (s.drafts.kept ? `, ${s.drafts.kept} kept beside the database for the next run` : '') +
      (s.drafts.duplicates ? `, ${s.drafts.duplicates} attached to a story as another outlet's copy` : ''),
    `  llm: ${s.llm.calls} calls, ${s.llm.inputTokens} input + ${s.llm.outputTokens} output tokens` +
      (s.llm.estimatedCost !== null && s.llm.calls > 0 ? `, ${costText(s.llm.estimatedCost, null)}` : ''),
  ];
  const caps = [
    s.budget.maxTokensPerRun !== null ? `llm.maxTokensPerRun ${s.budget.maxTokensPerRun}` : '',
    s.budget.maxTokensPerDay !== null ? `llm.maxTokensPerDay ${s.budget.maxTokensPerDay} (${s.budget.spentToday} spent today, UTC)` : '',
  ].filter(Boolean);
  if (caps.length) lines.push(`  budget: ${caps.join('; ')}${s.budget.deferred ? `; ${s.budget.deferred} items wait for it` : ''}`);
  if (s.stop) lines.push(`  stopped early: ${s.stop.kind}: ${s.stop.message}`);
  for (const e of s.errors) lines.push(`  ! ${e.scope} ${redactUrlsIn(e.name)}: ${e.kind}: ${e.message}`);
  return stripControlChars(lines.join('\n'));
}


/** What `run --dry-run` found, as lines of text. */
export function formatDryRun(p: DryRunSummary): string {
  const due = p.feeds.filter((f) => f.result !== 'not_due' && f.result !== 'gone').length;
  const lines = [
    `dry run: nothing was stored, no page fetched, no LLM called (engine: ${p.engine}${p.model ? `, model ${p.model}` : ''})`,
    `  feeds: ${due} due, ${p.feeds.length - due} not due or gone`,
    ...p.feeds.map((f) => {
      const what =
        f.result === 'ok'
          ? `${f.newItems} new items${f.overCap ? ` (${f.overCap} over the per-feed cap, for later runs)` : ''}`
          : f.result === 'error'
            ? `error ${f.error!.kind}: ${redactUrlsIn(f.error!.message)}`
            : f.result.replace('_', ' ');
      return `    ${f.name}: ${what}`;
    }),
    `  items: ${p.items.toDraft} to draft (${p.items.new - p.items.overCap} new, ${p.items.waiting} left by earlier runs); ${p.items.overCap} new over the cap`,
  ];
  if (p.engine === 'llm') {
    lines.push(
      `  llm: ${p.llm.calls} calls, about ${p.llm.inputTokens} input + ${p.llm.outputTokens} output tokens ` +
        '(at most, one call per item: an article not fetched yet fills its token budget, each answer its max_output_tokens)',
      `  cost: ${costText(p.llm.estimatedCost, p.model)}`,
    );
    const b = p.budget;
    if (b.maxTokensPerRun !== null || b.maxTokensPerDay !== null) {
      lines.push(`  budget: ${b.spentToday} tokens spent today (UTC); by these estimates the token caps would hold back ${b.wouldDefer} items`);
    }
  } else {
    lines.push('  llm: none (offline drafts: no LLM configured)');
  }
  return stripControlChars(lines.join('\n') + '\n');
}

/** A dry run as `run --dry-run --json` prints it: URLs without credentials. */
export function dryRunJson(p: DryRunSummary): DryRunSummary {
  return {
    ...p,
    feeds: p.feeds.map((f) => ({ ...f, url: redactUrl(f.url), error: f.error && { ...f.error, message: redactUrlsIn(f.error.message) } })),
  };
}

/** One line per story. */
export function formatStoryList(stories: Story[]): string {
  if (stories.length === 0) return 'no stories (run `aiwins run`, or add --all to see pending and failed items)\n';
  return stripControlChars(
    stories
      .map((s) => {
        const head = s.draft?.headline ?? s.title ?? s.url ?? '(untitled)';
        const d = s.draft;
        // An editor's judgement stands over the model's framing, and says whose it is.
        const j = d && (d.judgement ?? d.framing);
        const verdict = j ? `, ${j.verdict}${j.recommendation ? `/${j.recommendation}` : ''}${d.judgement ? ` (set by ${d.judgement.by})` : ''}` : '';
        const tail = s.error
          ? `  [${s.error.kind}] ${s.error.message}`
          : s.duplicateOf
            ? `  (copy of story ${s.duplicateOf.id}: ${s.duplicateOf.reason})`
            : d
              ? `  (${d.engine}, ${d.category}${verdict}${s.alsoCoveredBy.length ? `, also covered by ${s.alsoCoveredBy.length}` : ''})`
              : '';
        const marks = [s.setAside ? '[set aside]' : '', s.needsReview ? '[needs review]' : ''].filter(Boolean).join(' ');
        // A sent story says so, with the date: its decision is final.
        const sent = s.sent ? `  [${sentSentence(s.sent)}]` : '';
        return `${String(s.id).padStart(5)}  ${s.status.padEnd(9)}  ${marks ? `${marks} ` : ''}${head}${tail}${sent}`;
      })
      .join('\n') + '\n'
  );
}

export type { Prices };

/** What one draft cost, for its provenance line (src/render/provenance.ts decides). */
function draftCostText(d: StoredDraft, prices: Prices): string {
  const { cost } = provenance(d, prices);
  return cost ? `, ${costPhrase(cost)}` : '';
}

/** One story, readable: draft, quotes, framing, provenance (with the draft's estimated cost). */
export function formatStory(s: Story, article: StoredArticle | null, prices: Prices = { pricing: {}, model: null }): string {
  const out: string[] = [];
  const d = s.draft;
  out.push(`#${s.id} [${s.status}] ${d?.headline ?? s.title ?? '(untitled)'}`);
  out.push(`${s.feed} · ${s.url ?? 'no link'}${article ? ` · ${article.readingMinutes} min read` : ''}`);
  if (s.sent) out.push(`${sentSentence(s.sent)}: final, its decision and text no longer change`);
  if (s.duplicateOf) out.push(`\nNot drafted: a copy of story ${s.duplicateOf.id} (${s.duplicateOf.reason}, similarity ${s.duplicateOf.similarity.toFixed(2)}); \`aiwins show ${s.duplicateOf.id}\` lists it`);
  if (s.alsoCoveredBy.length) out.push(`Also covered by: ${s.alsoCoveredBy.map((c) => `${c.siteName ?? c.feed} ${c.url ?? '(no link)'} (#${c.id})`).join('; ')}`);
  if (s.error) out.push(`\nNot drafted: ${s.error.kind}: ${s.error.message} (attempts: ${s.attempts}${s.nextAttemptAt ? `, next try after ${when(s.nextAttemptAt)}` : ''})`);
  if (d) {
    if (d.engine === 'extractive') out.push('', 'offline draft: needs a model or an editor');
    if (s.needsReview) {
      const why = d.origin === 'editor' ? "the edited text fails a check against the article" : 'a check still failed after the repair turn';
      out.push('', `NEEDS REVIEW: ${why} (marked below)`);
    }
    const judged = d.judgement ?? d.framing;
    if (s.setAside) out.push('', `SET ASIDE: not a ready candidate (verdict ${judged.verdict}, recommendation ${judged.recommendation ?? 'none'})`);
    out.push('', `TL;DR: ${d.tldr}`, '', 'Key takeaways:');
    d.takeaways.forEach((t, i) => {
      const more = t.missingFromQuote.length ? `  (says ${t.missingFromQuote.map((c) => `"${c}"`).join(', ')}, which its quote does not)` : '  (says more than its quote)';
      out.push(`  ${i + 1}. ${t.text}${t.grounded && !t.supported ? more : ''}`);
      out.push(`     "${t.quote}"${t.grounded ? '' : '  (quote NOT found in the article)'}`);
    });
    if (d.deck) out.push('', `Deck: ${d.deck}`);
    if (d.body.length) out.push('', d.engine === 'extractive' ? 'Body (excerpt from the article):' : 'Body:', ...d.body.map((p) => `  ${p}`));
    out.push('', `Why it matters: ${d.whyItMatters}`);
    for (const i of d.implications) out.push(`  • ${i}`);
    if (d.readerNote) out.push('', `Reader note: ${d.readerNote}`);
    for (const c of d.unsupportedClaims) out.push(`  ! ${c.field}: "${c.claim}" does not occur in the article`);
    out.push('', `Category: ${d.category}`);
    if (d.judgement) {
      out.push(`Judgement: ${d.judgement.verdict}, recommendation ${d.judgement.recommendation}; verdict set by ${d.judgement.by} on ${when(d.judgement.at)}`);
    }
    out.push(
      `${d.judgement ? "The model's framing" : 'Framing'}: ${d.framing.verdict} (score ${d.framing.score.toFixed(2)}` +
        `${d.framing.confidence !== null ? `, confidence ${d.framing.confidence.toFixed(2)}` : ''})` +
        `${d.framing.recommendation ? `, recommendation ${d.framing.recommendation}` : ''}: ${d.framing.rationale}` +
        (d.framing.angle ? `\n  angle: ${d.framing.angle}` : '') +
        (d.framing.concerns.length ? `\n  concerns: ${d.framing.concerns.join('; ')}` : ''),
    );
    out.push(
      '',
      `Draft by ${d.engine}${d.model ? ` (${d.model})` : ''}, prompt ${d.prompt.id}@${d.prompt.hash}, ` +
        `${d.inputTokens}+${d.outputTokens} tokens${draftCostText(d, prices)}, ${d.latencyMs} ms${d.inputTruncated ? ', article cut to the token budget' : ''}; ` +
        `${d.readingMinutes} min read as published`,
    );
  }
  if (article) out.push(`Extracted by ${article.method} (confidence ${article.confidence.toFixed(2)}, ${article.wordCount} words)`);
  return stripControlChars(out.join('\n') + '\n');
}

/** A feed's status with what editors thought of its stories and what its drafts cost. */
export type FeedReport = FeedStatus & { acceptance: FeedAcceptance; cost: FeedCost };

/** A feed's acceptance and cost as one line of text. */
function feedValueLine(f: FeedReport): string {
  const { approved, rejected, rate } = f.acceptance;
  const editors = rate === null ? 'no story decided yet' : `${approved} approved, ${rejected} rejected (acceptance ${Math.round(rate * 100)}%)`;
  const c = f.cost;
  const spent =
    c.llmDrafts === 0
      ? 'no LLM drafts'
      : `${c.llmDrafts} LLM drafts, ${c.inputTokens}+${c.outputTokens} tokens, cost ${costText(c.estimated, null)}` +
        (c.perApprovedStory !== null ? ` ($${c.perApprovedStory.toFixed(4)} per approved story)` : '');
  return `  editors: ${editors}; ${spent}`;
}

/** Each feed's status, its URL without credentials. */
export function formatFeeds(feeds: FeedReport[]): string {
  if (feeds.length === 0) return 'no feeds yet (run `aiwins run` first)\n';
  return stripControlChars(
    feeds
      .map((f) => {
        const lines = [
          `${f.name}${f.active ? '' : ' (removed from config)'}`,
          `  ${redactUrl(f.url)}`,
          `  last fetch: ${when(f.lastFetchAt) ?? 'never'}${f.lastStatus ? ` (HTTP ${f.lastStatus})` : ''} ${f.lastResult ?? ''}`,
          `  items: ${f.items.seen} seen, ${f.items.drafted} drafted, ${f.items.pending} pending (${f.items.overCap} over the per-run cap), ${f.items.failed} failed`,
          feedValueLine(f),
        ];
        if (f.lastParse?.warnings.length) lines.push(`  last parse: ${f.lastParse.items} items, ${f.lastParse.warnings.length} warnings: ${f.lastParse.warnings.slice(0, 3).join('; ')}`);
        if (f.error) lines.push(`  error (${f.error.count} in a row): ${f.error.kind}: ${redactUrlsIn(f.error.message)}`);
        if (f.movedTo) lines.push(`  moved permanently to ${redactUrl(f.movedTo)}: update feeds.yaml`);
        if (f.nextCheckAt) lines.push(`  next check: ${when(f.nextCheckAt)}`);
        return lines.join('\n');
      })
      .join('\n\n') + '\n'
  );
}

/** Drafts of one story side by side, for comparing prompt versions and engines. */
export function formatDraftHistory(drafts: StoredDraft[], prices: Prices = { pricing: {}, model: null }): string {
  if (drafts.length === 0) return 'no drafts yet\n';
  return stripControlChars(
    drafts
      .map((d, i) =>
        [
          `draft ${i + 1} of ${drafts.length}: ${d.engine}${d.model ? ` (${d.model})` : ''}, prompt ${d.prompt.id}@${d.prompt.hash}, ${when(d.createdAt)}`,
          `  headline: ${d.headline}`,
          `  tldr: ${d.tldr}`,
          `  takeaways: ${d.takeaways.length}, grounded ${d.takeaways.filter((t) => t.grounded).length}`,
          `  framing: ${d.framing.verdict} (${d.framing.score.toFixed(2)}); category ${d.category}; ${d.inputTokens}+${d.outputTokens} tokens${draftCostText(d, prices)}`,
        ].join('\n'),
      )
      .join('\n\n') + '\n'
  );
}

/**
 * Feed statuses as `feeds --json` prints them: URLs without user, password or token-like query
 * values (the config keeps them; no output does).
 */
export function feedsJson<T extends { url: string; movedTo: string | null; error: { message: string } | null }>(feeds: T[]): T[] {
  return feeds.map((f) => ({
    ...f,
    url: redactUrl(f.url),
    movedTo: f.movedTo === null ? null : redactUrl(f.movedTo),
    error: f.error === null ? null : { ...f.error, message: redactUrlsIn(f.error.message) },
  }));
}

/** A run summary as `run --json` prints it: the URLs in its errors without credentials. */
export function runSummaryJson(s: RunSummary): RunSummary {
  return { ...s, errors: s.errors.map((e) => ({ ...e, name: redactUrlsIn(e.name), message: redactUrlsIn(e.message) })) };
}

/** JSON for stdout: indented for people (`--json` of the listing commands), exact for tools, safe on a terminal. */
export function jsonOutput(value: unknown, indent?: number): string {
  return terminalSafeJson(value, indent) + '\n';
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
  return stripControlChars([head, ...lines].join('\n')) + '\n';
}

export function formatIssueList(issues: Issue[]): string {
  if (issues.length === 0) return 'no issues yet: `aiwins issue new` opens one\n';
  return (
    issues
      .map((i) => stripControlChars(`${String(i.number).padStart(5)}  ${i.status.padEnd(5)}  ${i.storyIds.length} stories  ${i.title ?? ''}`).trimEnd())
      .join('\n') + '\n'
  );
}

/** A config problem as `formatConfigProblems` shows it: its message, line, column and that line's text. */
export interface PlacedProblem {
  path: string;
  message: string;
  line: number | null;
  column: number | null;
  source: string | null;
}

/**
 * Every problem of a config file, each under its `path: message` line with the line of the file
 * it is on and a caret under the column, as compilers show them. URLs in the messages and on
 * those lines lose their credentials and secret query values.
 */
export function formatConfigProblems(problems: readonly PlacedProblem[]): string {
  const width = Math.max(2, ...problems.map((p) => String(p.line ?? '').length));
  return problems
    .map((p) => {
      const head = `  ${p.path}: ${redactUrlsIn(p.message)}`;
      if (p.line === null || p.column === null || p.source === null) return head;
      const source = redactUrlsIn(p.source);
      // Tabs stay tabs under the caret, so it lines up however the terminal shows them.
      const pad = source.slice(0, p.column - 1).replace(/[^\t]/g, ' ');
      const gutter = ' '.repeat(4 + width);
      return `${head}\n    ${String(p.line).padStart(width)} | ${source}\n${gutter} | ${pad}^`;
    })
    .join('\n');
}

/** The problems for a JSON log: the same, with URLs in the message and the line's text redacted. */
export function configProblemsJson(problems: readonly PlacedProblem[]): PlacedProblem[] {
  return problems.map((p) => ({ ...p, message: redactUrlsIn(p.message), source: p.source === null ? null : redactUrlsIn(p.source) }));
}
