import { StoreOpenError, type Connection } from './db.ts';

/**
 * Append-only list of migrations. `PRAGMA user_version` is the number applied; never edit or
 * reorder an entry once it has landed, only add new ones at the end.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: feeds, items, articles, drafts, runs, lease
  `
  CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    title TEXT,
    site_url TEXT,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    last_fetch_at TEXT,
    last_status INTEGER,
    last_result TEXT,            -- ok | not_modified | error
    last_error_kind TEXT,
    last_error_message TEXT,
    error_count INTEGER NOT NULL DEFAULT 0,
    next_check_at TEXT,
    permanent_url TEXT,          -- set when every redirect hop was permanent: update feeds.yaml
    created_at TEXT NOT NULL
  );

  CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id),
    item_key TEXT NOT NULL,
    url TEXT,
    canonical_url TEXT,
    title TEXT,
    published_at TEXT,
    author TEXT,
    summary TEXT,
    feed_content TEXT,
    -- pending | candidate | approved | rejected | failed | deferred | blocked
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error_kind TEXT,
    last_error_message TEXT,
    last_error_raw TEXT,
    claimed_by TEXT,
    claimed_until TEXT,
    discovered_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (feed_id, item_key)
  );
  -- One story per canonical URL, whichever feed brought it first.
  CREATE UNIQUE INDEX items_canonical_url ON items(canonical_url) WHERE canonical_url IS NOT NULL;
  CREATE INDEX items_status ON items(status, next_attempt_at);

  CREATE TABLE articles (
    item_id INTEGER PRIMARY KEY REFERENCES items(id),
    final_url TEXT,
    title TEXT,
    byline TEXT,
    site_name TEXT,
    published_time TEXT,
    lang TEXT,
    lead_image TEXT,
    text TEXT NOT NULL,
    html TEXT,
    word_count INTEGER NOT NULL,
    reading_minutes INTEGER NOT NULL,
    method TEXT NOT NULL,
    confidence REAL NOT NULL,
    extracted_at TEXT NOT NULL
  );

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,         -- running | completed | abandoned
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    summary TEXT                  -- JSON: counts and errors
  );

  CREATE TABLE drafts (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    run_id INTEGER REFERENCES runs(id),
    engine TEXT NOT NULL,
    model TEXT,
    prompt_id TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    headline TEXT NOT NULL,
    tldr TEXT NOT NULL,
    takeaways TEXT NOT NULL,      -- JSON [{text, quote, grounded}]
    why_it_matters TEXT NOT NULL,
    category TEXT NOT NULL,
    framing TEXT NOT NULL,        -- JSON {verdict, score, rationale, concerns}
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    latency_ms INTEGER NOT NULL,
    input_truncated INTEGER NOT NULL,
    reading_minutes INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX drafts_item ON drafts(item_id, id);

  CREATE TABLE lease (
    name TEXT PRIMARY KEY,
    run_id INTEGER,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  `,
  // 2: a feed that answered 410 Gone is not polled again until its URL changes in the config
  `ALTER TABLE feeds ADD COLUMN gone_at TEXT;`,
  // 3: why a run stopped early (lease lost, deadline, an endpoint or database fault), and what the
  // last parse of a feed forgave or left for later
  `
  ALTER TABLE runs ADD COLUMN error_kind TEXT;
  ALTER TABLE runs ADD COLUMN error_message TEXT;
  ALTER TABLE feeds ADD COLUMN parse_warnings TEXT;   -- JSON array of the last parse's warnings
  ALTER TABLE feeds ADD COLUMN items_in_feed INTEGER; -- items in the last parsed feed body
  ALTER TABLE items ADD COLUMN over_cap INTEGER NOT NULL DEFAULT 0; -- beyond run.maxItemsPerFeed when found
  CREATE INDEX items_feed_status ON items(feed_id, status);
  `,
  // 4: how the LLM was asked for JSON (json_schema, or json_object for servers that refuse it); NULL for extractive and older drafts
  `ALTER TABLE drafts ADD COLUMN response_format TEXT;`,
  // 5: the whole newsletter story (deck, body, implications, reader note) and what its checks left unsupported
  `
  ALTER TABLE drafts ADD COLUMN deck TEXT NOT NULL DEFAULT '';
  ALTER TABLE drafts ADD COLUMN body TEXT NOT NULL DEFAULT '[]';               -- JSON [paragraph]
  ALTER TABLE drafts ADD COLUMN implications TEXT NOT NULL DEFAULT '[]';       -- JSON [string]
  ALTER TABLE drafts ADD COLUMN reader_note TEXT;
  ALTER TABLE drafts ADD COLUMN unsupported_claims TEXT NOT NULL DEFAULT '[]'; -- JSON [{field, claim}]
  ALTER TABLE drafts ADD COLUMN needs_review INTEGER NOT NULL DEFAULT 0;
  `,
  // 6: prompt trials, kept apart from the drafts editors see; a result is reused for the same
  // (article text, prompt content, model, settings) so a trial run twice makes no LLM call
  `
  CREATE TABLE trials (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    prompt_id TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    prompt_path TEXT NOT NULL,
    model TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE trial_drafts (
    trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items(id),
    cache_key TEXT NOT NULL,
    draft TEXT,                  -- JSON of the draft; NULL when drafting failed
    failure_kind TEXT,
    failure_message TEXT,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    latency_ms INTEGER NOT NULL,
    cost REAL,                   -- estimated from llm.pricing; NULL when the model has no price
    from_cache INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (trial_id, item_id)
  );
  CREATE INDEX trial_drafts_cache ON trial_drafts(cache_key);
  `,
];

/** Applies pending migrations, one transaction each, so a killed migration leaves the old version. */
export function migrate(db: Connection): void {
  const current = db.userVersion;
  if (current > MIGRATIONS.length) {
    throw new StoreOpenError({
      kind: 'db.io',
      message: `database ${db.path} has schema version ${current}, newer than this aiwins (${MIGRATIONS.length}): upgrade aiwins`,
    });
  }
  for (let v = current + 1; v <= MIGRATIONS.length; v++) {
    db.guard(() =>
      db.writeSync(() => {
        // Re-read inside the write lock: another process may have migrated meanwhile.
        if (db.userVersion >= v) return;
        db.exec(MIGRATIONS[v - 1]!);
        db.userVersion = v;
      }),
    );
  }
}
