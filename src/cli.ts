import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { Config } from './config/index.ts';
import type { Pricing } from './core/pricing.ts';
import {
  EditorialError,
  openStore,
  REASON_CODES,
  REVIEW_STATUSES,
  sentRefusal,
  StoreError,
  UserExistsError,
  WORK_STATUSES,
  DUPLICATE_STATUS,
  type DecisionAction,
  type ItemStatus,
  type ReasonCode,
  type Issue,
  type IssueChange,
  type IssueStore,
  type Store,
} from './store/index.ts';
import { PipelineSetupError } from './pipeline/errors.ts';
import type { NewsletterSettings as StorySettings } from './render/index.ts';
import { stripControlChars } from './core/terminal.ts';
import {
  createLogger,
  createRunReporter,
  defaultLogFormat,
  configProblemsJson,
  describeBug,
  dryRunJson,
  formatConfigProblems,
  feedsJson,
  formatDryRun,
  formatDraftHistory,
  formatFeeds,
  formatStory,
  formatIssue,
  formatIssueList,
  formatStoryList,
  issueJson,
  jsonOutput,
  LOG_FORMATS,
  logRunSummary,
  runSummaryJson,
  type LogFormat,
  type Logger,
  type PlacedProblem,
} from './cli/output.ts';
import type { ExportFormat } from './export/index.ts';
import { redactUrlsIn } from './fetch/redact.ts';
import type { RedraftSummary } from './pipeline/redraft.ts';

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
  .version(packageVersion(), '--version', 'print the version of aiwins')
  // The parser throws instead of exiting, so its own usage errors exit 2 like aiwins' (below);
  // set before the commands are added, which inherit it.
  .exitOverride()
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

/** This checkout's version, from package.json beside src/ and dist/ alike. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function globals(): GlobalOptions {
  return program.opts<GlobalOptions>();
}

let stderrLog: Logger | null = null;
/** The command's logger on stderr, in the format asked for. */
function log(): Logger {
  stderrLog ??= createLogger(process.stderr, globals().logFormat ?? defaultLogFormat(process.stderr));
  return stderrLog;
}

/**
 * Loads the config; its module (yaml, zod) is imported here, so `--help` and `parse` never pay for it.
 * `drafts`: the command drafts (run, schedule, serve --schedule), so the config's warnings (a model named
 * with no key to call it: the drafts will be the offline engine's) are said, once, at its start.
 */
async function configOrExit(opts: { drafts?: boolean } = {}): Promise<Config> {
  const { loadConfig } = await import('./config/index.ts');
  const loaded = loadConfig(globals().config);
  if (!loaded.config) throw invalidConfig(loaded);
  if (opts.drafts) for (const w of loaded.warnings) log().warn(w, { kind: 'config.warning' });
  return loaded.config;
}

/** Exit 2 with every problem of the config, each with its line and a caret (in JSON: `errors` and placed `problems`). */
function invalidConfig(result: { errors: string[]; problems: PlacedProblem[] }): UsageError {
  return new UsageError(`invalid config ${globals().config}:\n${formatConfigProblems(result.problems)}`, EXIT_INVALID, {
    kind: 'config.invalid',
    errors: result.errors.map(redactUrlsIn),
    problems: configProblemsJson(result.problems),
  });
}

/** The newsletter settings of the config; its defaults when there is no config file at all. */
async function newsletterSettings(): Promise<StorySettings> {
  const { loadConfig } = await import('./config/index.ts');
  const loaded = loadConfig(globals().config);
  if (loaded.config) return loaded.config.newsletter;
  if (loaded.errors.length === 1 && loaded.errors[0]!.includes('config file not found')) return { timezone: 'UTC', sourceName: 'feed' };
  throw invalidConfig(loaded);
}

/**
 * llm.pricing and llm.model, for commands that only read and show costs: without a config file
 * (or with an invalid one, said in the log) there are no prices, and costs show as unknown.
 */
async function pricesOrNone(): Promise<{ pricing: Pricing; model: string | null }> {
  const { loadConfig } = await import('./config/index.ts');
  const { config, errors } = loadConfig(globals().config);
  if (config) return { pricing: config.llm.pricing, model: config.llm.model };
  if (!(errors.length === 1 && errors[0]!.includes('config file not found'))) {
    log().warn(`costs are shown as unknown: invalid config ${globals().config}: ${errors.join('; ')}`, { kind: 'config.invalid', errors });
  }
  return { pricing: {}, model: null };
}

/** The database a command looked in, as a full path: a story that is not found may be in another one. */
function dbShown(): string {
  return resolve(globals().db);
}

