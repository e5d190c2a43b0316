import { afterEach, describe, expect, it } from 'vitest';
import { buttondownError, buttondownValidationError, ghostError, ghostInvalidJwt, redirectTo, startStandIn, tooManyRequests, type StandIn } from '../../test/helpers/stand-in.ts';
import { ghostAdminToken, publishIssue, retryWait } from './publish.ts';

let server: StandIn | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const INPUT = { subject: 'S', html: '<!DOCTYPE html><html><body><table><tr><td>x</td></tr></table></body></html>' };
const KEY = 'abc123:00112233445566778899aabbccddeeff';

describe('publishing failures are typed, with a message a person can act on', () => {
  it('maps 401, 500 and non-JSON answers, and an unreachable server', async () => {
    const answers = [
      { status: 401, body: { detail: 'bad token' } },
      { status: 500, body: 'upstream broke' },
      { status: 500, body: 'upstream broke' }, // the one retry
      { status: 201, body: '<html>not json</html>' },
      { status: 201, body: { posts: [] } },
    ];
    let n = 0;
    server = await startStandIn(() => answers[n++]!);
    const settings = { buttondownURL: `${server.origin}/v1`, ghostURL: server.origin, env: { BUTTONDOWN_API_KEY: 'k', GHOST_ADMIN_API_KEY: KEY }, retry: { defaultWaitMs: 50, maxWaitMs: 5_000 } };
    expect(await publishIssue('buttondown', INPUT, settings)).toMatchObject({ ok: false, failure: { kind: 'publish.auth', status: 401 } });
    expect(await publishIssue('buttondown', INPUT, settings)).toMatchObject({ ok: false, failure: { kind: 'publish.http_error', message: expect.stringMatching(/HTTP 500: upstream broke/) } });
    expect(await publishIssue('ghost', INPUT, settings)).toMatchObject({ ok: false, failure: { kind: 'publish.http_error', message: expect.stringMatching(/other than JSON/) } });
    expect(await publishIssue('ghost', INPUT, settings)).toMatchObject({ ok: false, failure: { kind: 'publish.http_error', message: expect.stringMatching(/without a post id/) } });
    const origin = server.origin;
    await server.close();
    server = null;
    const down = await publishIssue('buttondown', INPUT, { ...settings, buttondownURL: origin });
    expect(down).toMatchObject({ ok: false, failure: { kind: 'publish.network', message: expect.stringMatching(/cannot reach Buttondown at http:\/\/127\.0\.0\.1/) } });
  });

  it('refuses a Ghost key that is not id:secret in hex, and a missing site URL, before any request', async () => {
    expect(ghostAdminToken('not-a-key', new Date())).toBeNull();
    expect(await publishIssue('ghost', INPUT, { buttondownURL: 'http://127.0.0.1:9/', ghostURL: 'http://127.0.0.1:9/', env: { GHOST_ADMIN_API_KEY: 'nope' } })).toMatchObject({
      ok: false,
      failure: { kind: 'publish.not_configured', message: expect.stringMatching(/id:secret/) },
    });
    expect(await publishIssue('ghost', INPUT, { buttondownURL: 'http://127.0.0.1:9/', env: { GHOST_ADMIN_API_KEY: KEY } })).toMatchObject({
      ok: false,
      failure: { kind: 'publish.not_configured', message: expect.stringMatching(/publish\.ghostAdminURL/) },
    });
  });

  it('the Ghost token is valid for five minutes from the given clock', () => {
    const token = ghostAdminToken(KEY, new Date('2026-12-01T10:00:00Z'))!;
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload).toEqual({ iat: 1796119200, exp: 1796119500, aud: '/admin/' });
  });
});

const GHOST_CREATED = { status: 201, body: { posts: [{ id: 'post-1', url: 'https://blog.example/p/post-1/' }] } };
const BD_CREATED = { status: 201, body: { id: 'email-1', status: 'draft' } };
/** Retries wait what Retry-After says; tests keep the default wait (no header) short. */
const FAST = { retry: { defaultWaitMs: 50, maxWaitMs: 5_000 } };

