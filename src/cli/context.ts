/**
 * What every command is given: the global options, the logger, the config and the store, each
 * read from the parsed command line when a command first asks for it.
 */
import type { Command } from './commander.ts';
import type { Config } from '../config/index.ts';
import type { Pricing } from '../core/pricing.ts';
import { redactUrlsIn } from '../fetch/redact.ts';
import type { NewsletterSettings } from '../render/index.ts';
import type { Store } from '../store/index.ts';
import { loadCliConfig, type CliConfigFailure } from './config.ts';
import { EXIT_INVALID, UsageError } from './errors.ts';
import { createLogger, defaultLogFormat, type LogFormat, type Logger } from './log.ts';
import { configProblemsJson, formatConfigProblems } from './output.ts';
import { dbNamed, openCliStoreIfAny, withStore, type StoreAccess } from './store.ts';
import { isPostgresUrl, type PostgresOptions } from '../store/index.ts';

export interface GlobalOptions {
  config: string;
  db: string;
  logFormat: LogFormat;
  debug?: boolean;
}

export interface CliContext {
  /** --config, --db, --log-format and --debug, as parsed. */
  globals(): GlobalOptions;
  /** The command's logger on stderr, in the format asked for. */
  log(): Logger;
  /**
   * The config, or exit 2 with every problem of it. `drafts`: the command drafts (run, schedule,
   * serve --schedule), so the config's warnings (a model named with no key to call it: the drafts
   * will be the offline engine's) are said, once, at its start.
   */
  config(opts?: { drafts?: boolean }): Promise<Config>;
  /** The newsletter settings of the config; its defaults when there is no config file at all. */
  newsletterSettings(): Promise<NewsletterSettings>;
  /**
   * llm.pricing and llm.model, for commands that only read and show costs: without a config file
   * (or with an invalid one, said in the log) there are no prices, and costs show as unknown.
   */
  prices(): Promise<{ pricing: Pricing; model: string | null }>;
  /** The database a command looked in, as a full path (or a URL without its password): a story that is not found may be in another one. */
  dbShown(): string;
  /**
   * Runs `fn` with the store at --db opened for reading, or with null when there is no database
   * there yet (no file; a PostgreSQL database without aiwins' tables): for commands that look in
   * the database when there is one and never create it.
   */
  withStoreIfAny<T>(fn: (db: Store | null) => Promise<T>): Promise<T>;
  /** A store's "no story N" or "no issue N" with the database it looked in. */
  namingDb(message: string): string;
  /** Runs `fn` with the store at --db and closes it after, also when `fn` throws. */
  withStore<T>(access: StoreAccess, fn: (db: Store) => Promise<T>): Promise<T>;
}

export function createCliContext(program: Command): CliContext {
  const globals = () => program.opts<GlobalOptions>();
  let stderrLog: Logger | null = null;
  const log = () => (stderrLog ??= createLogger(process.stderr, globals().logFormat ?? defaultLogFormat(process.stderr)));

  /** Exit 2 with every problem of the config, each with its line and a caret (in JSON: `errors` and placed `problems`). */
  const invalidConfig = (failure: CliConfigFailure) =>
    new UsageError(`invalid config ${globals().config}:\n${formatConfigProblems(failure.problems)}`, EXIT_INVALID, {
      kind: 'config.invalid',
      errors: failure.errors.map(redactUrlsIn),
      problems: configProblemsJson(failure.problems),
    });

  const dbShown = () => dbNamed(globals().db);

  /**
   * The pool size and timeouts of a PostgreSQL store, from the config's \`database\` section: its
   * defaults when there is no config file, exit 2 when the config is invalid.
   */
  const postgresOptions = async (): Promise<PostgresOptions | undefined> => {
    if (!isPostgresUrl(globals().db)) return undefined;
    const loaded = await loadCliConfig(globals().config);
    if (!loaded.ok && loaded.failure.kind !== 'config.not_found') throw invalidConfig(loaded.failure);
    const d = loaded.ok ? loaded.config.database : (await import('../config/schema.ts')).ConfigSchema.shape.database.parse({});
    return { poolSize: d.poolSize, statementTimeoutMs: d.statementTimeoutSeconds * 1000, lockTimeoutMs: d.lockTimeoutSeconds * 1000 };
  };

  return {
    globals,
    log,
    async config(opts = {}) {
      const loaded = await loadCliConfig(globals().config);
      if (!loaded.ok) throw invalidConfig(loaded.failure);
      if (opts.drafts) for (const w of loaded.warnings) log().warn(w, { kind: 'config.warning' });
      return loaded.config;
    },
    async newsletterSettings() {
      const loaded = await loadCliConfig(globals().config);
      if (loaded.ok) return loaded.config.newsletter;
      if (loaded.failure.kind === 'config.not_found') return { timezone: 'UTC', sourceName: 'feed' };
      throw invalidConfig(loaded.failure);
    },
    async prices() {
      const loaded = await loadCliConfig(globals().config);
      if (loaded.ok) return { pricing: loaded.config.llm.pricing, model: loaded.config.llm.model };
      const { failure } = loaded;
      if (failure.kind !== 'config.not_found') {
        log().warn(`costs are shown as unknown: invalid config ${globals().config}: ${failure.message}`, { kind: 'config.invalid', errors: failure.errors });
      }
      return { pricing: {}, model: null };
    },
    dbShown,
    withStoreIfAny: async (fn) => {
      const store = await openCliStoreIfAny(globals().db, await postgresOptions());
      try {
        return await fn(store);
      } finally {
        await store?.close();
      }
    },
    namingDb: (message) => message.replace(/^no (story|issue) (\d+)/, (found) => `${found} in ${dbShown()}`),
    withStore: async (access, fn) => withStore(access, globals().db, fn, await postgresOptions()),
  };
}
