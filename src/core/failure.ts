/**
 * Typed failures. Every stage returns an Outcome instead of throwing, so one bad feed or item
 * is recorded where it belongs and the run goes on. Only bugs are thrown past a stage.
 */

export type FailureKind =
  // fetch/
  | 'fetch.invalid_url' // not a URL, or a scheme other than http(s)
  | 'fetch.blocked_address' // loopback/private/link-local/metadata address, or a port not allowed
  | 'fetch.timeout' // connect, headers or whole-request deadline
  | 'fetch.too_large' // decompressed body over the cap
  | 'fetch.too_many_redirects'
  | 'fetch.network' // DNS failure, reset, TLS error, bad gzip...
  | 'fetch.http_error' // 4xx/5xx other than the ones below
  | 'fetch.rate_limited' // 429 or 503, retryAfterMs set when the server said
  | 'fetch.gone' // 410
  | 'fetch.unsupported_content_type' // e.g. a PDF at an article URL
  | 'fetch.robots_disallowed'
  // parse/
  | 'parse.empty_body'
  | 'parse.not_a_feed' // HTML page, JSON error...
  | 'parse.invalid_xml'
  | 'parse.too_large' // body over the parse cap (10 MB), refused before parsing
  // extract/
  | 'extract.empty' // no readable text
  | 'extract.timeout'
  | 'extract.too_large'
  | 'extract.failed'
  | 'extract.teaser'
  | 'extract.paywall'
  // draft/
  | 'llm.not_configured'
  | 'llm.rate_limited' // Retry-After over the cap: the item is deferred, not failed
  | 'llm.timeout'
  | 'llm.http_error'
  | 'llm.not_json' // 200 with HTML or prose
  | 'llm.invalid_output' // schema validation failed (after the one repair attempt)
  | 'llm.truncated' // finish_reason length (after the one repair attempt)
  | 'llm.refused'
  | 'llm.context_length'
  | 'llm.input_truncated_by_server'
  // The endpoint refuses every request alike: no retry or other item can succeed this run.
  | 'llm.auth' // 401/403: wrong or missing key
  | 'llm.model_not_found' // 404 / unknown model
  | 'llm.quota' // insufficient_quota, billing
  | 'llm.unsupported_request' // the server rejects the request format (e.g. no json_schema)
  | 'llm.budget' // llm.maxTokensPerRun / maxTokensPerDay reached: the item waits
  // pipeline / config / store
  | 'prompt.invalid'
  | 'config.invalid'
  | 'run.aborted'
  | 'run.lease_lost' // another run took over this run's lease
  | 'run.deadline' // run.maxMinutes reached: the rest waits for the next run
  // store/
  | 'db.busy' // another connection held the write lock past the busy timeout
  | 'db.full' // disk or quota full
  | 'db.io' // I/O error reading or writing the database file
  | 'db.corrupt' // the file is a SQLite database with damaged pages (or PostgreSQL reports damaged data)
  | 'db.unavailable' // the PostgreSQL server refused or lost the connection
  // export/ publishing targets (Buttondown, Ghost)
  | 'publish.not_configured' // no key in the environment, or no site URL in the config
  | 'publish.auth' // 401/403, or Ghost's INVALID_JWT: wrong key, or a clock too far off for the token
  | 'publish.redirect' // 3xx: the configured URL is not the API's own (Ghost's site domain, http for https)
  | 'publish.rate_limited' // 429 still there after the one retry, or a Retry-After over the cap
  | 'publish.http_error' // any other non-2xx answer
  | 'publish.network' // DNS failure, refused connection, reset
  | 'publish.timeout'
  | 'internal';

export interface Failure {
  kind: FailureKind;
  /** What happened and what a person can do about it. Never contains secrets. */
  message: string;
  /** When the failure says "come back later" (Retry-After), how long to wait. */
  retryAfterMs?: number;
  /** Raw output kept for inspection (e.g. the LLM's invalid response). */
  raw?: string;
  /** HTTP status, when there was one. */
  status?: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Failure };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

export const fail = <T = never>(
  kind: FailureKind,
  message: string,
  extra: Omit<Failure, 'kind' | 'message'> = {},
): Outcome<T> => ({ ok: false, failure: { kind, message, ...extra } });

/** Failures that mean "try again later, not counted as an attempt". */
export const isDeferral = (f: Failure): boolean =>
  f.kind === 'llm.rate_limited' || f.kind === 'fetch.rate_limited';

/** Failures that will not change on a retry, so the item is not retried. */
export const isPermanent = (f: Failure): boolean =>
  f.kind === 'fetch.invalid_url' ||
  f.kind === 'fetch.blocked_address' ||
  f.kind === 'fetch.unsupported_content_type' ||
  f.kind === 'fetch.robots_disallowed' ||
  f.kind === 'fetch.gone' ||
  // The page will still be a paywall or a teaser next time: not retried, shown to editors with the reason.
  f.kind === 'extract.paywall' ||
  f.kind === 'extract.teaser' ||
  // The drafter already made its one repair (the article halved, or the question asked again):
  // the same article against the same model and context fails the same way every time, so four
  // more attempts would only cost calls. Editors see the reason; a larger context or another
  // model is a config change, after which `aiwins redraft --id N` drafts the stored article again.
  f.kind === 'llm.context_length' ||
  f.kind === 'llm.input_truncated_by_server' ||
  f.kind === 'llm.refused';

/**
 * Failures of the LLM endpoint itself, not of one item: the run stops drafting at the first one,
 * leaves the items pending with no attempt spent, and records the error on the run.
 */
export const isRunFatal = (f: Failure): boolean =>
  f.kind === 'llm.auth' || f.kind === 'llm.model_not_found' || f.kind === 'llm.quota' || f.kind === 'llm.unsupported_request';

/** Turns an unexpected exception into a Failure, for the boundary where bugs are recorded. */
export function failureFromError(err: unknown, kind: FailureKind = 'internal'): Failure {
  const message = err instanceof Error ? err.message : String(err);
  return { kind, message };
}