describe('redirects name where they point', () => {
  it('a Ghost site URL that redirects to the admin domain fails, naming the Location and the key to set', async () => {
    server = await startStandIn(() => redirectTo('https://example-blog.ghost.io/ghost/api/admin/posts/'));
    const r = await publishIssue('ghost', INPUT, { buttondownURL: 'http://127.0.0.1:9/', ghostAdminURL: server.origin, env: { GHOST_ADMIN_API_KEY: KEY } });
    expect(r).toMatchObject({ ok: false, failure: { kind: 'publish.redirect', status: 301 } });
    const message = (r as { failure: { message: string } }).failure.message;
    expect(message).toContain('Ghost answered 301 to https://example-blog.ghost.io/ghost/api/admin/posts/');
    expect(message).toContain('publish.ghostAdminURL');
    expect(message).toContain('https://example-blog.ghost.io');
    expect(server.requests).toHaveLength(1); // not followed: a POST must not be replayed elsewhere
  });

  it('an http:// URL that the server moves to https:// says so', async () => {
    server = await startStandIn((req) => redirectTo(`https://127.0.0.1${req.url}`, 308));
    const r = await publishIssue('buttondown', INPUT, { buttondownURL: `${server.origin}/v1`, env: { BUTTONDOWN_API_KEY: 'k' } });
    expect(r).toMatchObject({ ok: false, failure: { kind: 'publish.redirect', message: expect.stringMatching(/Buttondown answered 308 to https:\/\/127\.0\.0\.1\/v1\/emails: .*publish\.buttondownURL/) } });
  });

  it('the older key publish.ghostURL still works, and a URL pasted with /ghost/api/admin/ is the same URL', async () => {
    server = await startStandIn(() => GHOST_CREATED);
    expect(await publishIssue('ghost', INPUT, { buttondownURL: 'http://127.0.0.1:9/', ghostURL: server.origin, env: { GHOST_ADMIN_API_KEY: KEY } })).toMatchObject({ ok: true });
    expect(await publishIssue('ghost', INPUT, { buttondownURL: 'http://127.0.0.1:9/', ghostAdminURL: `${server.origin}/ghost/api/admin/`, env: { GHOST_ADMIN_API_KEY: KEY } })).toMatchObject({ ok: true });
    expect(server.requests.map((r) => r.url)).toEqual(['/ghost/api/admin/posts/', '/ghost/api/admin/posts/']);
  });
});

describe("the platform's reason is kept", () => {
  const ghost = (origin: string) => ({ buttondownURL: 'http://127.0.0.1:9/', ghostAdminURL: origin, env: { GHOST_ADMIN_API_KEY: KEY }, ...FAST });
  const buttondown = (origin: string) => ({ buttondownURL: `${origin}/v1`, env: { BUTTONDOWN_API_KEY: 'k' }, ...FAST });

  it("Ghost's errors[].message and context are in the message", async () => {
    server = await startStandIn(() => ghostError(403, 'NoPermissionError', 'You do not have permission to add posts', { context: 'The integration has the Contributor role.' }));
    expect(await publishIssue('ghost', INPUT, ghost(server.origin))).toMatchObject({
      ok: false,
      failure: { kind: 'publish.auth', status: 403, message: expect.stringContaining('You do not have permission to add posts: The integration has the Contributor role.') },
    });
  });

  it("Ghost's INVALID_JWT, as 400 or 401, is the auth kind with a hint about the clock", async () => {
    const answers = [ghostInvalidJwt('jwt malformed', 400), ghostInvalidJwt('jwt expired', 401)];
    let n = 0;
    server = await startStandIn(() => answers[n++]!);
    for (const status of [400, 401]) {
      const r = await publishIssue('ghost', INPUT, ghost(server.origin));
      expect(r).toMatchObject({ ok: false, failure: { kind: 'publish.auth', status } });
      const message = (r as { failure: { message: string } }).failure.message;
      expect(message).toMatch(/Invalid token: jwt (malformed|expired)/);
      expect(message).toMatch(/clock/);
    }
  });

  it("Buttondown's detail is in the message, as a string and as a validation list", async () => {
    const answers = [buttondownError(401, 'invalid_token', 'Invalid token.'), buttondownValidationError('subject', 'String should have at most 2000 characters')];
    let n = 0;
    server = await startStandIn(() => answers[n++]!);
    expect(await publishIssue('buttondown', INPUT, buttondown(server.origin))).toMatchObject({
      ok: false,
      failure: { kind: 'publish.auth', status: 401, message: expect.stringContaining('Invalid token.') },
    });
    expect(await publishIssue('buttondown', INPUT, buttondown(server.origin))).toMatchObject({
      ok: false,
      failure: { kind: 'publish.http_error', status: 422, message: expect.stringContaining('subject: String should have at most 2000 characters') },
    });
  });
});

