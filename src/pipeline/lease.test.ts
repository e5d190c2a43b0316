import { describe, expect, it } from 'vitest';
import { faultLeaseMs } from './lease.ts';

describe('faultLeaseMs', () => {
  it('takes a positive number of milliseconds; anything else is no override', () => {
    expect(faultLeaseMs('1000')).toBe(1000);
    expect(faultLeaseMs('2500.5')).toBe(2500.5);
    for (const raw of [undefined, '', '0', '-5', 'soon', 'Infinity', 'NaN']) expect(faultLeaseMs(raw), String(raw)).toBeUndefined();
  });
});
