/**
 * An expected refusal (bad form input, no such story, forbidden, conflict, too many attempts),
 * shown to the editor as a page with this status and message. Anything else thrown is a bug.
 */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 502 | 503,
    message: string,
  ) {
    super(message);
  }
}
