import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Config } from './config/index.ts';
import { openStore, REVIEW_STATUSES, StoreError, WORK_STATUSES, type ItemStatus, type Store } from './store/index.ts';
import { PipelineSetupError } from './pipeline/errors.ts';
import { stripControlChars } from './core/terminal.ts';
import {
  createLogger,
  createRunReporter,
  defaultLogFormat,
  describeBug,
  feedsJson,
  formatDraftHistory,
  formatFeeds,
  formatStory,
  formatStoryList,
  jsonOutput,
  LOG_FORMATS,
  logRunSummary,
  runSummaryJson,
  type LogFormat,
  type Logger,
} from './cli/output.ts';

/**
 * Exit codes (the README has the table): 0 done, even with failures recorded on feeds and items;
 * 1 could not run, or a fault of the LLM endpoint or the database stopped the run; 2 invalid
 * config or usage, or a missing database for a command that only reads.
 */
const EXIT_FAILED = 1;
const EXIT_INVALID = 2;

interface GlobalOptions {
  config: string;
  db: string;
  logFormat: LogFormat;
  debug?: boolean;
}

/** A problem the user must fix before the command can run; printed without a stack trace. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** For JSON logs: what kind of problem, and its parts (each config error). */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const program = new Command();
program
  .name('aiwins')
  .description('Feeds in, reviewed-ready AI news story drafts out.')
  .addOption(new Option('--config <path>', 'config file').env('AIWINS_CONFIG').default('./feeds.yaml'))
  .addOption(new Option('--db <path>', 'SQLite database file').env('AIWINS_DB').default('data/aiwins.db'))
  .addOption(
    new Option('--log-format <format>', 'stderr log: one JSON object per event, or text (default: text on a terminal, else json)')
      .choices(LOG_FORMATS)
      .env('AIWINS_LOG_FORMAT')
      .default(defaultLogFormat(process.stderr)),
  )
  .option('--debug', 'show stack traces of unexpected errors in the log')
  .showHelpAfterError();

function globals(): GlobalOptions {
  return program.opts<GlobalOptions>();
}

let stderrLog: Logger | null = null;
/** The command's logger on stderr, in the format asked for. */
function log(): Logger {
  stderrLog ??= createLogger(process.stderr, globals().logFormat ?? defaultLogFormat(process.stderr));
  return stderrLog;
}

/** Loads the config; its module (yaml, zod) is imported here, so `--help` and `parse` never pay for it. */
async function configOrExit(): Promise<Config> {
  const { loadConfig } = await import('./config/index.ts');
  const { config, errors } = loadConfig(globals().config);
  if (!config) {
    throw new UsageError(`invalid config ${globals().config}:\n${errors.map((e) => `  ${e}`).join('\n')}`, EXIT_INVALID, {
      kind: 'config.invalid',
      errors,
    });
  }
  return config;
}

/** The newsletter settings of the config; its defaults when there is no config file at all. */
async function newsletterSettings(): Promise<Config['newsletter']> {
  const { loadConfig } = await import('./config/index.ts');
  const { config, errors } = loadConfig(globals().config);
  if (config) return config.newsletter;
  if (errors.length === 1 && errors[0]!.includes('config file not found')) return { timezone: 'UTC', sourceName: 'feed' };
  throw new UsageError(`invalid config ${globals().config}:\n${errors.map((e) => `  ${e}`).join('\n')}`, EXIT_INVALID);
}

/**
 * The store at --db. Commands that only read never create a database: a missing one is a usage
 * error naming the path, and a file the user may not write is read as it is.
 */
async function storeOrExit(access: 'write' | 'read' | 'check' = 'write'): Promise<Store> {
  const path = globals().db;
  if (access !== 'write' && !existsSync(path)) {
    throw new UsageError(`no database at ${resolve(path)}: check --db (or AIWINS_DB); \`aiwins run\` creates it`, EXIT_INVALID);
  }
  try {
    // A check reads the file as it is: no migration writes to a database that may be damaged.
    return await openStore(path, access === 'check' ? { access: 'read', migrate: false } : { access });
  } catch (err) {
    if (err instanceof StoreError) throw new UsageError(err.message, EXIT_FAILED);
    throw new UsageError(`cannot open database ${path}: ${(err as Error).message}`, EXIT_FAILED);
  }
}

