import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachBackend, tempDatabase, type TempDatabase } from '../../test/helpers/stores.ts';
import { UserExistsError, type Store } from './index.ts';

const NOW = new Date('2026-12-01T09:00:00Z');
const reserve = (store: Store, username: string, address: string, now = NOW) =>
  store.users.reserveLoginAttempt({ username, address, now, since: new Date(now.getTime() - 15 * 60_000), perPair: 3, perAddress: 5, forgetBefore: new Date(now.getTime() - 86_400_000) });

describeEachBackend('users', (backend) => {
  let t: TempDatabase;
  beforeEach(async () => {
    t = await tempDatabase(backend);
  });
  afterEach(() => t.remove());
  // Two desks are two pools on one PostgreSQL database. Two SQLite connections in one process
  // cannot stand for two desks: one waiting on the other's lock blocks the thread the other needs
  // to commit (desks on one SQLite file are processes, taking turns at BEGIN IMMEDIATE).
  const twoDesks = it.runIf(backend === 'postgres');

  it('names compare case-insensitively: a taken name in another case is UserExistsError, and finds the user', async () => {
    const store = await t.open();
    const ann = await store.users.addUser('Ann', 'hash-a', NOW);
    expect(ann).toEqual({ id: expect.any(Number), name: 'Ann', createdAt: NOW });
    await expect(store.users.addUser('ANN', 'hash-b', NOW)).rejects.toBeInstanceOf(UserExistsError);
    await store.users.addUser('bob', 'hash-b', NOW);
    expect(await store.users.credentials('aNN')).toEqual({ user: ann, passwordHash: 'hash-a' });
    expect((await store.users.listUsers()).map((u) => u.name)).toEqual(['Ann', 'bob']);
    expect(await store.users.removeUser('ann')).toBe(true);
    expect(await store.users.removeUser('ann')).toBe(false);
    expect(await store.users.credentials('Ann')).toBeNull();
  });

  twoDesks('two desks adding the same name at once: one user, the other a UserExistsError', async () => {
    const [a, b] = [await t.open(), await t.open()];
    const results = await Promise.allSettled([a.users.addUser('cat', 'h1', NOW), b.users.addUser('CAT', 'h2', NOW)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(UserExistsError);
    expect(await a.users.listUsers()).toHaveLength(1);
  });

  it('a session is valid until its absolute expiry or idle limit, ends on logout, and goes with its user', async () => {
    const store = await t.open();
    const u = await store.users.addUser('dan', 'h', NOW);
    const expiresAt = new Date(NOW.getTime() + 3_600_000);
    await store.users.createSession({ tokenHash: 't1', userId: u.id, csrfToken: 'c1', now: NOW, expiresAt });
    const later = new Date(NOW.getTime() + 60_000);
    expect(await store.users.useSession('t1', later, 120_000)).toEqual({ tokenHash: 't1', user: u, csrfToken: 'c1', createdAt: NOW, lastSeenAt: later, expiresAt });
    // Idle 2 minutes since it was last seen: gone for good.
    expect(await store.users.useSession('t1', new Date(later.getTime() + 120_000), 120_000)).toBeNull();
    expect(await store.users.useSession('t1', later, 120_000)).toBeNull();

    await store.users.createSession({ tokenHash: 't2', userId: u.id, csrfToken: 'c2', now: NOW, expiresAt });
    await store.users.endSession('t2');
    expect(await store.users.useSession('t2', later, 120_000)).toBeNull();

    await store.users.createSession({ tokenHash: 't3', userId: u.id, csrfToken: 'c3', now: NOW, expiresAt });
    await store.users.removeUser('dan');
    expect(await store.users.useSession('t3', later, 120_000)).toBeNull();
  });

  it('a reserved attempt counts as a failure until settled: the pair limit holds for attempts still being checked', async () => {
    const store = await t.open();
    const first = await Promise.all([1, 2, 3, 4].map(() => reserve(store, 'ann', '10.0.0.1')));
    expect(first.map((r) => r.reserved).sort()).toEqual([false, true, true, true]);
    expect(first.find((r) => !r.reserved)).toEqual({ reserved: false, limit: 'account_address' });
    // Other addresses are not locked out of the account; they see its failures, to slow down by.
    expect(await reserve(store, 'ANN', '10.0.0.2')).toMatchObject({ reserved: true, accountFailures: 3 });
  });

  twoDesks('two desks sharing the database reserve no more attempts than the limit between them', async () => {
    const desks = [await t.open(), await t.open()];
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => reserve(desks[i % 2]!, 'eve', '10.3.0.1')));
    expect(results.filter((r) => r.reserved)).toHaveLength(3);
  });

  it('a success clears the account for the slowdown, and that address only for the lock', async () => {
    const store = await t.open();
    const ok = await reserve(store, 'bob', '10.1.0.1');
    for (let i = 0; i < 2; i++) await reserve(store, 'bob', '10.1.0.2');
    expect(await reserve(store, 'bob', '10.1.0.1')).toMatchObject({ reserved: true, accountFailures: 3 });
    if (!ok.reserved) throw new Error('expected a reservation');
    const last = await reserve(store, 'bob', '10.1.0.3');
    if (!last.reserved) throw new Error('expected a reservation');
    await store.users.settleLoginAttempt(last.id, true);
    expect(await reserve(store, 'bob', '10.1.0.4')).toMatchObject({ reserved: true, accountFailures: 0 });
    expect(await reserve(store, 'bob', '10.1.0.2')).toMatchObject({ reserved: true });
    expect(await reserve(store, 'bob', '10.1.0.2')).toEqual({ reserved: false, limit: 'account_address' });
  });

  it('an address is refused for every account after perAddress failures, until the window passes', async () => {
    const store = await t.open();
    for (let i = 0; i < 5; i++) expect((await reserve(store, `user${i}`, '10.2.0.1')).reserved).toBe(true);
    expect(await reserve(store, 'someone-else', '10.2.0.1')).toEqual({ reserved: false, limit: 'address' });
    expect((await reserve(store, 'someone-else', '10.2.0.1', new Date(NOW.getTime() + 16 * 60_000))).reserved).toBe(true);
  });
});
