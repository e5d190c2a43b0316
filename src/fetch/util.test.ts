import { describe, expect, it } from 'vitest';
import { parseRetryAfter, redactUrl } from './index.ts';
import { parseContentEncoding } from './body.ts';
import { redactUrlsIn } from './redact.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['1000000000', 1e12],
    ['Wed, 01 Jan 2025 01:00:00 GMT', 3_600_000],
    ['Wednesday, 01-Jan-25 00:00:30 GMT', 30_000],
    ['Wed Jan  1 00:00:10 2025', 10_000],
    ['Tue, 31 Dec 2024 00:00:00 GMT', 0],
    ['soon', null],
    ['-5', null],
    ['1.5', null],
    ['', null],
    ['Mon, garbage', null],
    [null, null],
  ])('%j -> %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('redactUrl', () => {
  it.each([
    ['https://user:pa55@example.com/feed?x=1', 'https://***@example.com/feed?x=1'],
    ['https://example.com/feed?token=abc&page=2&api_key=k&sig=s', 'https://example.com/feed?token=REDACTED&page=2&api_key=REDACTED&sig=REDACTED'],
    ['https://example.com/rss?key=secret#top', 'https://example.com/rss?key=REDACTED#top'],
    ['https://example.com/plain', 'https://example.com/plain'],
    ['not a url //bob:pw@host?access_token=zzz', 'not a url //***@host?access_token=REDACTED'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('redactUrlsIn', () => {
  it.each([
    ['feeds[0].url is already feeds[1].url (https://x.example/f?token=abc)', 'feeds[0].url is already feeds[1].url (https://x.example/f?token=REDACTED)'],
    ['see https://x.example/f?api_key=abc.', 'see https://x.example/f?api_key=REDACTED.'],
    ['[https://x.example/f?sig=abc], then', '[https://x.example/f?sig=REDACTED], then'],
    ['a link to https://en.example/wiki/Foo_(bar) stays whole', 'a link to https://en.example/wiki/Foo_(bar) stays whole'],
  ])('keeps the punctuation around a URL: %s', (input, expected) => {
    expect(redactUrlsIn(input)).toBe(expected);
  });
});

describe('parseContentEncoding', () => {
  it('lists codings in applied order without identity', () => {
    expect(parseContentEncoding('gzip, identity, BR')).toEqual(['gzip', 'br']);
    expect(parseContentEncoding(null)).toEqual([]);
  });
});