program
  .command('run')
  .description('one pass: fetch feeds, draft new articles, save candidates (for cron)')
  .option('--json', 'print a JSON summary of the run as the last line of stdout')
  .option('--retry-failed', 'retry failed and deferred items now, ignoring their back-off')
  .option('--all-feeds', 'check every feed now, not only those that are due')
  .action(async (opts: { json?: boolean; retryFailed?: boolean; allFeeds?: boolean }) => {
    const config = await configOrExit();
    const db = await storeOrExit();
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    const reporter = createRunReporter(process.stderr, log());
    try {
      const { runPipeline } = await import('./pipeline/run.ts');
      const summary = await runPipeline(config, db, {
        retryFailed: opts.retryFailed,
        allFeeds: opts.allFeeds,
        signal: abort.signal,
        onEvent: reporter.event,
      });
      reporter.done();
      logRunSummary(log(), summary);
      if (opts.json) process.stdout.write(jsonOutput(runSummaryJson(summary)));
      // A run stopped by a fault no retry fixes (the LLM endpoint, the database) exits 1, so cron mails it.
      if (summary.status === 'failed') process.exitCode = EXIT_FAILED;
    } finally {
      await db.close();
    }
  });

program
  .command('stories')
  .description('list drafted stories (with --all: pending and failed items too)')
  .option('--status <status>', 'only stories with this status (candidate, approved, rejected, pending, failed, deferred, blocked)')
  .option('--all', 'include items that are pending or failed')
  .option('--json', 'print a JSON array')
  .action(async (opts: { status?: string; all?: boolean; json?: boolean }) => {
    const statuses: readonly string[] = [...REVIEW_STATUSES, ...WORK_STATUSES];
    if (opts.status && !statuses.includes(opts.status)) {
      throw new UsageError(`--status: expected one of ${statuses.join(', ')}, got "${opts.status}"`, EXIT_INVALID);
    }
    const db = await storeOrExit('read');
    try {
      const stories = await db.stories.list({ status: opts.status as ItemStatus | undefined, all: opts.all });
      process.stdout.write(opts.json ? jsonOutput(stories, 2) : formatStoryList(stories));
    } finally {
      await db.close();
    }
  });

program
  .command('show')
  .description('one story, readable')
  .argument('<id>', 'story id (from `aiwins stories`)')
  .option('--json', 'print the story as JSON')
  .option('--history', 'every draft of the story, oldest first (engine, prompt version, model), to compare them')
  .addOption(new Option('--format <format>', 'the story as the newsletter prints it').choices(['markdown', 'html', 'text']))
  .action(async (id: string, opts: { json?: boolean; history?: boolean; format?: 'markdown' | 'html' | 'text' }) => {
    const n = Number(id);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`ID: expected a story number, got "${id}"`, EXIT_INVALID);
    const db = await storeOrExit('read');
    try {
      const found = await db.stories.getWithArticle(n);
      if (!found) throw new UsageError(`no story ${n} (see \`aiwins stories --all\`)`, EXIT_FAILED);
      if (opts.history) {
        const drafts = await db.drafts.history(n);
        process.stdout.write(opts.json ? jsonOutput(drafts, 2) : formatDraftHistory(drafts));
        return;
      }
      if (opts.format) {
        const { newsletterStory, renderHtml, renderMarkdown, renderText } = await import('./render/index.ts');
        const shown = newsletterStory(found.story, await newsletterSettings());
        if (!shown) throw new UsageError(`story ${n} has no draft yet (status ${found.story.status}); nothing to render`, EXIT_FAILED);
        const render = { markdown: renderMarkdown, html: renderHtml, text: renderText }[opts.format];
        // The renderers are pure; what reaches a terminal loses its control characters here, as all output does.
        process.stdout.write(stripControlChars(render(shown)));
        return;
      }
      process.stdout.write(opts.json ? jsonOutput(found.story, 2) : formatStory(found.story, found.article));
    } finally {
      await db.close();
    }
  });

const feedsCommand = program
  .command('feeds')
  .description("each feed's status: last fetch, HTTP status, next check, error, item counts")
  .option('--json', 'print a JSON array')
  .action(async (opts: { json?: boolean }) => {
    const db = await storeOrExit('read');
    try {
      const feeds = await db.feeds.statuses();
      process.stdout.write(opts.json ? jsonOutput(feedsJson(feeds), 2) : formatFeeds(feeds));
    } finally {
      await db.close();
    }
  });

