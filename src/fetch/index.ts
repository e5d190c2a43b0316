/** The safe HTTP client: every feed and article fetch goes through here. */
export { createHttpClient, type FetchRequest, type FetchedResponse, type HttpClient } from './client.ts';
export { checkUrl, DEFAULT_USER_AGENT, type FetchPolicy, type LookupFn } from './policy.ts';
export { parseRetryAfter } from '../core/http-date.ts';
export { redactUrl } from './redact.ts';
export { createRobotsCache, type RobotsCache, type RobotsCacheOptions } from './robots.ts';
