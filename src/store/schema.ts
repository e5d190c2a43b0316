/**
 * The tables as the query builder sees them, the same on both backends: times are ISO 8601 text in
 * UTC and JSON is text (PostgreSQL stores timestamptz and jsonb, and its connection hands them back
 * as that same text), and flags are 0 or 1. A column with a default or an identity is `Generated`:
 * an insert may leave it out. Keep in step with migrations.ts and pg-migrations.ts.
 */
import type { Generated } from 'kysely';

export interface FeedsTable {
  id: Generated<number>;
  url: string;
  name: string;
  category: string | null;
  active: Generated<number>;
  title: string | null;
  site_url: string | null;
  etag: string | null;
  last_modified: string | null;
  content_hash: string | null;
  last_fetch_at: string | null;
  last_status: number | null;
  last_result: string | null;
  last_error_kind: string | null;
  last_error_message: string | null;
  error_count: Generated<number>;
  next_check_at: string | null;
  permanent_url: string | null;
  created_at: string;
  gone_at: string | null;
  parse_warnings: string | null;
  items_in_feed: number | null;
}

export interface StoriesTable {
  id: Generated<number>;
  feed_id: number;
  item_key: string;
  url: string | null;
  canonical_url: string | null;
  title: string | null;
  published_at: string | null;
  author: string | null;
  summary: string | null;
  feed_content: string | null;
  status: Generated<string>;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  last_error_kind: string | null;
  last_error_message: string | null;
  last_error_raw: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
  discovered_at: string;
  updated_at: string;
  over_cap: Generated<number>;
  source_item_id: number | null;
}

export interface ArticlesTable {
  item_id: number;
  final_url: string | null;
  title: string | null;
  byline: string | null;
  site_name: string | null;
  published_time: string | null;
  lang: string | null;
  lead_image: string | null;
  text: string;
  html: string | null;
  word_count: number;
  reading_minutes: number;
  method: string;
  confidence: number;
  extracted_at: string;
}

export interface RunsTable {
  id: Generated<number>;
  started_at: string;
  finished_at: string | null;
  status: string;
  pid: number;
  host: string;
  summary: string | null;
  error_kind: string | null;
  error_message: string | null;
}

export interface DraftsTable {
  id: Generated<number>;
  item_id: number;
  run_id: number | null;
  engine: string;
  model: string | null;
  prompt_id: string;
  prompt_hash: string;
  headline: string;
  tldr: string;
  takeaways: string;
  why_it_matters: string;
  category: string;
  framing: string;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  input_truncated: number;
  reading_minutes: number;
  created_at: string;
  response_format: string | null;
  deck: Generated<string>;
  body: Generated<string>;
  implications: Generated<string>;
  reader_note: string | null;
  unsupported_claims: Generated<string>;
  needs_review: Generated<number>;
  origin: Generated<string>;
  edited_by: string | null;
  based_on: number | null;
  judgement: string | null;
}

export interface LeaseTable {
  name: string;
  run_id: number | null;
  pid: number;
  host: string;
  acquired_at: string;
  heartbeat_at: string;
  expires_at: string;
}

export interface DecisionsTable {
  id: Generated<number>;
  item_id: number;
  draft_id: number | null;
  action: string;
  reason: string | null;
  note: string | null;
  snoozed_until: string | null;
  decided_by: string;
  created_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  name: string;
  password_hash: string;
  created_at: string;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  username: string;
  address: string;
  ok: number;
  at: string;
}

export interface IssuesTable {
  id: Generated<number>;
  title: string | null;
  status: Generated<string>;
  created_at: string;
  sent_at: string | null;
}

export interface IssueStoriesTable {
  issue_id: number;
  item_id: number;
  position: number;
  sent_draft_id: number | null;
}

export interface TrialsTable {
  id: Generated<number>;
  name: string;
  prompt_id: string;
  prompt_hash: string;
  prompt_path: string;
  model: string;
  created_at: string;
  updated_at: string;
}

export interface TrialDraftsTable {
  trial_id: number;
  item_id: number;
  cache_key: string;
  draft: string | null;
  failure_kind: string | null;
  failure_message: string | null;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  cost: number | null;
  from_cache: number;
  created_at: string;
}

export interface EvaluationsTable {
  id: Generated<number>;
  trial: string;
  prompt_id: string;
  prompt_hash: string;
  model: string;
  result: string;
  created_at: string;
}

export interface StorySignaturesTable {
  item_id: number;
  signature: string;
  signed_at: string;
}

export interface StoryBandsTable {
  band: string;
  item_id: number;
}

export interface CoverageTable {
  item_id: number;
  story_id: number;
  reason: string;
  similarity: number;
  at: string;
}

export interface CoverageSplitsTable {
  item_id: number;
  story_id: number;
  by: string;
  at: string;
}

export interface Schema {
  feeds: FeedsTable;
  stories: StoriesTable;
  articles: ArticlesTable;
  runs: RunsTable;
  drafts: DraftsTable;
  lease: LeaseTable;
  decisions: DecisionsTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  issues: IssuesTable;
  issue_stories: IssueStoriesTable;
  trials: TrialsTable;
  trial_drafts: TrialDraftsTable;
  evaluations: EvaluationsTable;
  story_signatures: StorySignaturesTable;
  story_bands: StoryBandsTable;
  coverage: CoverageTable;
  coverage_splits: CoverageSplitsTable;
}

