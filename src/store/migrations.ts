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
  // 6: the editors' desk. Drafts become versions (model drafts and editor edits, never changed),
  // decisions are append-only, editors log in, and stories are searchable (FTS5).
  `
  ALTER TABLE drafts ADD COLUMN origin TEXT NOT NULL DEFAULT 'model';   -- model | editor
  ALTER TABLE drafts ADD COLUMN edited_by TEXT;
  ALTER TABLE drafts ADD COLUMN based_on INTEGER REFERENCES drafts(id);
  -- A version is what an approval pins: its text can never change, only a new version be added.
  CREATE TRIGGER drafts_never_change BEFORE UPDATE ON drafts
  BEGIN SELECT RAISE(ABORT, 'draft versions are never changed: save a new version instead'); END;

  CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    draft_id INTEGER REFERENCES drafts(id),
    action TEXT NOT NULL CHECK (action IN ('approve', 'reject', 'snooze', 'reopen')),
    reason TEXT CHECK (reason IS NULL OR reason IN
      ('not_ai', 'negative', 'spin', 'duplicate', 'paywalled', 'low_quality', 'other')),
    note TEXT,
    snoozed_until TEXT,
    decided_by TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX decisions_item ON decisions(item_id, id);
  CREATE TRIGGER decisions_never_change BEFORE UPDATE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
  CREATE TRIGGER decisions_never_deleted BEFORE DELETE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  -- The cookie holds a random token; only its SHA-256 is stored, so a copy of the database
  -- cannot be used to log in.
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL,
    ok INTEGER NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX login_attempts_user ON login_attempts(username, at);
  CREATE INDEX login_attempts_address ON login_attempts(address, at);

  -- Full-text search over each story's title, newest draft and article text. Contentless (the
  -- text already lives in items, drafts and articles); kept current by triggers, whoever writes.
  CREATE VIRTUAL TABLE story_search USING fts5(
    title, draft, text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
  );
  ${['items:NEW.id', 'drafts:NEW.item_id', 'articles:NEW.item_id']
    .map((t) => {
      const [table, id] = t.split(':');
      return `CREATE TRIGGER story_search_${table} AFTER INSERT ON ${table} BEGIN
    DELETE FROM story_search WHERE rowid = ${id};
    ${storySearchRow(id!)};
  END;`;
    })
    .join('\n  ')}
  ${storySearchRow('i.id')};
  `,
  // 7: newsletter issues: an ordered set of approved stories; a sent issue pins the version it sent
  `
  CREATE TABLE issues (
    id INTEGER PRIMARY KEY,       -- the issue number readers see
    title TEXT,
    status TEXT NOT NULL DEFAULT 'draft',   -- draft | sent
    created_at TEXT NOT NULL,
    sent_at TEXT
  );
  CREATE TABLE issue_stories (
    issue_id INTEGER NOT NULL REFERENCES issues(id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    position INTEGER NOT NULL,    -- 1..n within the issue
    sent_draft_id INTEGER REFERENCES drafts(id),  -- the version sent; set when the issue is sent
    PRIMARY KEY (issue_id, item_id)
  );
  -- A story goes out in at most one issue: the database refuses a second.
  CREATE UNIQUE INDEX issue_stories_sent_once ON issue_stories(item_id) WHERE sent_draft_id IS NOT NULL;
  `,
  // 8: prompt trials, kept apart from the drafts editors see; a result is reused for the same
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
  // 9: each evaluation of a prompt trial against editors, so promoting a prompt can show its last one
  `
  CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY,
    trial TEXT NOT NULL,
    prompt_id TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    result TEXT NOT NULL,        -- JSON: the evaluation, its thresholds and what failed them
    created_at TEXT NOT NULL
  );
  CREATE INDEX evaluations_prompt ON evaluations(prompt_hash, id);
  `,
  // 10: the same story from several outlets: signatures and LSH bands of the stories seen, the copies
  // attached to a story instead of being drafted, editors' splits, and the outlet chosen as source
  `
  CREATE TABLE story_signatures (
    item_id INTEGER PRIMARY KEY REFERENCES items(id),
    signature TEXT NOT NULL,      -- JSON, made and read by src/dedupe
    signed_at TEXT NOT NULL
  );
  CREATE TABLE story_bands (
    band TEXT NOT NULL,           -- an LSH band key: two stories sharing one are compared
    item_id INTEGER NOT NULL REFERENCES items(id),
    PRIMARY KEY (band, item_id)
  ) WITHOUT ROWID;
  CREATE INDEX story_bands_item ON story_bands(item_id);
  CREATE TABLE coverage (
    item_id INTEGER PRIMARY KEY REFERENCES items(id),   -- the copy (status 'duplicate')
    story_id INTEGER NOT NULL REFERENCES items(id),     -- the story it belongs to
    reason TEXT NOT NULL,         -- same_text | quoted_text | same_title_and_lead
    similarity REAL NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX coverage_story ON coverage(story_id);
  -- An editor's "not the same story": the item is never attached to that story again.
  CREATE TABLE coverage_splits (
    item_id INTEGER NOT NULL REFERENCES items(id),
    story_id INTEGER NOT NULL REFERENCES items(id),
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (item_id, story_id)
  );
  -- The outlet an editor chose as the story's source, when it is not the story's own item.
  ALTER TABLE items ADD COLUMN source_item_id INTEGER REFERENCES items(id);
  `,
  // 11: an editor's verdict and recommendation, set in an edit (the model's framing stays as drafted);
  // later edits copy it, a re-draft starts without it
  `ALTER TABLE drafts ADD COLUMN judgement TEXT;  -- JSON {verdict, recommendation, by, at}; NULL: the model's framing stands`,
  // 12: one name for one row: the table of stories is \`stories\` (the CLI's, the JSON's and the desk's
  // word), not \`items\` (a feed's word for what becomes a story). SQLite (3.26+, legacy_alter_table
  // off) rewrites the references to it in the other tables' foreign keys and in the triggers' bodies;
  // the indexes and the search trigger named after the old table are made again under the new name.
  `
  ALTER TABLE items RENAME TO stories;
  DROP INDEX items_canonical_url;
  CREATE UNIQUE INDEX stories_canonical_url ON stories(canonical_url) WHERE canonical_url IS NOT NULL;
  DROP INDEX items_status;
  CREATE INDEX stories_status ON stories(status, next_attempt_at);
  DROP INDEX items_feed_status;
  CREATE INDEX stories_feed_status ON stories(feed_id, status);
  DROP TRIGGER story_search_items;
  CREATE TRIGGER story_search_stories AFTER INSERT ON stories BEGIN
    DELETE FROM story_search WHERE rowid = NEW.id;
    ${storySearchRow('NEW.id', 'stories')};
  END;
  `,
  // 13: the review queue a page at a time (editorial.ts): newest first by this expression, then id,
  // within a status (the second index: every status), so a page is a walk down an index however
  // many stories wait
  `
  CREATE INDEX stories_queue ON stories(status, COALESCE(published_at, discovered_at), id);
  CREATE INDEX stories_queue_all ON stories(COALESCE(published_at, discovered_at), id);
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

/**
 * Inserts the search row of the story (or stories) selected by `itemId` (an SQL expression), read
 * from `table` (`items` until migration 12 renamed it). Part of migrations 6 and 12's text:
 * changing what it makes would change a landed migration, so add a new one instead.
 */
function storySearchRow(itemId: string, table: 'items' | 'stories' = 'items'): string {
  return `INSERT INTO story_search (rowid, title, draft, text)
    SELECT i.id, COALESCE(i.title, ''),
      COALESCE((SELECT d.headline || ' ' || d.tldr || ' ' || d.takeaways || ' ' || d.why_it_matters
                FROM drafts d WHERE d.item_id = i.id ORDER BY d.id DESC LIMIT 1), ''),
      COALESCE((SELECT a.text FROM articles a WHERE a.item_id = i.id), '')
    FROM ${table} i WHERE i.id = ${itemId}`;
}
