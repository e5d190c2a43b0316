import { afterEach, describe, expect, it } from 'vitest';
import { startStandIn, type StandIn } from '../../test/helpers/stand-in.ts';
import { ghostAdminToken, publishIssue } from './publish.ts';

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
      { status: 201, body: '<html>not json</html>' },
      { status: 201, body: { posts: [] } },
    ];
    let n = 0;
    server = await startStandIn(() => answers[n++]!);
    const settings = { buttondownURL: `${server.origin}/v1`, ghostURL: server.origin, env: { BUTTONDOWN_API_KEY: 'k', GHOST_ADMIN_API_KEY: KEY } };
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
      failure: { kind: 'publish.not_configured', message: expect.stringMatching(/publish\.ghostURL/) },
    });
  });

  it('the Ghost token is valid for five minutes from the given clock', () => {
    const token = ghostAdminToken(KEY, new Date('2026-12-01T10:00:00Z'))!;
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload).toEqual({ iat: 1796119200, exp: 1796119500, aud: '/admin/' });
  });
});
