/** The store: one typed object (`Store`) over SQLite, one file per table. Nothing outside src/store writes SQL. */
export { openStore, type Store, type OpenStoreOptions, type Maintenance, type SqliteMaintenance } from './store.ts';
export { StoreError, StoreOpenError, NoDatabaseError } from './db.ts';
export { isPostgresUrl, redactUrl } from './location.ts';
export type { PostgresOptions } from './postgres.ts';
export type { Feed, FeedFetched, FeedStatus, FeedStore } from './feeds.ts';
export {
  WORK_STATUSES,
  REVIEW_STATUSES,
  RUNNABLE_STATUSES,
  DUPLICATE_STATUS,
  type ItemStatus,
  type NewItem,
  type WorkItem,
  type FailureDisposition,
  type DueQuery,
  type ItemStore,
} from './items.ts';
export type { StoredArticle, ArticleStore } from './articles.ts';
export { judgedFraming, type StoredDraft, type DraftStore, type Judgement } from './drafts.ts';
export type { Run, RunStatus, LeaseClaimant, LeaseResult, RunStore } from './runs.ts';
export type { Story, StoryStore } from './stories.ts';
export type { CoverageStore, CoverageLink, CoverageMatch, DuplicateOf, SignedStory, SignInput, SignResult } from './coverage.ts';
export {
  REASON_CODES,
  EditorialError,
  reviewFlags,
  standingApproval,
  sentSentence,
  sentRefusal,
  type SentIn,
  type EditorialStore,
  type ReasonCode,
  type DecisionAction,
  type Decision,
  type Version,
  type DraftEdit,
  type ReviewState,
  type QueueFilters,
  type QueueEntry,
  type QueuePage,
  type QueuePageRequest,
  QUEUE_PAGE_SIZE,
  QUEUE_COUNT_CAP,
  type EditorLabel,
} from './editorial.ts';
export { UserExistsError, type UserStore, type User, type Session } from './users.ts';
export type { Issue, IssueWithStories, IssueChange, IssueStore } from './issues.ts';
export type { Trial, TrialResult, TrialDraft, TrialSource, TrialStore, EvaluationRecord } from './trials.ts';
export { copyStore, tablesWithRows, DestinationNotEmptyError, type TableCopy } from './copy.ts';
