import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from './index.ts';

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aiwins-users-'));
  store = await openStore(join(dir, 'aiwins.db'));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const NOW = new Date('2026-12-01T09:00:00Z');
const reserve = (username: string, address: string, now = NOW) =>
  store.users.reserveLoginAttempt({ username, address, now, since: new Date(now.getTime() - 15 * 60_000), perPair: 3, perAddress: 5, forgetBefore: new Date(now.getTime() - 86_400_000) });

describe('login attempts', () => {
  it('a reserved attempt counts as a failure until settled: the pair limit holds for attempts still being checked', async () => {
    const first = await Promise.all([1, 2, 3, 4].map(() => reserve('ann', '10.0.0.1')));
    expect(first.map((r) => r.reserved)).toEqual([true, true, true, false]);
    expect(first[3]).toEqual({ reserved: false, limit: 'account_address' });
    // Other addresses are not locked out of the account; they see its failures, to slow down by.
    expect(await reserve('ANN', '10.0.0.2')).toMatchObject({ reserved: true, accountFailures: 3 });
  });

  it('a success clears the account for the slowdown, and that address only for the lock', async () => {
    const ok = await reserve('bob', '10.1.0.1');
    for (let i = 0; i < 2; i++) await reserve('bob', '10.1.0.2');
    expect(await reserve('bob', '10.1.0.1')).toMatchObject({ reserved: true, accountFailures: 3 });
    if (!ok.reserved) throw new Error('expected a reservation');
    const last = await reserve('bob', '10.1.0.3');
    if (!last.reserved) throw new Error('expected a reservation');
    await store.users.settleLoginAttempt(last.id, true);
    expect(await reserve('bob', '10.1.0.4')).toMatchObject({ reserved: true, accountFailures: 0 });
    expect(await reserve('bob', '10.1.0.2')).toMatchObject({ reserved: true });
    expect(await reserve('bob', '10.1.0.2')).toEqual({ reserved: false, limit: 'account_address' });
  });

  it('an address is refused for every account after perAddress failures, until the window passes', async () => {
    for (let i = 0; i < 5; i++) expect((await reserve(`user${i}`, '10.2.0.1')).reserved).toBe(true);
    expect(await reserve('someone-else', '10.2.0.1')).toEqual({ reserved: false, limit: 'address' });
    expect((await reserve('someone-else', '10.2.0.1', new Date(NOW.getTime() + 16 * 60_000))).reserved).toBe(true);
  });
});