describe('one retry on 429 and 5xx', () => {
  it('waits what Retry-After says, then tries once more with the same X-Idempotency-Key', async () => {
    const answers = [tooManyRequests(1), BD_CREATED];
    let n = 0;
    server = await startStandIn(() => answers[n++]!);
    const r = await publishIssue('buttondown', INPUT, { buttondownURL: `${server.origin}/v1`, env: { BUTTONDOWN_API_KEY: 'k' }, ...FAST });
    expect(r).toMatchObject({ ok: true, value: { id: 'email-1' } });
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(first!.headers['x-idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second!.headers['x-idempotency-key']).toBe(first!.headers['x-idempotency-key']);
    expect(second!.body).toBe(first!.body);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it('each publish is its own attempt, with its own key', async () => {
    server = await startStandIn(() => BD_CREATED);
    const s = { buttondownURL: `${server.origin}/v1`, env: { BUTTONDOWN_API_KEY: 'k' } };
    await publishIssue('buttondown', INPUT, s);
    await publishIssue('buttondown', INPUT, s);
    expect(server.requests[0]!.headers['x-idempotency-key']).not.toBe(server.requests[1]!.headers['x-idempotency-key']);
  });

  it('retries Ghost once after a 503, and gives up after a second 5xx with the reason', async () => {
    const answers = [ghostError(503, 'InternalServerError', 'Service unavailable'), GHOST_CREATED, { status: 502, body: '<html>Bad gateway</html>' }, { status: 500, body: 'upstream broke' }];
    let n = 0;
    server = await startStandIn(() => answers[n++]!);
    const s = { buttondownURL: 'http://127.0.0.1:9/', ghostAdminURL: server.origin, env: { GHOST_ADMIN_API_KEY: KEY }, ...FAST };
    expect(await publishIssue('ghost', INPUT, s)).toMatchObject({ ok: true, value: { id: 'post-1' } });
    expect(await publishIssue('ghost', INPUT, s)).toMatchObject({ ok: false, failure: { kind: 'publish.http_error', status: 500, message: expect.stringMatching(/HTTP 500: upstream broke/) } });
    expect(server.requests).toHaveLength(4);
  });

  it('retries Buttondown once after a timeout, with the same key, so the platform can answer with the first draft', async () => {
    const answers = [{ ...BD_CREATED, delayMs: 1_000 }, BD_CREATED];
    let n = 0;
    server = await startStandIn(() => answers[n++]!);
    const r = await publishIssue('buttondown', INPUT, { buttondownURL: `${server.origin}/v1`, env: { BUTTONDOWN_API_KEY: 'k' }, timeoutMs: 300, ...FAST });
    expect(r).toMatchObject({ ok: true, value: { id: 'email-1' } });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.headers['x-idempotency-key']).toBe(server.requests[0]!.headers['x-idempotency-key']);
  });

  it('does not retry Ghost after a timeout: Ghost has no idempotency key, so a retry could make a second draft', async () => {
    server = await startStandIn(() => ({ ...GHOST_CREATED, delayMs: 1_000 }));
    const r = await publishIssue('ghost', INPUT, { buttondownURL: 'http://127.0.0.1:9/', ghostAdminURL: server.origin, env: { GHOST_ADMIN_API_KEY: KEY }, timeoutMs: 300, ...FAST });
    expect(r).toMatchObject({ ok: false, failure: { kind: 'publish.timeout', message: expect.stringMatching(/check before retrying/) } });
    expect(server.requests).toHaveLength(1);
  });

  it('a 429 that is still there after the retry says how long the platform asks to wait', async () => {
    const answers = [tooManyRequests(0), tooManyRequests(45, { detail: 'Request was throttled. Expected available in 45 seconds.' })];
    let n = 0;
    server = await startStandIn(() => answers[n++]!);
    const r = await publishIssue('buttondown', INPUT, { buttondownURL: `${server.origin}/v1`, env: { BUTTONDOWN_API_KEY: 'k' }, ...FAST });
    expect(r).toMatchObject({ ok: false, failure: { kind: 'publish.rate_limited', status: 429, retryAfterMs: 45_000, message: expect.stringMatching(/Request was throttled.*45 s/) } });
    expect(server.requests).toHaveLength(2);
  });

  it('a Retry-After beyond the cap is not waited for: it says when to come back', async () => {
    server = await startStandIn(() => tooManyRequests(3600));
    const r = await publishIssue('buttondown', INPUT, { buttondownURL: `${server.origin}/v1`, env: { BUTTONDOWN_API_KEY: 'k' }, ...FAST });
    expect(r).toMatchObject({ ok: false, failure: { kind: 'publish.rate_limited', status: 429, retryAfterMs: 3_600_000, message: expect.stringMatching(/3600 s/) } });
    expect(server.requests).toHaveLength(1);
  });
});

describe('retryWait: whether and how long to wait before the one retry', () => {
  const opts = { defaultWaitMs: 1000, maxWaitMs: 30_000 };
  const now = new Date('2026-12-01T10:00:00Z');
  it('retries 429 and 5xx, not other answers', () => {
    expect(retryWait(429, null, now, opts)).toEqual({ retry: true, waitMs: 1000 });
    expect(retryWait(503, null, now, opts)).toEqual({ retry: true, waitMs: 1000 });
    for (const status of [400, 401, 404, 422]) expect(retryWait(status, null, now, opts)).toEqual({ retry: false });
  });
  it('reads Retry-After as seconds or as a date, and refuses a wait over the cap', () => {
    expect(retryWait(429, '7', now, opts)).toEqual({ retry: true, waitMs: 7000 });
    expect(retryWait(503, 'Tue, 01 Dec 2026 10:00:12 GMT', now, opts)).toEqual({ retry: true, waitMs: 12_000 });
    expect(retryWait(429, 'Tue, 01 Dec 2026 09:00:00 GMT', now, opts)).toEqual({ retry: true, waitMs: 0 });
    expect(retryWait(429, '120', now, opts)).toEqual({ retry: false, tooLongMs: 120_000 });
    expect(retryWait(429, 'soon', now, opts)).toEqual({ retry: true, waitMs: 1000 });
  });
});