feedsCommand
  .command('import')
  .description('add the feeds of an OPML file to the config file (comments kept; existing URLs skipped)')
  .argument('<file>', 'an OPML file, as feed readers export')
  .action(async (file: string) => {
    let opml: string;
    try {
      opml = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`, EXIT_FAILED);
    }
    const { addFeedsToConfigText, parseOpml } = await import('./config/opml.ts');
    const feeds = parseOpml(opml);
    if (!feeds.ok) throw new UsageError(`${file}: ${feeds.failure.message}`, EXIT_INVALID);
    const configPath = globals().config;
    let configText = '';
    try {
      configText = readFileSync(configPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const merged = addFeedsToConfigText(configText, feeds.value);
    if (!merged.ok) throw new UsageError(`${configPath}: ${merged.failure.message}`, EXIT_INVALID);
    // Written to a temp file and renamed, so a crash never leaves half a config.
    const tmp = `${configPath}.${process.pid}.tmp`;
    writeFileSync(tmp, merged.value.text);
    renameSync(tmp, configPath);
    process.stdout.write(`added ${merged.value.added} feeds to ${configPath}\n`);
    for (const s of merged.value.skipped) process.stdout.write(`  skipped ${s.url}: ${s.reason}\n`);
    for (const u of merged.value.uncategorized) {
      process.stdout.write(`  ${u.url}: folder "${u.folder}" is not one of the categories; added without a category\n`);
    }
  });

feedsCommand
  .command('export')
  .description('print the configured feeds as OPML 2.0')
  .action(async () => {
    const config = await configOrExit();
    const { renderOpml } = await import('./config/opml.ts');
    process.stdout.write(renderOpml(config.feeds));
  });

program
  .command('schedule')
  .description('long-running: check due feeds on the cron schedule in the config (schedule.cron) until SIGTERM')
  .action(async () => {
    const config = await configOrExit();
    const db = await storeOrExit();
    const { startScheduler } = await import('./schedule/scheduler.ts');
    const reporter = createRunReporter(process.stderr, log());
    const scheduler = startScheduler(config, db, {
      onEvent: reporter.event,
      onRun: (s) => {
        reporter.done();
        if (s.status === 'already_running') log().info('tick: another run holds the lease; skipped', { event: 'tick', status: s.status });
        else logRunSummary(log(), s);
      },
      onError: (err) => {
        // A database fault is expected and explained by its message; anything else is a bug.
        if (err instanceof StoreError) return log().error(`run failed: ${err.message}`, { event: 'run', kind: err.failure.kind });
        const bug = describeBug(err, Boolean(globals().debug));
        log().error(`run failed: ${bug.msg}`, bug.fields);
      },
    });
    log().info(`scheduler started: "${config.schedule.cron}", ${config.feeds.length} feeds; SIGTERM stops it`, { event: 'scheduler' });
    const stop = () => {
      log().info('stopping: finishing the current items and releasing the lease', { event: 'scheduler' });
      void scheduler.stop();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    await scheduler.stopped;
    await db.close();
    log().info('scheduler stopped', { event: 'scheduler' });
  });

program
  .command('redraft')
  .description('draft stored articles again: by default the extractive drafts, with the LLM')
  .addOption(new Option('--engine <engine>', 'engine to draft with').choices(['llm', 'extractive']).default('llm'))
  .option('--id <ids...>', 'only these story ids (any engine)')
  .option('--prompt <path>', 'draft with this prompt file instead of llm.prompt (to compare prompt versions)')
  .option('--json', 'print a JSON summary')
  .action(async (opts: { engine: 'llm' | 'extractive'; id?: string[]; prompt?: string; json?: boolean }) => {
    const ids = opts.id?.map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--id: expected story numbers, got "${s}"`, EXIT_INVALID);
      return n;
    });
    const loaded = await configOrExit();
    const config = opts.prompt ? { ...loaded, promptPath: resolve(opts.prompt) } : loaded;
    const db = await storeOrExit();
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      const { redraftStories } = await import('./pipeline/redraft.ts');
      const result = await redraftStories(config, db, { engine: opts.engine, ids, signal: abort.signal });
      if (result.status === 'already_running') log().info('a run is in progress; try again when it ends', { event: 'redraft', status: result.status });
      else {
        log().info(`redrafted ${result.redrafted} with ${result.engine}; ${result.failed.length} failed`, {
          event: 'redraft',
          engine: result.engine,
          redrafted: result.redrafted,
          failed: result.failed.length,
        });
        for (const f of result.failed) log().warn(`story ${f.id}: ${f.kind}: ${f.message}`, { event: 'redraft', item_id: f.id, kind: f.kind });
        if (result.skipped.length) {
          log().info(`not redrafted (an editor decided on them: redraft by --id): ${result.skipped.join(', ')}`, { event: 'redraft', skipped: result.skipped });
        }
        if (result.stop) log().error(`stopped: ${result.stop.kind}: ${result.stop.message}`, { event: 'redraft', kind: result.stop.kind });
      }
      if (opts.json) process.stdout.write(jsonOutput(result));
      if (result.status === 'failed') process.exitCode = EXIT_FAILED;
    } finally {
      await db.close();
    }
  });