/** A store's "no story N" or "no issue N" with the database it looked in. */
function namingDb(message: string): string {
  return message.replace(/^no (story|issue) (\d+)/, (found) => `${found} in ${dbShown()}`);
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
  .option('--dry-run', 'fetch the due feeds only and print what a run would do (items, LLM calls, tokens, cost); stores nothing')
  .action(async (opts: { json?: boolean; retryFailed?: boolean; allFeeds?: boolean; dryRun?: boolean }) => {
    const config = await configOrExit({ drafts: true });
    if (opts.dryRun) return dryRun(config, opts);
    const db = await storeOrExit();
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    const reporter = createRunReporter(process.stderr, log());
    try {
      const { runPipeline } = await import('./pipeline/run.ts');
      const { killPointOf } = await import('./pipeline/kill-at.ts');
      const summary = await runPipeline(config, db, {
        retryFailed: opts.retryFailed,
        allFeeds: opts.allFeeds,
        signal: abort.signal,
        onEvent: reporter.event,
        killAt: killPointOf(process.env.AIWINS_FAULT_KILL_AT),
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

/**
 * `run --dry-run`: reads the database if there is one (a missing one is not created: every feed
 * is then due and every item new) and writes nothing to it.
 */
async function dryRun(config: Config, opts: { json?: boolean; retryFailed?: boolean; allFeeds?: boolean }): Promise<void> {
  const db = existsSync(globals().db) ? await storeOrExit('read') : null;
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const { planRun } = await import('./pipeline/dry-run.ts');
    const plan = await planRun(config, db, { allFeeds: opts.allFeeds, retryFailed: opts.retryFailed, signal: abort.signal });
    process.stdout.write(opts.json ? jsonOutput(dryRunJson(plan)) : formatDryRun(plan));
  } finally {
    await db?.close();
  }
}

program
  .command('stories')
  .description('list drafted stories (with --all: pending and failed items too)')
  .option('--status <status>', 'only stories with this status (candidate, approved, rejected, pending, failed, deferred, blocked, duplicate)')
  .option('--all', 'include items that are pending or failed')
  .option('--json', 'print a JSON array')
  .action(async (opts: { status?: string; all?: boolean; json?: boolean }) => {
    const statuses: readonly string[] = [...REVIEW_STATUSES, ...WORK_STATUSES, DUPLICATE_STATUS];
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
      if (!found) throw new UsageError(`no story ${n} in ${dbShown()} (see \`aiwins stories --all\`)`, EXIT_FAILED);
      if (opts.history) {
        const drafts = await db.drafts.history(n);
        process.stdout.write(opts.json ? jsonOutput(drafts, 2) : formatDraftHistory(drafts, await pricesOrNone()));
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
      process.stdout.write(opts.json ? jsonOutput(found.story, 2) : formatStory(found.story, found.article, await pricesOrNone()));
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
      const { feedValue } = await import('./core/feed-report.ts');
      const [feeds, decisions, tokens, prices] = await Promise.all([db.feeds.statuses(), db.editorial.decisionsByFeed(), db.drafts.tokensByFeed(), pricesOrNone()]);
      const reports = feeds.map((f) => ({ ...f, ...feedValue(decisions.get(f.id), tokens.filter((t) => t.feedId === f.id), prices.pricing, prices.model) }));
      process.stdout.write(opts.json ? jsonOutput(feedsJson(reports), 2) : formatFeeds(reports));
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

/** Starts the scheduler with its progress and summaries logged: for `schedule` and `serve --schedule`. */
async function startLoggedScheduler(config: Config, db: Store) {
  const { startScheduler } = await import('./schedule/scheduler.ts');
  const reporter = createRunReporter(process.stderr, log());
  return startScheduler(config, db, {
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
}

program
  .command('schedule')
  .description('long-running: check due feeds on the cron schedule in the config (schedule.cron) until SIGTERM')
  .action(async () => {
    const config = await configOrExit({ drafts: true });
    const db = await storeOrExit();
    const scheduler = await startLoggedScheduler(config, db);
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
  .command('serve')
  .description("the editors' desk, a web app: review, edit, approve or reject drafts (with --schedule, also the scheduler)")
  .option('--host <host>', 'address to listen on (keep 127.0.0.1 unless behind a reverse proxy)', '127.0.0.1')
  .option('--port <port>', 'port (0 picks a free one)', '8080')
  .option('--public-origin <url>', 'the https://… origin editors reach the desk at through a reverse proxy')
  .option('--trust-proxy', 'believe X-Forwarded-Proto, -Host and -For (only behind a proxy that sets them)')
  .option('--schedule', 'run the scheduler in the same process (what `npm start` does)')
  .action(async (opts: { host: string; port: string; publicOrigin?: string; trustProxy?: boolean; schedule?: boolean }) => {
    const port = Number(opts.port);
    if (!/^\d+$/.test(opts.port) || port > 65535) throw new UsageError(`--port: expected 0 to 65535, got "${opts.port}"`, EXIT_INVALID);
    if (opts.publicOrigin && !/^https?:\/\/[^/]+\/?$/.test(opts.publicOrigin)) {
      throw new UsageError(`--public-origin: expected an origin like https://desk.example.org, got "${opts.publicOrigin}"`, EXIT_INVALID);
    }
    const config = await configOrExit({ drafts: opts.schedule });
    const db = await storeOrExit();
    const { startDesk } = await import('./review/server.ts');
    const { redraftStories } = await import('./pipeline/redraft.ts');
    const desk = await startDesk({
      host: opts.host,
      port,
      store: db,
      categories: config.categories,
      newsletter: config.newsletter,
      pricing: config.llm.pricing,
      publicOrigin: opts.publicOrigin,
      trustProxy: opts.trustProxy,
      // Without a model there is nothing to re-draft with: the offline engine would only make the
      // same extractive draft again. The desk then explains instead of offering the button.
      redraft: config.llmConfigured
        ? async (id) => {
            const r = await redraftStories(config, db, { engine: 'llm', ids: [id] });
            if (r.status === 'already_running') return { ok: false, message: 'a run is in progress; try again when it ends' };
            if (r.redrafted > 0) return { ok: true };
            const failed = r.failed[0] ?? r.stop;
            return { ok: false, message: failed ? `${failed.kind}: ${failed.message}` : 'the story was not redrafted' };
          }
        : undefined,
    }).catch(async (err: unknown) => {
      await db.close();
      const { DeskListenError } = await import('./review/server.ts');
      // Could not run: exit 1, with the sentence that says what to change (a taken port, a wrong host).
      if (err instanceof DeskListenError) throw new UsageError(err.message, EXIT_FAILED, { kind: 'desk.listen', code: err.code });
      throw err;
    });
    process.stdout.write(`aiwins desk listening on ${desk.url}\n`);
    let scheduler: Awaited<ReturnType<typeof startLoggedScheduler>> | null = null;
    if (opts.schedule) {
      scheduler = await startLoggedScheduler(config, db);
      log().info(`scheduler started: "${config.schedule.cron}", ${config.feeds.length} feeds`, { event: 'scheduler' });
    }
    await new Promise<void>((stop) => {
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    log().info('stopping: closing the desk' + (scheduler ? ', finishing the current items and releasing the lease' : ''), { event: 'desk' });
    await desk.close();
    if (scheduler) {
      void scheduler.stop();
      await scheduler.stopped;
    }
    await db.close();
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
    // A story sent in an issue is final: asked for by id, it is refused with the issue and date.
    for (const id of ids ?? []) {
      const sent = (await db.stories.get(id))?.sent;
      if (sent) {
        await db.close();
        throw new UsageError(`story ${id}: ${sentRefusal(sent)}`, EXIT_INVALID);
      }
    }
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      // Named ids that are no story: a usage error before anything is drafted.
      const missing: number[] = [];
      for (const id of ids ?? []) if (!(await db.stories.get(id))) missing.push(id);
      if (missing.length) throw new UsageError(`no story ${missing.join(', ')} in ${dbShown()} (see \`aiwins stories --all\`); nothing was redrafted`, EXIT_INVALID);
      const { redraftStories } = await import('./pipeline/redraft.ts');
      const result = await redraftStories(config, db, { engine: opts.engine, ids, signal: abort.signal });
      if (result.status === 'already_running') log().info('a run is in progress; try again when it ends', { event: 'redraft', status: result.status });
      else reportRedraft(result);
      if (opts.json) process.stdout.write(jsonOutput(result));
      // A story that could not be redrafted needs a person (the message says why); a SIGTERM does not.
      if (result.status === 'failed' || result.failed.length > 0) process.exitCode = EXIT_FAILED;
    } finally {
      await db.close();
    }
  });

/** What a redraft did, each line saying what happened: redrafted, failed and why, or left and why. */
function reportRedraft(result: RedraftSummary): void {
  log().info(`redrafted ${result.redrafted} with ${result.engine}; ${result.failed.length} failed`, {
    event: 'redraft',
    engine: result.engine,
    redrafted: result.redrafted,
    failed: result.failed.length,
  });
  for (const f of result.failed) log().warn(`story ${f.id}: ${f.kind}: ${f.message}`, { event: 'redraft', item_id: f.id, kind: f.kind });
  if (result.stop) log().error(`stopped: ${result.stop.kind}: ${result.stop.message}`, { event: 'redraft', kind: result.stop.kind });
  if (result.notReached.length) {
    log().warn(`not redrafted, the redraft stopped first: ${result.notReached.join(', ')}`, { event: 'redraft', not_reached: result.notReached });
  }
  if (result.skipped.length) {
    log().info(`not redrafted, an editor decided on them (redraft them by --id): ${result.skipped.join(', ')}`, { event: 'redraft', skipped: result.skipped });
  }
  if (result.unknown.length) {
    log().warn(`not redrafted, not a story to redraft (a copy of another story, or none): ${result.unknown.join(', ')}`, { event: 'redraft', unknown: result.unknown });
  }
}

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

/** The story id argument of the review commands: an unknown one is a usage error (exit 2). */
function storyIdOrExit(id: string): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`ID: expected a story number, got "${id}"`, EXIT_INVALID);
  return n;
}

/** Appends one editor decision from the terminal and prints the new status (or the story with --json). */
async function decideFromCli(
  id: string,
  decision: { action: DecisionAction; reason?: ReasonCode; note?: string },
  json: boolean | undefined,
): Promise<void> {
  const n = storyIdOrExit(id);
  const db = await storeOrExit();
  try {
    await db.editorial.decide(n, { ...decision, by: `${userInfo().username} (cli)`, now: new Date() });
    const story = (await db.stories.get(n))!;
    process.stdout.write(json ? JSON.stringify(story, null, 2) + '\n' : `story ${n}: ${story.status}\n`);
  } catch (err) {
    // Exit 2 for what the editor can act on: an unknown story, a missing reason, a story already sent (final).
    if (err instanceof EditorialError) throw new UsageError(namingDb(err.message), EXIT_INVALID);
    throw err;
  } finally {
    await db.close();
  }
}

program
  .command('approve')
  .description("approve a story's current version (a later re-draft leaves the approval on this version)")
  .argument('<id>', 'story id')
  .option('--note <text>', 'a note for the record')
  .option('--json', 'print the story as JSON')
  .action((id: string, opts: { note?: string; json?: boolean }) => decideFromCli(id, { action: 'approve', note: opts.note }, opts.json));

program
  .command('reject')
  .description('reject a story, with a reason code')
  .argument('<id>', 'story id')
  .requiredOption('--reason <code>', `why: ${REASON_CODES.join(', ')}`)
  .option('--note <text>', 'a note for the record')
  .option('--json', 'print the story as JSON')
  .action((id: string, opts: { reason: string; note?: string; json?: boolean }) => {
    if (!(REASON_CODES as readonly string[]).includes(opts.reason)) {
      throw new UsageError(`--reason: expected one of ${REASON_CODES.join(', ')}, got "${opts.reason}"`, EXIT_INVALID);
    }
    return decideFromCli(id, { action: 'reject', reason: opts.reason as ReasonCode, note: opts.note }, opts.json);
  });

program
  .command('reopen')
  .description('make an approved or rejected story a candidate again (the earlier decisions stay on record)')
  .argument('<id>', 'story id')
  .option('--json', 'print the story as JSON')
  .action((id: string, opts: { json?: boolean }) => decideFromCli(id, { action: 'reopen' }, opts.json));

const usersCommand = program.command('users').description("the editors who can log in to the desk (aiwins serve)");

usersCommand
  .command('add')
  .description('add an editor; the password is read from stdin (one line)')
  .argument('<name>', 'login name')
  .requiredOption('--password-stdin', 'read the password from stdin')
  .action(async (name: string) => {
    if (!/^[\p{L}\p{N}._@-]{1,64}$/u.test(name)) {
      throw new UsageError(`NAME: 1 to 64 letters, digits, ".", "_", "@" or "-", got "${name}"`, EXIT_INVALID);
    }
    const password = (await readStdin()).replace(/\r?\n$/, '');
    if (password.length < 8) throw new UsageError('password: at least 8 characters, given on stdin', EXIT_INVALID);
    if (password.length > 1024) throw new UsageError('password: at most 1024 characters', EXIT_INVALID);
    const { hashPassword } = await import('./review/password.ts');
    const db = await storeOrExit();
    try {
      await db.users.addUser(name, await hashPassword(password), new Date());
      process.stdout.write(`added user ${name}\n`);
    } catch (err) {
      if (err instanceof UserExistsError) throw new UsageError(err.message, EXIT_INVALID);
      throw err;
    } finally {
      await db.close();
    }
  });

usersCommand
  .command('list')
  .description('list the editors')
  .option('--json', 'print a JSON array')
  .action(async (opts: { json?: boolean }) => {
    const db = await storeOrExit('read');
    try {
      const users = await db.users.listUsers();
      if (opts.json) process.stdout.write(JSON.stringify(users.map((u) => ({ name: u.name, createdAt: u.createdAt.toISOString() }))) + '\n');
      else process.stdout.write(users.length ? users.map((u) => `${u.name}  (added ${u.createdAt.toISOString()})`).join('\n') + '\n' : 'no users (add one with `aiwins users add NAME --password-stdin`)\n');
    } finally {
      await db.close();
    }
  });

usersCommand
  .command('remove')
  .description('remove an editor and end their sessions (their decisions stay on record)')
  .argument('<name>', 'login name')
  .action(async (name: string) => {
    const db = await storeOrExit();
    try {
      if (!(await db.users.removeUser(name))) throw new UsageError(`no user "${name}" (see \`aiwins users list\`)`, EXIT_INVALID);
      process.stdout.write(`removed user ${name}\n`);
    } finally {
      await db.close();
    }
  });

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A positive whole number from the command line (a story or issue id, a position), else exit 2. */
function positiveInt(what: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`${what}: expected a positive whole number, got "${raw}"`, EXIT_INVALID);
  }
  return n;
}

/** Whether `raw` is an absolute http(s) URL (a link aiwins writes must be one). */
function isHttpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** The issue a command works on: the one named, else the current draft issue. */
async function issueNumberOrCurrent(issues: IssueStore, raw: string | undefined): Promise<number> {
  if (raw !== undefined) return positiveInt('issue', raw);
  const current = await issues.currentDraft();
  if (!current) throw new UsageError(`no draft issue in ${dbShown()}: open one with \`aiwins issue new\`, or name an issue number`, EXIT_INVALID);
  return current.number;
}

/** Prints a changed issue, or exits 2 with the reason nothing changed. */
async function printIssueChange(issues: IssueStore, change: IssueChange, json?: boolean): Promise<void> {
  if (!change.ok) throw new UsageError(namingDb(change.message), EXIT_INVALID);
  const full = (await issues.withStories(change.issue.number))!;
  process.stdout.write(json ? jsonOutput(issueJson(full), 2) : formatIssue(full));
}

/**
 * What `issue add`, `move`, `remove` and `send` share: open the store, find the issue (the one
 * named, else the current draft), make the change, print the issue or why nothing changed.
 */
async function changeIssue(
  raw: string | undefined,
  json: boolean | undefined,
  change: (issues: IssueStore, number: number) => Promise<IssueChange>,
): Promise<void> {
  // A malformed number is a usage error before anything is opened.
  if (raw !== undefined) positiveInt('issue', raw);
  const db = await storeOrExit();
  try {
    const number = await issueNumberOrCurrent(db.issues, raw);
    await printIssueChange(db.issues, await change(db.issues, number), json);
  } finally {
    await db.close();
  }
}

const issueCommand = program
  .command('issue')
  .description('newsletter issues: an ordered set of approved stories (new, add, move, remove, show, send, list)');

issueCommand
  .command('new')
  .description('open a draft issue proposing the approved stories not yet sent, grouped by category, newest first')
  .option('--title <title>', "the issue's title (its email subject)")
  .option('--empty', 'open it without proposing stories')
  .option('--json', 'print the issue as JSON')
  .action(async (opts: { title?: string; empty?: boolean; json?: boolean }) => {
    const db = await storeOrExit();
    try {
      const issues = db.issues;
      const { proposeIssueOrder } = await import('./export/index.ts');
      const storyIds = opts.empty ? [] : proposeIssueOrder(await issues.unsentApproved());
      const change = await issues.create({ title: opts.title?.trim() || null, storyIds, now: new Date() });
      await printIssueChange(issues, change, opts.json);
    } finally {
      await db.close();
    }
  });

issueCommand
  .command('add')
  .description('add approved stories to the end of the draft issue')
  .argument('<ids...>', 'story ids')
  .option('--issue <n>', 'the issue (default: the current draft issue)')
  .option('--json', 'print the issue as JSON')
  .action(async (ids: string[], opts: { issue?: string; json?: boolean }) => {
    const storyIds = ids.map((id) => positiveInt('ID', id));
    await changeIssue(opts.issue, opts.json, (issues, number) => issues.add(number, storyIds));
  });

issueCommand
  .command('move')
  .description('move a story to another position in the draft issue')
  .argument('<id>', 'story id')
  .requiredOption('--to <position>', 'its new position, 1 being the top')
  .option('--issue <n>', 'the issue (default: the current draft issue)')
  .option('--json', 'print the issue as JSON')
  .action(async (id: string, opts: { to: string; issue?: string; json?: boolean }) => {
    const storyId = positiveInt('ID', id);
    const to = positiveInt('--to', opts.to);
    await changeIssue(opts.issue, opts.json, (issues, number) => issues.move(number, storyId, to));
  });

issueCommand
  .command('remove')
  .description('take a story out of the draft issue')
  .argument('<id>', 'story id')
  .option('--issue <n>', 'the issue (default: the current draft issue)')
  .option('--json', 'print the issue as JSON')
  .action(async (id: string, opts: { issue?: string; json?: boolean }) => {
    const storyId = positiveInt('ID', id);
    await changeIssue(opts.issue, opts.json, (issues, number) => issues.remove(number, storyId));
  });

issueCommand
  .command('show')
  .description('an issue and its stories in order (default: the current draft issue)')
  .argument('[n]', 'issue number')
  .option('--json', 'print the issue and its stories as JSON')
  .action(async (n: string | undefined, opts: { json?: boolean }) => {
    const db = await storeOrExit('read');
    try {
      const issues = db.issues;
      const number = await issueNumberOrCurrent(issues, n);
      const full = await issues.withStories(number);
      if (!full) throw new UsageError(`no issue ${number} in ${dbShown()} (see \`aiwins issue list\`)`, EXIT_INVALID);
      process.stdout.write(opts.json ? jsonOutput(issueJson(full), 2) : formatIssue(full));
    } finally {
      await db.close();
    }
  });

issueCommand
  .command('list')
  .description('every issue, newest first')
  .option('--json', 'print a JSON array')
  .action(async (opts: { json?: boolean }) => {
    const db = await storeOrExit('read');
    try {
      const list = await db.issues.list();
      process.stdout.write(opts.json ? jsonOutput(list.map(issueJson), 2) : formatIssueList(list));
    } finally {
      await db.close();
    }
  });

issueCommand
  .command('send')
  .description('mark an issue sent: it is frozen, each story keeping the version that was approved')
  .argument('<n>', 'issue number')
  .option('--json', 'print the issue as JSON')
  .action(async (n: string, opts: { json?: boolean }) => {
    await changeIssue(n, opts.json, (issues, number) => issues.send(number, new Date()));
  });

program
  .command('export')
  .description('an issue (default: the current draft issue) or approved stories in a newsletter or feed format')
  .argument('[n]', 'issue number')
  .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'html', 'text', 'json', 'rss', 'atom', 'jsonfeed']).makeOptionMandatory())
  .option('--out <file>', 'write to this file instead of stdout')
  .addOption(new Option('--status <status>', 'export stories outside any issue: approved (and sent) stories').choices(['approved']))
  .option('--since <date>', 'with --status: only stories published on or after this date (YYYY-MM-DD or ISO 8601)')
  .option('--feed-url <url>', 'rss, atom, jsonfeed: the URL the feed will be served from, written as its self link')
  .action(async (n: string | undefined, opts: { format: string; out?: string; status?: string; since?: string; feedUrl?: string }) => {
    if (opts.since && !opts.status) throw new UsageError('--since goes with --status approved', EXIT_INVALID);
    if (opts.feedUrl !== undefined && !isHttpUrl(opts.feedUrl)) {
      throw new UsageError(`--feed-url: expected an http(s) URL such as https://example.org/feed.xml, got "${opts.feedUrl}"`, EXIT_INVALID);
    }
    if (opts.status && n !== undefined) throw new UsageError('give an issue number or --status approved, not both', EXIT_INVALID);
    const since = opts.since ? new Date(opts.since) : null;
    if (since && Number.isNaN(since.getTime())) throw new UsageError(`--since: expected a date such as 2026-11-01, got "${opts.since}"`, EXIT_INVALID);
    const config = await configOrExit();
    const db = await storeOrExit('read');
    try {
      const { issueDocument, renderExport } = await import('./export/index.ts');
      const issues = db.issues;
      let issue: Issue | null = null;
      let doc;
      if (opts.status) {
        doc = { number: null, title: null, date: null, stories: await issues.feedStories({ since }) };
      } else {
        const full = await issues.withStories(await issueNumberOrCurrent(issues, n));
        if (!full) throw new UsageError(`no issue ${n} in ${dbShown()} (see \`aiwins issue list\`)`, EXIT_INVALID);
        issue = full;
        doc = issueDocument(full, full.stories);
      }
      const out = renderExport(opts.format as ExportFormat, issue, doc, config.newsletter, { feedUrl: opts.feedUrl ? new URL(opts.feedUrl).href : null });
      if (!out.ok) throw new UsageError(out.failure.message, EXIT_INVALID);
      if (opts.out) {
        // Written to a temp file and renamed, so a reader never sees half an export.
        const tmp = `${opts.out}.${process.pid}.tmp`;
        writeFileSync(tmp, out.value);
        renameSync(tmp, opts.out);
        process.stderr.write(`wrote ${opts.out} (${Buffer.byteLength(out.value)} bytes)\n`);
      } else {
        process.stdout.write(out.value);
      }
    } finally {
      await db.close();
    }
  });

program
  .command('publish')
  .description('create a DRAFT of an issue on Buttondown (an email) or Ghost (a post); nothing is sent')
  .argument('<n>', 'issue number')
  .addOption(new Option('--to <target>', 'where the draft goes').choices(['buttondown', 'ghost']).makeOptionMandatory())
  .option('--json', 'print {target, id, url} as JSON')
  .action(async (n: string, opts: { to: 'buttondown' | 'ghost'; json?: boolean }) => {
    const number = positiveInt('issue', n);
    const config = await configOrExit();
    const db = await storeOrExit('read');
    let input;
    try {
      const full = await db.issues.withStories(number);
      if (!full) throw new UsageError(`no issue ${number} in ${dbShown()} (see \`aiwins issue list\`)`, EXIT_INVALID);
      const { issueDocument, issueSubject, renderIssueHtml } = await import('./export/index.ts');
      const doc = issueDocument(full, full.stories);
      input = { subject: issueSubject(doc, config.newsletter), html: renderIssueHtml(doc, config.newsletter) };
    } finally {
      await db.close();
    }
    const { publishIssue } = await import('./export/publish.ts');
    const result = await publishIssue(opts.to, input, { ...config.publish, env: process.env });
    if (!result.ok) {
      const exit = result.failure.kind === 'publish.not_configured' ? EXIT_INVALID : EXIT_FAILED;
      throw new UsageError(`publish to ${opts.to}: ${result.failure.kind}: ${result.failure.message}`, exit);
    }
    const p = result.value;
    if (opts.json) process.stdout.write(jsonOutput(p));
    else process.stdout.write(`created a draft on ${p.target} (id ${p.id})${p.url ? `: ${p.url}` : ''}; nothing was sent\n`);
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

/**
 * Where a workbench command reads and writes: the database, or with --set a golden set on disk
 * (no database is opened; trials go to the set's trials/ or --out DIR).
 */
async function benchOrExit(config: Config, opts: { set?: string; out?: string }, access: 'write' | 'read') {
  if (opts.set === undefined) {
    if (opts.out !== undefined) throw new UsageError('--out: only with --set (without a set, trials are kept in the database)', EXIT_INVALID);
    const db = await storeOrExit(access);
    const { storeBench } = await import('./workbench/bench.ts');
    return { bench: storeBench(db), close: () => db.close() };
  }
  const { setBench, setDir } = await import('./workbench/golden-set.ts');
  const bench = setBench(setDir(config.path, opts.set), opts.out === undefined ? undefined : resolve(opts.out));
  return { bench, close: async () => {} };
}

promptsCommand
  .command('freeze')
  .description('write a golden set (articles, editors\' decisions, approved texts) as files under prompts/evals/NAME/, to run and eval without the database')
  .argument('<name>', 'the set\'s name (a folder under prompts/evals/ beside the config), or a path')
  .option('--stories <ids>', 'these story ids, e.g. 1,2,3 (undecided ones too)')
  .option('--decided-since <date>', 'stories editors decided on since this date (ISO 8601); default: every decided story')
  .option('--force', 'replace the stories of an existing set (its trials are kept)')
  .option('--json', 'print the result as JSON')
  .action(async (name: string, opts: { stories?: string; decidedSince?: string; force?: boolean; json?: boolean }) => {
    if (opts.stories !== undefined && opts.decidedSince !== undefined) throw new UsageError('prompts freeze: give one of --stories, --decided-since', EXIT_INVALID);
    const decidedSince = opts.decidedSince === undefined ? undefined : new Date(opts.decidedSince);
    if (decidedSince && Number.isNaN(decidedSince.getTime())) throw new UsageError(`--decided-since: expected a date such as 2026-05-01, got "${opts.decidedSince}"`, EXIT_INVALID);
    const stories = opts.stories === undefined ? undefined : storyIds('--stories', opts.stories);
    const config = await configOrExit();
    const { freezeSet, setDir } = await import('./workbench/golden-set.ts');
    const dir = setDir(config.path, name);
    const db = await storeOrExit('read');
    try {
      // The cap the drafter applies with the live prompt: a set holds no more than a draft reads.
      const { loadPrompt } = await import('./draft/prompt.ts');
      const prompt = loadPrompt(config.promptPath);
      const cap = (prompt.ok ? prompt.value.maxInputTokens : null) ?? config.llm.maxInputTokens;
      const result = await freezeSet(db, dir, { name, stories, decidedSince, articleTokenCap: cap, force: opts.force, now: new Date() });
      if (result.missing.length) log().warn(`no stored article for: ${result.missing.join(', ')} (not frozen)`, { event: 'freeze.missing', item_ids: result.missing });
      const line = `froze ${result.stories} stories into ${result.dir} (${(result.bytes / 1024).toFixed(1)} KiB; ${result.truncated} article texts cut to ${cap} tokens)`;
      process.stdout.write(opts.json ? jsonOutput(result) : stripControlChars(line) + '\n');
      if (result.stories === 0) process.exitCode = EXIT_FAILED;
    } finally {
      await db.close();
    }
  });

promptsCommand
  .command('run')
  .description('draft stored articles (nothing is fetched) with a prompt file into a named trial, apart from the live drafts')
  .argument('<prompt-file>', 'the prompt file to try')
  .option('--model <model>', 'model to draft with (default llm.model)')
  .option('--sample <n>', 'the newest N stored articles (default 20)')
  .option('--stories <ids>', 'these story ids, e.g. 1,2,3')
  .option('--since <date>', 'stories published since this date (ISO 8601)')
  .option('--name <name>', 'trial name (default: the prompt id and its content hash)')
  .option('--set <name>', 'draft a golden set\'s stories (prompts freeze) instead of the database\'s')
  .option('--out <dir>', 'with --set: keep the trial results here instead of the set\'s trials/')
  .option('--json', 'print the result as JSON')
  .action(async (file: string, opts: { model?: string; sample?: string; stories?: string; since?: string; name?: string; set?: string; out?: string; json?: boolean }) => {
    if ([opts.sample, opts.stories, opts.since].filter((x) => x !== undefined).length > 1) {
      throw new UsageError('prompts run: give one of --sample, --stories, --since', EXIT_INVALID);
    }
    const sample = opts.sample === undefined ? undefined : Number(opts.sample);
    if (sample !== undefined && (!Number.isInteger(sample) || sample <= 0)) throw new UsageError(`--sample: expected a positive number, got "${opts.sample}"`, EXIT_INVALID);
    const since = opts.since === undefined ? undefined : new Date(opts.since);
    if (since && Number.isNaN(since.getTime())) throw new UsageError(`--since: expected a date such as 2026-05-01, got "${opts.since}"`, EXIT_INVALID);
    const config = await configOrExit();
    const { bench, close } = await benchOrExit(config, opts, 'write');
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    try {
      const { runTrial } = await import('./workbench/run-trial.ts');
      const { formatTrialProgress } = await import('./cli/prompts.ts');
      const result = await runTrial(config, bench, {
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
      await close();
    }
  });

promptsCommand
  .command('compare')
  .description('compare two trials (or "live", the drafts editors see) story by story and in aggregate, with B\'s delta against A')
  .argument('<a>', 'trial name or "live"')
  .argument('<b>', 'trial name or "live"')
  .option('--only-differing', 'list only the stories where the judgement differs')
  .option('--html <file>', 'also write the comparison as one self-contained HTML file')
  .option('--set <name>', 'compare trials run on a golden set (prompts run --set)')
  .option('--out <dir>', 'with --set: the trials are here instead of the set\'s trials/')
  .option('--json', 'print the comparison as JSON')
  .action(async (a: string, b: string, opts: { onlyDiffering?: boolean; html?: string; set?: string; out?: string; json?: boolean }) => {
    const config = await configOrExit();
    const { bench, close } = await benchOrExit(config, opts, 'read');
    try {
      const { compareSides, UnknownTrialError } = await import('./workbench/compare.ts');
      const { formatComparison, formatMetric, METRIC_LABELS } = await import('./cli/prompts.ts');
      let comparison;
      try {
        comparison = await compareSides(bench, a, b, config.llm.pricing);
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
      await close();
    }
  });

promptsCommand
  .command('eval')
  .description('score a prompt file (drafting the stories editors decided on) or a trial against the editors\' decisions')
  .argument('<prompt-file-or-trial>', 'a prompt file, a trial name, or "live"')
  .option('--model <model>', 'with a prompt file: model to draft with (default llm.model)')
  .option('--min-grounded <rate>', 'exit 1 when the grounded-quote rate is below this (0..1)')
  .option('--min-f1 <f1>', 'exit 1 when the F1 of the recommendation is below this (0..1)')
  .option('--set <name>', 'score against a golden set\'s decisions (prompts freeze) instead of the database\'s')
  .option('--out <dir>', 'with --set: keep the trial results here instead of the set\'s trials/')
  .option('--json', 'print the evaluation as JSON')
  .action(async (target: string, opts: { model?: string; minGrounded?: string; minF1?: string; set?: string; out?: string; json?: boolean }) => {
    const fraction = (option: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${option}: expected a number from 0 to 1, got "${v}"`, EXIT_INVALID);
      return n;
    };
    const thresholds = { minGrounded: fraction('--min-grounded', opts.minGrounded), minF1: fraction('--min-f1', opts.minF1) };
    const config = await configOrExit();
    const { bench, close } = await benchOrExit(config, opts, 'write');
    try {
      const { loadSide, UnknownTrialError } = await import('./workbench/compare.ts');
      const { evaluate, failedThresholds } = await import('./workbench/evaluate.ts');
      const { formatEvaluation, formatTrialProgress } = await import('./cli/prompts.ts');
      const labels = await bench.labels();
      let trialName = target;
      if (existsSync(target) && target !== 'live') {
        // A prompt file: draft the stories editors decided on first (cached results cost nothing).
        const { runTrial } = await import('./workbench/run-trial.ts');
        const run = await runTrial(config, bench, { promptPath: resolve(target), model: opts.model, stories: labels.map((l) => l.storyId) });
        log().info(`trial ${run.trial.name}: ${formatTrialProgress(run.progress)}`, { event: 'trial', trial: run.trial.name, ...run.progress });
        trialName = run.trial.name;
      }
      let side;
      try {
        side = await loadSide(bench, trialName, config.llm.pricing, trialName === 'live' ? labels.map((l) => l.storyId) : undefined);
      } catch (err) {
        if (err instanceof UnknownTrialError) throw new UsageError(err.message, EXIT_INVALID);
        throw err;
      }
      const ev = evaluate(trialName, side.entries, labels);
      const failed = failedThresholds(ev, thresholds);
      // Kept so `prompts promote` can show how this prompt scored (live drafts have no one prompt).
      if (side.prompt && side.model) {
        await bench.trials.recordEvaluation({ trial: trialName, prompt: side.prompt, model: side.model, where: 'database', at: new Date(), result: { ...ev, thresholds, failed } });
      }
      process.stdout.write(opts.json ? jsonOutput({ ...ev, thresholds, failed }) : stripControlChars(formatEvaluation(ev)) + '\n');
      for (const f of failed) log().error(`below threshold: ${f}`, { event: 'eval.threshold' });
      if (failed.length) process.exitCode = EXIT_FAILED;
    } finally {
      await close();
    }
  });

promptsCommand
  .command('promote')
  .description('make a prompt file the live prompt (llm.prompt in the config, comments kept), after printing its last eval')
  .argument('<prompt-file>', 'the prompt file to draft with from now on')
  .option('--json', 'print the result as JSON')
  .action(async (file: string, opts: { json?: boolean }) => {
    const config = await configOrExit();
    const configPath = config.path;
    if (!configPath) throw new UsageError('prompts promote: no config file to write (--config)', EXIT_INVALID);
    const { loadPrompt } = await import('./draft/prompt.ts');
    const promptPath = resolve(file);
    const prompt = loadPrompt(promptPath);
    if (!prompt.ok) throw new UsageError(prompt.failure.message, EXIT_INVALID);
    const { lastEvaluationIn, setTrialDirs } = await import('./workbench/golden-set.ts');
    const { formatLastEvaluation } = await import('./cli/prompts.ts');
    // Its evaluations: in the database (when there is one; none is created) and in every golden set.
    const found = setTrialDirs(configPath).map((dir) => lastEvaluationIn(dir, prompt.value.hash));
    if (existsSync(globals().db)) {
      const db = await storeOrExit('read');
      try {
        found.push(await db.trials.lastEvaluation(prompt.value.hash));
      } finally {
        await db.close();
      }
    }
    const last = found.filter((e) => e !== null).sort((a, b) => b.at.getTime() - a.at.getTime())[0] ?? null;

    const { setPromptInConfigText } = await import('./config/set-prompt.ts');
    const { dirname, relative, isAbsolute } = await import('node:path');
    const fromConfig = relative(dirname(configPath), promptPath);
    const written = fromConfig.startsWith('..') || isAbsolute(fromConfig) ? promptPath : fromConfig;
    const updated = setPromptInConfigText(readFileSync(configPath, 'utf8'), written);
    if (!updated.ok) throw new UsageError(`${configPath}: ${updated.failure.message}`, EXIT_INVALID);
    // Written to a temp file and renamed, so a crash never leaves half a config.
    const tmp = `${configPath}.${process.pid}.tmp`;
    writeFileSync(tmp, updated.value.text);
    renameSync(tmp, configPath);
    const result = { prompt: { id: prompt.value.id, hash: prompt.value.hash, path: written }, previous: updated.value.previous, config: configPath, lastEval: last };
    const text = `${formatLastEvaluation(prompt.value.id, prompt.value.hash, last)}\nllm.prompt is now ${written} in ${configPath} (was ${updated.value.previous ?? 'the bundled prompt'})`;
    process.stdout.write(opts.json ? jsonOutput(result) : stripControlChars(text) + '\n');
  });

promptsCommand
  .command('export-promptfoo')
  .description('write a promptfoo config and provider for a golden set: each prompt file drafts each story with aiwins\' drafter, asserted against the editors\' decisions')
  .argument('<name>', 'a golden set (prompts freeze), by name or path')
  .option('--prompt <files...>', 'the prompt files to compare (default: the live prompt, llm.prompt)')
  .option('--out <dir>', 'write here instead of the set\'s promptfoo/ folder')
  .action(async (name: string, opts: { prompt?: string[]; out?: string }) => {
    const config = await configOrExit();
    if (!config.path) throw new UsageError('prompts export-promptfoo: the provider needs a config file (--config)', EXIT_INVALID);
    const { setBench, setDir } = await import('./workbench/golden-set.ts');
    const { promptfooCommand, promptfooExport, promptfooFor } = await import('./workbench/promptfoo.ts');
    const { loadPrompt } = await import('./draft/prompt.ts');
    const dir = setDir(config.path, name);
    const bench = setBench(dir);
    const prompts = (opts.prompt ?? [config.promptPath]).map((file) => {
      const loaded = loadPrompt(resolve(file));
      if (!loaded.ok) throw new UsageError(loaded.failure.message, EXIT_INVALID);
      return { path: resolve(file), id: loaded.value.id, hash: loaded.value.hash };
    });
    const stories = (await bench.sources({})).map((s) => ({ id: s.itemId, title: s.title })).sort((a, b) => a.id - b.id);
    const { join } = await import('node:path');
    const outDir = resolve(opts.out ?? join(dir, 'promptfoo'));
    const exported = promptfooExport({
      setName: name,
      setDir: dir,
      outDir,
      stories,
      labels: await bench.labels(),
      prompts,
      // The provider runs this very CLI, wherever promptfoo is started from.
      aiwinsBin: realpathSync(process.argv[1]!),
      configPath: config.path,
    });
    mkdirSync(outDir, { recursive: true });
    for (const [file, text] of Object.entries(exported.files)) writeFileSync(join(outDir, file), text);
    // The promptfoo that runs on this Node: the latest needs Node 22.22.
    const promptfoo = promptfooFor(process.versions.node);
    const command = promptfooCommand(promptfoo.spec, join(outDir, 'promptfooconfig.yaml'));
    process.stdout.write(
      stripControlChars(`wrote a promptfoo config for ${exported.tests} stories and ${prompts.length} prompts to ${outDir}: ${command}${promptfoo.note ? ` (${promptfoo.note})` : ''}`) + '\n',
    );
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
  if (err instanceof CommanderError) {
    // The parser has printed its message (and the help after it); --help and --version are done.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_INVALID;
  } else if (err instanceof UsageError) {
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
