import { describe, expect, it } from 'vitest';
import { isTrackingParam, stripTrackingParams } from './tracking.ts';

describe('stripTrackingParams', () => {
  it('removes utm_* in any case and the common click ids, keeping other parameters in order and the fragment', () => {
    expect(stripTrackingParams('https://x.example/a?id=7&utm_source=rss&UTM_Medium=feed&page=2#part-2')).toBe('https://x.example/a?id=7&page=2#part-2');
    for (const p of ['fbclid', 'gclid', 'dclid', 'msclkid', 'mc_cid', 'mc_eid', 'ref_src', 'igshid', 'yclid', 'twclid', '_hsenc', '_hsmi', 'mkt_tok']) {
      expect(stripTrackingParams(`https://x.example/a?${p}=abc&q=1`), p).toBe('https://x.example/a?q=1');
    }
  });

  it('drops the "?" when nothing is left, and keeps a fragment after it', () => {
    expect(stripTrackingParams('https://x.example/a?utm_source=feed')).toBe('https://x.example/a');
    expect(stripTrackingParams('https://x.example/a?utm_source=feed&fbclid=1#top')).toBe('https://x.example/a#top');
  });

  it('leaves a URL without trackers byte for byte as it was: encoding, bare keys, empty values', () => {
    for (const url of ['https://x.example/a', 'https://x.example/a?q=a%20b+c&flag&empty=', 'https://x.example/a?ref=home', 'https://x.example/a#utm_source=x', 'https://x.example/?']) {
      expect(stripTrackingParams(url)).toBe(url);
    }
    // Other parameters keep their spelling when a tracker is removed.
    expect(stripTrackingParams('https://x.example/s?q=a%20b+c&utm_campaign=x&tag=%E2%9C%93')).toBe('https://x.example/s?q=a%20b+c&tag=%E2%9C%93');
  });

  it('reads an encoded parameter name as its decoded name', () => {
    expect(stripTrackingParams('https://x.example/a?utm%5Fsource=x&k=v')).toBe('https://x.example/a?k=v');
    expect(isTrackingParam('utm_anything')).toBe(true);
    expect(isTrackingParam('utmost')).toBe(false);
    expect(isTrackingParam('id')).toBe(false);
  });
});