const dbCommand = program.command('db').description('operator tools for the database file (--db)');

dbCommand
  .command('check')
  .description('PRAGMA integrity_check: prints ok, or the problems found (exit 1)')
  .action(async () => {
    const db = await storeOrExit('check');
    try {
      const problems = await db.check();
      process.stdout.write(problems.join('\n') + '\n');
      if (problems.length !== 1 || problems[0] !== 'ok') {
        process.stderr.write(`aiwins: ${globals().db} is damaged: restore the last backup (\`aiwins db backup FILE\` makes one), or copy out what \`sqlite3 .recover\` can save\n`);
        process.exitCode = EXIT_FAILED;
      }
    } finally {
      await db.close();
    }
  });

dbCommand
  .command('vacuum')
  .description('rebuild the database file, returning the space of deleted rows to the disk (needs about its size free)')
  .action(async () => {
    const db = await storeOrExit();
    try {
      await db.vacuum();
      process.stdout.write(`vacuumed ${globals().db}\n`);
    } finally {
      await db.close();
    }
  });

dbCommand
  .command('backup')
  .description('an online, consistent copy of the database to FILE, safe while runs write')
  .argument('<file>', 'the copy to write (must not exist)')
  .action(async (file: string) => {
    if (existsSync(file)) throw new UsageError(`${file} exists: choose a new file name (nothing was overwritten)`, EXIT_INVALID);
    const db = await storeOrExit('read');
    try {
      await db.backup(file);
      process.stdout.write(`backed up ${globals().db} to ${file}\n`);
    } finally {
      await db.close();
    }
  });

program
  .command('extract')
  .description('extract article text from saved HTML (never fetched): one FILE with --url, or JSON lines {"id","url","path"} on stdin with --batch')
  .argument('[file]', 'an HTML file (UTF-8, or as its <meta charset> says)')
  .option('--url <url>', "the page's URL: base for links and metadata (never fetched)")
  .option('--batch', 'read JSON lines on stdin, write one JSON line per request, in order')
  .action(async (file: string | undefined, opts: { url?: string; batch?: boolean }) => {
    const { extractAnswer, extractFile, runExtractBatch } = await import('./extract/index.ts');
    if (opts.batch) {
      await runExtractBatch(process.stdin, process.stdout);
      return;
    }
    if (!file || !opts.url) throw new UsageError('extract: give --url URL FILE, or --batch to read requests on stdin', EXIT_INVALID);
    // Text the quality gate refuses is printed too, with its verdict in "gate"; exit 1 only without text.
    const answer = extractAnswer(await extractFile(file, opts.url));
    process.stdout.write(JSON.stringify(answer) + '\n');
    if ('error' in answer) process.exitCode = EXIT_FAILED;
  });

program
  .command('parse')
  .description('parse feed files (never fetched): one FILE, or JSON lines {"file","url"} on stdin with --batch')
  .argument('[file]', 'a file holding a feed\'s raw bytes')
  .option('--url <url>', 'base URL for relative links (never fetched)')
  .option('--batch', 'read JSON lines on stdin, write one JSON line per request, in order')
  .action(async (file: string | undefined, opts: { url?: string; batch?: boolean }) => {
    // Loaded per command: `aiwins stories` should not pay for the parsers, openai and the rest.
    const { parseFeedFile, runParseBatch } = await import('./parse/batch.ts');
    if (opts.batch) return runParseBatch(process.stdin, process.stdout);
    if (!file) throw new UsageError('parse: give a FILE, or --batch to read requests on stdin', EXIT_INVALID);
    const result = await parseFeedFile(file, opts.url ?? null);
    process.stdout.write(JSON.stringify(result) + '\n');
    if (!result.ok) process.exitCode = EXIT_FAILED;
  });

