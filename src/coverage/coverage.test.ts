import { describe, expect, it } from 'vitest';
import { bandKeys, coverageReason, judgeCoverage, likeness, signStory, titleWordsOf } from './index.ts';
import {
  OTHER_HOSPITAL,
  OTHER_HOSPITAL_TITLE,
  OUTLET_A,
  OUTLET_B,
  OUTLET_B_TITLE,
  RELEASE,
  RELEASE_TITLE,
  SCHOLARSHIP_2025,
  SCHOLARSHIP_2026,
} from './__fixtures__/stories.ts';

const shareBand = (a: ReturnType<typeof signStory>, b: ReturnType<typeof signStory>) => {
  const keys = new Set(bandKeys(a));
  return bandKeys(b).some((k) => keys.has(k));
};

describe('titles', () => {
  it('drops the site name after a separator and a short label before a colon', () => {
    expect(titleWordsOf('AI alerts help nurses catch sepsis | Health Desk')).toEqual(['ai', 'alerts', 'help', 'nurses', 'catch', 'sepsis']);
    expect(titleWordsOf('Exclusive: Café opens — The Daily Wire Desk')).toEqual(['cafe', 'opens']);
    expect(titleWordsOf(null)).toEqual([]);
  });
});

describe('copies of one story', () => {
  const release = signStory(RELEASE_TITLE, RELEASE);

  it('the same text in another template (other whitespace, case and punctuation) is the same text', () => {
    const copy = signStory(`${RELEASE_TITLE} - Wire Desk`, RELEASE.toUpperCase().replace(/\n\n/g, '\n').replace(/,/g, ' ,'));
    const c = coverageReason(copy, release);
    expect(c?.reason).toBe('same_text');
    expect(c?.likeness.text).toBe(1);
    expect(shareBand(copy, release)).toBe(true);
  });

  it('a copy with its first paragraph cut and the headline rewritten is still a copy', () => {
    const trimmed = signStory('Report: sepsis deaths down a fifth at Riverside Hospital with AI', RELEASE.split('\n\n').slice(1).join('\n\n'));
    expect(coverageReason(trimmed, release)).not.toBeNull();
    expect(shareBand(trimmed, release)).toBe(true);
  });

  it('two outlets quoting the same press release under their own openings are one story', () => {
    const a = signStory(RELEASE_TITLE, OUTLET_A);
    const b = signStory(OUTLET_B_TITLE, OUTLET_B);
    expect(coverageReason(b, a)).not.toBeNull();
    expect(shareBand(a, b)).toBe(true);
  });

  it('judgeCoverage names the story copied, the most similar of those seen', () => {
    const seen = [
      { id: 7, signature: signStory(OTHER_HOSPITAL_TITLE, OTHER_HOSPITAL) },
      { id: 8, signature: signStory(RELEASE_TITLE, OUTLET_A) },
      { id: 9, signature: release },
    ];
    const m = judgeCoverage(signStory(`${RELEASE_TITLE} | Wire Desk`, RELEASE), seen);
    expect(m).toMatchObject({ storyId: 9, reason: 'same_text', similarity: 1 });
  });
});

describe('different stories', () => {
  it('two stories on one topic are not merged', () => {
    const a = signStory(RELEASE_TITLE, RELEASE);
    const b = signStory(OTHER_HOSPITAL_TITLE, OTHER_HOSPITAL);
    expect(coverageReason(a, b)).toBeNull();
    expect(likeness(a, b).text).toBeLessThan(0.1);
    expect(judgeCoverage(b, [{ id: 1, signature: a }])).toBeNull();
  });

  it("next year's announcement in the same template is another story: its numbers changed", () => {
    const a = signStory('AI Safety Summit travel scholarships', SCHOLARSHIP_2025);
    const b = signStory('AI Safety Summit travel scholarships', SCHOLARSHIP_2026);
    const l = likeness(a, b);
    // The words alone would merge them; the numbers keep them apart.
    expect(l.text).toBeGreaterThan(0.5);
    expect(l.numbers).toBeLessThan(0.7);
    expect(coverageReason(a, b)).toBeNull();
  });

  it('the same headline with another version number and a similar lead is another story', () => {
    const lead = (v: string, d: string) =>
      `The model API ${v} will be retired on ${d}, after which all ${v} requests will fail. If you are still on ${v}, we recommend that you migrate to the current release now, using the guide below.`;
    const a = signStory('Model API v2024.09 retirement reminder', lead('v2024.09', 'June 21'));
    const b = signStory('Model API v2024.06 retirement reminder', lead('v2024.06', 'April 11'));
    expect(likeness(a, b).title).toBeGreaterThanOrEqual(0.6);
    expect(coverageReason(a, b)).toBeNull();
  });

  it('an empty text is never a copy', () => {
    expect(coverageReason(signStory(RELEASE_TITLE, ''), signStory(RELEASE_TITLE, ''))).toBeNull();
    expect(bandKeys(signStory(null, ''))).toEqual([]);
  });
});

describe('signatures', () => {
  it('stay the same across releases: stored signatures are compared with new ones', () => {
    const s = signStory('A title of four words', 'One two three four five six seven.');
    expect(s.shingles).toBe(4);
    expect(s.text.slice(0, 3)).toEqual([519982641, 1903664721, 605636666]);
    expect(bandKeys(s).slice(0, 2)).toEqual(['t0:1ai5h0k', 't1:19ewqtq']);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
