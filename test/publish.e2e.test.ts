import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { runCli, tempProject, type TempProject } from './helpers/project.ts';
import { seedStories, tenStories } from './helpers/newsletter.ts';
import { ghostInvalidJwt, redirectTo, startStandIn, tooManyRequests, type StandIn } from './helpers/stand-in.ts';

let project: TempProject;
let server: StandIn | null = null;
const GHOST_KEY = '6748592f4b9b7700010f6564:b1b5b9c1d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1';

beforeEach(async () => {
  project = tempProject();
  project.writeConfig('feeds: []\n');
  await seedStories(project.dbPath, tenStories().slice(0, 3));
});
afterEach(async () => {
  await server?.close();
  server = null;
  project.remove();
});

const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(['--config', project.configPath, '--db', project.dbPath, ...args], env);

function decodeJwt(token: string) {
  const [h, p, sig] = token.split('.');
  const part = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  return { header: part(h!), payload: part(p!), signed: `${h}.${p}`, sig: sig! };
}

describe('aiwins publish', () => {
  it('--to buttondown creates a DRAFT email with the key from the environment', async () => {
    server = await startStandIn(() => ({ status: 201, body: { id: 'email-123', status: 'draft' } }));
    project.writeConfig(`feeds: []\npublish:\n  buttondownURL: "${server.origin}/v1"\n`);
    expect((await cli(['issue', 'new', '--title', 'Week 48'])).code).toBe(0);
    const r = await cli(['publish', '1', '--to', 'buttondown', '--json'], { BUTTONDOWN_API_KEY: 'bd-key' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ target: 'buttondown', id: 'email-123', url: null });
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/emails');
    expect(req.headers.authorization).toBe('Token bd-key');
    expect(req.headers['content-type']).toBe('application/json');
    const body = JSON.parse(req.body);
    expect(body.status).toBe('draft');
    expect(body.subject).toBe('Week 48');
    expect(body.body).toMatch(/^<div class="preheader"/);
    expect(body.body).toContain('width="600"');
    expect(body.body).not.toMatch(/<(html|head|style|script)\b/i);
  });

  it('--to buttondown waits out a 429 and retries once with the same X-Idempotency-Key', async () => {
    const answers = [tooManyRequests(1), { status: 201, body: { id: 'email-9', status: 'draft' } }];
    let n = 0;
    server = await startStandIn(() => answers[n++]!);
    project.writeConfig(`feeds: []\npublish:\n  buttondownURL: "${server.origin}/v1"\n`);
    expect((await cli(['issue', 'new'])).code).toBe(0);
    const r = await cli(['publish', '1', '--to', 'buttondown', '--json'], { BUTTONDOWN_API_KEY: 'bd-key' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'email-9' });
    expect(server.requests).toHaveLength(2);
    const keys = server.requests.map((q) => q.headers['x-idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('--to ghost with the site URL: the redirect to the admin domain is named, exit 1, nothing followed', async () => {
    server = await startStandIn(() => redirectTo('https://my-news.ghost.io/ghost/api/admin/posts/'));
    project.writeConfig(`feeds: []\npublish:\n  ghostAdminURL: "${server.origin}"\n`);
    expect((await cli(['issue', 'new'])).code).toBe(0);
    const r = await cli(['publish', '1', '--to', 'ghost'], { GHOST_ADMIN_API_KEY: GHOST_KEY });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('publish.redirect: Ghost answered 301 to https://my-news.ghost.io/ghost/api/admin/posts/');
    expect(r.stderr).toContain('publish.ghostAdminURL');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(server.requests).toHaveLength(1);
  });

  it("--to ghost with a token Ghost refuses: the auth kind, Ghost's reason and the clock hint", async () => {
    server = await startStandIn(() => ghostInvalidJwt('jwt expired'));
    project.writeConfig(`feeds: []\npublish:\n  ghostAdminURL: "${server.origin}"\n`);
    expect((await cli(['issue', 'new'])).code).toBe(0);
    const r = await cli(['publish', '1', '--to', 'ghost'], { GHOST_ADMIN_API_KEY: GHOST_KEY });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/publish\.auth: Ghost refused the key \(HTTP 401: Invalid token: jwt expired\): .*clock/);
  });

  it('--to ghost creates a draft post holding the issue as one HTML card, with a 5-minute HS256 token', async () => {
    server = await startStandIn(() => ({ status: 201, body: { posts: [{ id: 'post-1', url: 'https://blog.example/p/post-1/' }] } }));
    project.writeConfig(`feeds: []\npublish:\n  ghostURL: "${server.origin}/"\n`);
    expect((await cli(['issue', 'new'])).code).toBe(0);
    const r = await cli(['publish', '1', '--to', 'ghost'], { GHOST_ADMIN_API_KEY: GHOST_KEY });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('created a draft on ghost (id post-1): https://blog.example/p/post-1/; nothing was sent\n');
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/ghost/api/admin/posts/');
    expect(req.headers['accept-version']).toBe('v5.0');
    const [scheme, token] = String(req.headers.authorization).split(' ');
    expect(scheme).toBe('Ghost');
    const jwt = decodeJwt(token!);
    const [id, secret] = GHOST_KEY.split(':');
    expect(jwt.header).toEqual({ alg: 'HS256', typ: 'JWT', kid: id });
    expect(jwt.payload.aud).toBe('/admin/');
    expect(jwt.payload.exp - jwt.payload.iat).toBe(300);
    expect(jwt.sig).toBe(createHmac('sha256', Buffer.from(secret!, 'hex')).update(jwt.signed).digest('base64url'));

    const post = JSON.parse(req.body).posts[0];
    expect(post.status).toBe('draft');
    expect(post.title).toBe('AI Wins · Issue 1');
    const lexical = JSON.parse(post.lexical);
    expect(lexical.root.children).toHaveLength(1);
    expect(lexical.root.children[0].type).toBe('html');
    expect(lexical.root.children[0].html).toContain('Key Takeaways');
  });

  it('without a key it says which variable to set, exit 2, and sends nothing', async () => {
    server = await startStandIn(() => ({ status: 500, body: {} }));
    project.writeConfig(`feeds: []\npublish:\n  buttondownURL: "${server.origin}/v1"\n`);
    expect((await cli(['issue', 'new'])).code).toBe(0);
    const r = await cli(['publish', '1', '--to', 'buttondown'], { BUTTONDOWN_API_KEY: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/publish\.not_configured: BUTTONDOWN_API_KEY is not set/);
    expect(server.requests).toHaveLength(0);
  });
});