const promptsCommand = program.command('prompts').description('the prompt workbench: try a prompt on stored articles, compare trials, score them against editors');

/** "1,2,3" as story ids. */
function storyIds(option: string, value: string): number[] {
  return value.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${option}: expected story numbers separated by commas, got "${value}"`, EXIT_INVALID);
    return n;
  });
}

promptsCommand
  .command('run')
  .description('draft stored articles (nothing is fetched) with a prompt file into a named trial, apart from the live drafts')
  .argument('<prompt-file>', 'the prompt file to try')
  .option('--model <model>', 'model to draft with (default llm.model)')
  .option('--sample <n>', 'the newest N stored articles (default 20)')
  .option('--stories <ids>', 'these story ids, e.g. 1,2,3')
  .option('--since <date>', 'stories published since this date (ISO 8601)')
  .option('--name <name>', 'trial name (default: the prompt id and its content hash)')
  .option('--json', 'print the result as JSON')
  .action(async (file: string, opts: { model?: string; sample?: string; stories?: string; since?: string; name?: string; json?: boolean }) => {
    if ([opts.sample, opts.stories, opts.since].filter((x) => x !== undefined).length > 1) {
      throw new UsageError('prompts run: give one of --sample, --stories, --since', EXIT_INVALID);
    }
    const sample = opts.sample === undefined ? undefined : Number(opts.sample);
    if (sample !== undefined && (!Number.isInteger(sample) || sample <= 0)) throw new UsageError(`--sample: expected a positive number, got "${opts.sample}"`, EXIT_INVALID);
    const since = opts.since === undefined ? undefined : new Date(opts.since);
    if (since && Number.isNaN(since.getTime())) throw new UsageError(`--since: expected a date such as 2026-05-01, got "${opts.since}"`, EXIT_INVALID);
    const config = await configOrExit();
    const db = await storeOrExit();
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      const { runTrial } = await import('./workbench/run-trial.ts');
      const { formatTrialProgress } = await import('./cli/prompts.ts');
      const result = await runTrial(config, db, {
        promptPath: resolve(file),
        model: opts.model,
        name: opts.name,
        sample,
        stories: opts.stories === undefined ? undefined : storyIds('--stories', opts.stories),
        since,
        signal: abort.signal,
        onProgress: (p) => log().info(formatTrialProgress(p), { event: 'trial.progress', ...p }),
      });
      for (const f of result.failures) log().warn(`story ${f.itemId}: ${f.kind}: ${f.message}`, { event: 'trial.failed', item_id: f.itemId, kind: f.kind });
      if (result.missing.length) log().warn(`no stored article for: ${result.missing.join(', ')}`, { event: 'trial.missing', item_ids: result.missing });
      const line = `trial ${result.trial.name} (prompt ${result.trial.prompt.id} ${result.trial.prompt.hash}, model ${result.trial.model}): ${formatTrialProgress(result.progress)}`;
      process.stdout.write(opts.json ? jsonOutput(result) : stripControlChars(line) + '\n');
      // Output the model got wrong is a result of the prompt; an endpoint that failed is not.
      const endpointFailed = result.failures.some((f) => !['llm.invalid_output', 'llm.refused', 'llm.truncated'].includes(f.kind));
      if (endpointFailed) process.exitCode = EXIT_FAILED;
    } finally {
      await db.close();
    }
  });

promptsCommand
  .command('compare')
  .description('compare two trials (or "live", the drafts editors see) story by story and in aggregate, with B\'s delta against A')
  .argument('<a>', 'trial name or "live"')
  .argument('<b>', 'trial name or "live"')
  .option('--only-differing', 'list only the stories where the judgement differs')
  .option('--html <file>', 'also write the comparison as one self-contained HTML file')
  .option('--json', 'print the comparison as JSON')
  .action(async (a: string, b: string, opts: { onlyDiffering?: boolean; html?: string; json?: boolean }) => {
    const config = await configOrExit();
    const db = await storeOrExit('read');
    try {
      const { compareSides, UnknownTrialError } = await import('./workbench/compare.ts');
      const { formatComparison, formatMetric, METRIC_LABELS } = await import('./cli/prompts.ts');
      let comparison;
      try {
        comparison = await compareSides(db, a, b, config.llm.pricing);
      } catch (err) {
        if (err instanceof UnknownTrialError) throw new UsageError(err.message, EXIT_INVALID);
        throw err;
      }
      if (opts.onlyDiffering) comparison = { ...comparison, stories: comparison.stories.filter((s) => s.differs) };
      if (opts.html) {
        const { comparisonHtml } = await import('./workbench/report-html.ts');
        writeFileSync(opts.html, comparisonHtml(comparison, METRIC_LABELS, formatMetric));
        log().info(`wrote ${opts.html}`, { event: 'compare.html', file: opts.html });
      }
      // Titles and drafts come from feeds and the model: no control character reaches the terminal.
      process.stdout.write(opts.json ? jsonOutput(comparison) : stripControlChars(formatComparison(comparison, { onlyDiffering: opts.onlyDiffering })) + '\n');
    } finally {
      await db.close();
    }
  });

promptsCommand
  .command('eval')
  .description('score a prompt file (drafting the stories editors decided on) or a trial against the editors\' decisions')
  .argument('<prompt-file-or-trial>', 'a prompt file, a trial name, or "live"')
  .option('--model <model>', 'with a prompt file: model to draft with (default llm.model)')
  .option('--min-grounded <rate>', 'exit 1 when the grounded-quote rate is below this (0..1)')
  .option('--min-f1 <f1>', 'exit 1 when the F1 of the recommendation is below this (0..1)')
  .option('--json', 'print the evaluation as JSON')
  .action(async (target: string, opts: { model?: string; minGrounded?: string; minF1?: string; json?: boolean }) => {
    const fraction = (option: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${option}: expected a number from 0 to 1, got "${v}"`, EXIT_INVALID);
      return n;
    };
    const thresholds = { minGrounded: fraction('--min-grounded', opts.minGrounded), minF1: fraction('--min-f1', opts.minF1) };
    const config = await configOrExit();
    const db = await storeOrExit();
    try {
      const { loadSide, UnknownTrialError } = await import('./workbench/compare.ts');
      const { evaluate, failedThresholds } = await import('./workbench/evaluate.ts');
      const { formatEvaluation, formatTrialProgress } = await import('./cli/prompts.ts');
      const labels = await db.trials.labels();
      let trialName = target;
      if (existsSync(target) && target !== 'live') {
        // A prompt file: draft the stories editors decided on first (cached results cost nothing).
        const { runTrial } = await import('./workbench/run-trial.ts');
        const run = await runTrial(config, db, { promptPath: resolve(target), model: opts.model, stories: labels.map((l) => l.itemId) });
        log().info(`trial ${run.trial.name}: ${formatTrialProgress(run.progress)}`, { event: 'trial', trial: run.trial.name, ...run.progress });
        trialName = run.trial.name;
      }
      let side;
      try {
        side = await loadSide(db, trialName, config.llm.pricing, trialName === 'live' ? labels.map((l) => l.itemId) : undefined);
      } catch (err) {
        if (err instanceof UnknownTrialError) throw new UsageError(err.message, EXIT_INVALID);
        throw err;
      }
      const ev = evaluate(trialName, side.entries, labels);
      const failed = failedThresholds(ev, thresholds);
      process.stdout.write(opts.json ? jsonOutput({ ...ev, thresholds, failed }) : stripControlChars(formatEvaluation(ev)) + '\n');
      for (const f of failed) log().error(`below threshold: ${f}`, { event: 'eval.threshold' });
      if (failed.length) process.exitCode = EXIT_FAILED;
    } finally {
      await db.close();
    }
  });

/** A problem that ends the command: a line of text on a terminal, one JSON event in a log. */
function reportFatal(msg: string, fields: Record<string, unknown>): void {
  if (log().format === 'text') {
    const stack = typeof fields.stack === 'string' ? `\n${fields.stack}` : '';
    process.stderr.write(`aiwins: ${stripControlChars(msg + stack)}\n`);
  }
  else log().error(msg, fields);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof UsageError) {
    reportFatal(err.message, { kind: 'usage', ...err.fields });
    process.exitCode = err.exitCode;
  } else if (err instanceof StoreError) {
    // A database fault (locked past the busy timeout, full, I/O, damaged): the message says what to do.
    process.stderr.write(`aiwins: ${err.failure.kind}: ${err.message}\n`);
    process.exitCode = EXIT_FAILED;
  } else if (err instanceof PipelineSetupError) {
    reportFatal(err.message, { kind: 'setup' });
    process.exitCode = EXIT_INVALID;
  } else {
    const bug = describeBug(err, Boolean(globals().debug));
    reportFatal(bug.msg, bug.fields);
    process.exitCode = EXIT_FAILED;
  }
}
