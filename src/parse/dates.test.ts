import { describe, expect, it } from 'vitest';
import { parseFeedDate } from './dates.ts';

const NOW = new Date('2026-01-15T00:00:00Z');

describe('parseFeedDate', () => {
  it.each([
    ['Thu, 05 Sep 2002 00:00:01 GMT', '2002-09-05T00:00:01.000Z'],
    ['2004-04-20T11:56:34Z', '2004-04-20T11:56:34.000Z'],
    ['2010-06-05T10:00+0200', '2010-06-05T08:00:00.000Z'],
    ['2025-06-02 10:00:00', '2025-06-02T10:00:00.000Z'],
    ['Tues, 05 Sep 2002 00:00:01 CEST', '2002-09-04T22:00:01.000Z'],
    ['05 Sep 2002 00:00 EST', '2002-09-05T05:00:00.000Z'],
    ['12-Oct-2009', '2009-10-12T00:00:00.000Z'],
    ['', null],
    ['garbage', null],
    ['1066-10-14T00:00:00Z', null],
    ['2099-01-01T00:00:00Z', NOW.toISOString()],
  ])('%s -> %s', (raw, iso) => {
    expect(parseFeedDate(raw, NOW).iso).toBe(iso);
  });

  it('explains what it forgave', () => {
    expect(parseFeedDate('garbage', NOW).problem).toMatch(/unparseable/);
    expect(parseFeedDate('2099-01-01T00:00:00Z', NOW).problem).toMatch(/clamped/);
    expect(parseFeedDate('2004-04-20T11:56:34Z', NOW).problem).toBeNull();
  });
});
