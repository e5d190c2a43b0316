import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { DeskContext, DeskEnv } from '../context.ts';
import { loginForm, parseForm } from '../forms.ts';
import { UNKNOWN_USER_HASH, verifyPassword } from '../password.ts';
import { loginDelayMs, startSession } from '../security.ts';
import { LoginPage } from '../views/pages.tsx';

/** The client's address: the proxy's last X-Forwarded-For hop when proxies are trusted, else the socket peer. */
function clientAddress(c: DeskContext): string {
  const o = c.get('options');
  if (o.clientAddress) return o.clientAddress(c);
  if (o.trustProxy) {
    const hops = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean);
    if (hops?.length) return hops[hops.length - 1]!;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * While the database has no editor, nobody can log in: the page says how to add one, naming the
 * database the desk was started on (a `users add` without --db writes to another one).
 */
async function noEditorNotice(c: DeskContext): Promise<string | undefined> {
  const store = c.get('options').store;
  if ((await store.users.listUsers()).length > 0) return undefined;
  const db = !store.location ? 'PATH' : store.dialect === 'postgres' ? store.location : resolve(store.location);
  return `No editor in this database (${db}) yet: add one with \`aiwins users add NAME --password-stdin --db ${db}\` (the password on stdin), then log in.`;
}

/**
 * The login form. Each attempt is counted before its password is checked, so a burst of parallel
 * guesses gets no more checks than a sequence. Failures lock the account at that address (5 by
 * default) and the address for every account (20); the account's failures from all addresses
 * only slow its logins down (loginDelayMs), so nobody can lock an editor out from everywhere.
 */
export const login = new Hono<DeskEnv>();

login.get('/login', async (c) => (c.get('session') ? c.redirect('/', 303) : c.html(<LoginPage nonce={c.get('nonce')} notice={await noEditorNotice(c)} />)));

login.post('/login', async (c) => {
  const o = c.get('options');
  const form = parseForm(loginForm, await c.req.parseBody());
  const address = clientAddress(c);
  const now = o.now();
  const limits = o.loginLimits;
  const attempt = await o.store.users.reserveLoginAttempt({
    username: form.username,
    address,
    now,
    since: new Date(now.getTime() - limits.windowMinutes * 60_000),
    perPair: limits.perAccount,
    perAddress: limits.perAddress,
    forgetBefore: new Date(now.getTime() - 86_400_000),
  });
  if (!attempt.reserved) {
    const from = attempt.limit === 'address' ? 'from your address' : 'for this account from your address';
    const error = `Too many failed logins ${from}; try again in ${limits.windowMinutes} minutes.`;
    c.header('Retry-After', String(limits.windowMinutes * 60));
    return c.html(<LoginPage nonce={c.get('nonce')} username={form.username} error={error} />, 429);
  }
  const delay = loginDelayMs(attempt.accountFailures, limits.perAccount);
  if (delay > 0) await sleep(delay);
  const creds = await o.store.users.credentials(form.username);
  // An unknown name costs the same hashing as a known one, so timing does not tell them apart.
  const matches = await verifyPassword(form.password, creds?.passwordHash ?? UNKNOWN_USER_HASH);
  const ok = matches && creds !== null;
  await o.store.users.settleLoginAttempt(attempt.id, ok);
  if (!ok) return c.html(<LoginPage nonce={c.get('nonce')} username={form.username} error="Wrong username or password." notice={await noEditorNotice(c)} />, 401);
  // A fresh session at each login: a session id planted before login is never the one logged in.
  const old = c.get('session');
  if (old) await o.store.users.endSession(old.tokenHash);
  await startSession(c, creds.user.id);
  return c.redirect('/', 303);
});
