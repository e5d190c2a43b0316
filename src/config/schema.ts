import { z } from 'zod';

/**
 * The one schema of feeds.yaml. Every key has a default and a description; unknown keys are
 * errors (a typo must not silently fall back to a default).
 */

const httpUrl = z
  .string()
  .trim()
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: 'expected an http(s) URL' },
  );

export const DEFAULT_CATEGORIES = [
  'Business',
  'Research',
  'Health',
  'Science',
  'Education',
  'Climate',
  'Policy',
  'Products',
];

const FeedSchema = z.strictObject({
  name: z.string().trim().min(1, 'a feed needs a name'),
  url: httpUrl,
  category: z.string().trim().min(1).optional(),
  /** How often to check this feed; default schedule.feedIntervalMinutes. */
  intervalMinutes: z.number().positive().max(7 * 24 * 60).optional(),
  /** Like network.allow, for this feed's own links only: the feed URL and the pages of its items. */
  allow: z.array(z.string().trim().min(1)).optional(),
});

const LlmSchema = z.strictObject({
  /** Any OpenAI-compatible server (OpenAI, Ollama's /v1, vLLM, LM Studio). Not address-guarded. */
  baseURL: httpUrl.optional(),
  model: z.string().trim().min(1).default('gpt-4o-mini'),
  /** LLM calls in flight at once. */
  concurrency: z.number().int().min(1).max(256).default(4),
  /** Per-request timeout: a hung endpoint is cut here, not after the client's 10-minute default. */
  timeoutSeconds: z.number().positive().max(900).default(120),
  /** Retries of 5xx and connection errors per call (429s are paced and run again by the limiter). */
  maxRetries: z.number().int().min(0).max(5).default(2),
  /** A Retry-After longer than this defers the item to a later run instead of sleeping. */
  retryAfterCapSeconds: z.number().min(0).max(3600).default(60),
  /** Token budget for the article text in the prompt; longer articles are cut (and the cut recorded). */
  maxInputTokens: z.number().int().min(200).max(200_000).default(6000),
  /**
   * The model's context window (a local model's num_ctx, e.g. Ollama's OLLAMA_CONTEXT_LENGTH):
   * the article budget becomes min(maxInputTokens, what the window leaves after the prompt and
   * the answer). Unset: the window is taken to fit maxInputTokens.
   */
  contextTokens: z.number().int().min(1024).max(10_000_000).optional(),
  /** Provider limit: calls started per rolling minute; unset = none. */
  requestsPerMinute: z.number().int().min(1).optional(),
  /** Provider limit: tokens (article estimate + prompt + output cap) per rolling minute; unset = none. */
  tokensPerMinute: z.number().int().min(1).optional(),
  /**
   * Tokens (input + output, as the server reports them) one run may spend; past it, items wait for
   * the next run (deferred, kind llm.budget) with no attempt spent. Unset: no cap.
   */
  maxTokensPerRun: z.number().int().min(1).optional(),
  /**
   * Tokens all runs may spend in one UTC day, counted from the stored drafts of the day and the
   * running run's own calls; past it, items wait for the next UTC day. Unset: no cap.
   */
  maxTokensPerDay: z.number().int().min(1).optional(),
  /** A prompt file of your own, relative to the config file's folder; unset: the prompt that ships with aiwins. */
  prompt: z.string().trim().min(1).optional(),
  /** Prices per model name, in currency units per million input and output tokens: costs of drafts and trials are estimated from them. */
  pricing: z
    .record(z.string().trim().min(1), z.strictObject({ input: z.number().min(0), output: z.number().min(0) }))
    .default({}),
});

const NetworkSchema = z.strictObject({
  /**
   * Hosts that may be fetched although they are private or loopback addresses: `host` on ports 80
   * and 443, `host:port` on that port. A name entry lets that name resolve to a private address.
   */
  allow: z.array(z.string().trim().min(1)).default([]),
  /** Ports fetched on hosts that are not in `allow`. */
  allowedPorts: z.array(z.number().int().min(1).max(65535)).default([80, 443]),
  userAgent: z.string().trim().min(1).optional(),
  /** Requests in flight at once, over all hosts. */
  concurrency: z.number().int().min(1).max(256).default(16),
  /** Requests in flight at once to one host (politeness). */
  perHostConcurrency: z.number().int().min(1).max(16).default(1),
  feedTimeoutSeconds: z.number().positive().max(600).default(30),
  pageTimeoutSeconds: z.number().positive().max(600).default(30),
  maxFeedBytes: z.number().int().positive().default(10 * 1024 * 1024),
  maxPageBytes: z.number().int().positive().default(5 * 1024 * 1024),
  /** Honour robots.txt for article pages (fetched once per site, cached for a day). */
  respectRobots: z.boolean().default(true),
});

const ScheduleSchema = z.strictObject({
  /** When `aiwins schedule` ticks (cron syntax, croner); each tick checks the feeds that are due. */
  cron: z.string().trim().min(1).default('*/15 * * * *'),
  /** Default time between two checks of one feed; a feed's TTL, Cache-Control or Expires may lengthen it. */
  feedIntervalMinutes: z.number().min(0).max(7 * 24 * 60).default(30),
  /** The shortest time between two checks of one feed, whatever the feed or server says. */
  minIntervalMinutes: z.number().min(0).max(24 * 60).default(15),
});

