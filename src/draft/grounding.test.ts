import { describe, expect, it } from 'vitest';
import { checkGrounding } from './index.ts';

const article = 'Dr. Lopez said: \u201CIt\u2019s like having a tireless second reader\u201D \u2014 and the  team\nagreed.';

describe('checkGrounding', () => {
  it('matches across curly/straight quotes, dashes, whitespace and case', () => {
    expect(checkGrounding(`"It's like having a tireless second reader"`, article)).toBe(true);
    expect(checkGrounding('it\'s LIKE having a tireless second reader" - and the team agreed.', article)).toBe(true);
  });

  it('rejects a fabricated or paraphrased quote', () => {
    expect(checkGrounding('like having a very tireless second reader', article)).toBe(false);
    expect(checkGrounding('the team disagreed strongly', article)).toBe(false);
  });

  it('rejects quotes shorter than three words', () => {
    expect(checkGrounding('second reader', article)).toBe(false);
    expect(checkGrounding('', article)).toBe(false);
  });
});
