import { describe, expect, it } from 'vitest';
import { keptFor } from './facets.ts';

describe('keptFor', () => {
  it('reads once per period, shares a read in flight, and reads again after the period or a failure', async () => {
    let clock = 0;
    let reads = 0;
    let fail = false;
    const read = async () => {
      reads++;
      if (fail) throw new Error('db down');
      return reads;
    };
    const facets = keptFor(30_000, read, () => clock);
    expect(await Promise.all([facets(), facets()])).toEqual([1, 1]);
    clock = 29_999;
    expect(await facets()).toBe(1);
    clock = 30_000;
    expect(await facets()).toBe(2);
    // A failed read is not kept: the next call reads again.
    clock = 70_000;
    fail = true;
    await expect(facets()).rejects.toThrow('db down');
    fail = false;
    expect(await facets()).toBe(4);
    expect(reads).toBe(4);
  });
});