const RunSchema = z.strictObject({
  /** New items taken from one feed per run, newest first; the rest wait for later runs. */
  maxItemsPerFeed: z.number().int().min(1).max(10_000).default(100),
  /** Items that were beyond maxItemsPerFeed when found are not taken once published longer ago than this. */
  maxItemAgeDays: z.number().positive().max(3650).default(30),
  /** A run stops taking work after this long, finishing the items in progress (below an hourly cron slot). */
  maxMinutes: z.number().positive().max(24 * 60).default(50),
  /** Attempts at one item before it stays failed (until `run --retry-failed`). */
  maxAttempts: z.number().int().min(1).max(100).default(5),
  /** First back-off after a failed attempt; doubles each attempt, capped at 24 h. */
  retryBackoffMinutes: z.number().positive().default(30),
  /** A run whose heartbeat is older than this is stale and may be taken over. */
  leaseSeconds: z.number().int().min(5).max(3600).default(120),
});

const ExtractSchema = z.strictObject({
  /** Extraction worker threads; default: the number of cores less one (at least one). */
  workers: z.number().int().min(1).max(64).optional(),
  timeoutSeconds: z.number().positive().max(300).default(10),
  maxHeapMb: z.number().int().min(32).max(4096).default(256),
});

/**
 * The same story from several outlets (src/coverage): copies are attached to the story instead of
 * being drafted. Its key in config.yaml stays `dedupe`, the name existing config files use.
 */
const CoverageSchema = z.strictObject({
  /** Look for copies before drafting; false drafts every item. */
  enabled: z.boolean().default(true),
  /** Stories signed this many days back are compared with a new item; older ones are not (the index stays small). */
  windowDays: z.number().positive().max(365).default(7),
});

/** The newsletter as readers see it: its name, the header and footer of each issue, feeds. */
const NewsletterSchema = z.strictObject({
  name: z.string().trim().min(1).default('AI Wins'),
  /** One line under the name in each issue's header and feed, e.g. "Good news about AI, checked". */
  tagline: z.string().trim().min(1).optional(),
  /** IANA time zone for the dates readers see (story dates, the issue date). */
  timezone: z
    .string()
    .trim()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, { message: 'expected an IANA time zone such as UTC or Europe/Berlin' })
    .default('UTC'),
  /** "Source:" names the feed (as configured in feeds[].name) or the site (as the article page names itself). */
  sourceName: z.enum(['feed', 'site']).default('feed'),
  /** The newsletter's home page: the link of its feeds and of its name in the header. */
  siteUrl: httpUrl.optional(),
  /** The footer's call to subscribe. */
  subscribeLine: z.string().trim().min(1).default('Get AI Wins in your inbox'),
  /** Where the subscribe line links to. */
  subscribeUrl: httpUrl.optional(),
});

/** Publishing targets: off unless `aiwins publish` is run; keys come from the environment. */
/**
 * A PostgreSQL store's connections (--db postgres://...); a SQLite file ignores these. The pool is
 * per process: a desk, a run and each worker keep their own.
 */
const DatabaseSchema = z.strictObject({
  /** Connections one process keeps open at most. */
  poolSize: z.number().int().min(1).max(100).default(10),
  /** A statement running longer is cancelled (db.busy); 0 for no limit. */
  statementTimeoutSeconds: z.number().min(0).max(3600).default(30),
  /** A statement waiting longer for another transaction's lock gives up (db.busy); 0 for no limit. */
  lockTimeoutSeconds: z.number().min(0).max(600).default(10),
});

const PublishSchema = z.strictObject({
  /** Buttondown's API root; the key comes from BUTTONDOWN_API_KEY. */
  buttondownURL: httpUrl.default('https://api.buttondown.com/v1'),
  /**
   * Ghost's Admin API URL, as the custom integration shows it (for Ghost(Pro), https://SITE.ghost.io:
   * the site's own domain answers the Admin API with a redirect); the key comes from GHOST_ADMIN_API_KEY.
   */
  ghostAdminURL: httpUrl.optional(),
  /** The older name of ghostAdminURL, still read when ghostAdminURL is not set. */
  ghostURL: httpUrl.optional(),
});

export const ConfigSchema = z.strictObject({
  feeds: z.array(FeedSchema).default([]),
  categories: z.array(z.string().trim().min(1)).min(1).default(DEFAULT_CATEGORIES),
  llm: LlmSchema.prefault({}),
  network: NetworkSchema.prefault({}),
  run: RunSchema.prefault({}),
  extract: ExtractSchema.prefault({}),
  dedupe: CoverageSchema.prefault({}),
  schedule: ScheduleSchema.prefault({}),
  newsletter: NewsletterSchema.prefault({}),
  publish: PublishSchema.prefault({}),
  database: DatabaseSchema.prefault({}),
});

export type NewsletterConfig = z.infer<typeof NewsletterSchema>;

export type FeedConfig = z.infer<typeof FeedSchema>;
export type ConfigFile = z.infer<typeof ConfigSchema>;
