import { MAX_IMPLICATIONS, MAX_PARAGRAPHS, MAX_TAKEAWAYS } from '../../src/review/forms.ts';
import type { EditValues } from '../../src/review/version-text.ts';

/** A seeded stream of short words: two seeds give two texts that differ throughout. */
function words(seed: number): (chars: number) => string {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return (chars) => {
    let out = '';
    while (out.length < chars) {
      const n = 2 + (next() % 7);
      let w = '';
      for (let i = 0; i < n; i++) w += letters[next() % 26];
      out += (out ? ' ' : '') + w;
    }
    return out.slice(0, chars).trim();
  };
}

/**
 * An edit with every field at the longest the edit form admits (about 49,000 characters in
 * all), its words drawn from `seed`: the worst case for the version diff.
 */
export function maxEdit(seed: number, category = 'Health'): EditValues {
  const w = words(seed);
  return {
    headline: w(300),
    tldr: w(1000),
    deck: w(500),
    body: Array.from({ length: MAX_PARAGRAPHS }, () => w(3000)),
    whyItMatters: w(3000),
    implications: Array.from({ length: MAX_IMPLICATIONS }, () => w(1000)),
    readerNote: w(2000),
    category,
    takeaways: Array.from({ length: MAX_TAKEAWAYS }, () => ({ text: w(1000), quote: w(1000) })),
  };
}

/** The edit form's fields for these values, as a browser sends them. */
export function editFields(v: EditValues, version: number, csrf: string): Record<string, string> {
  const fields: Record<string, string> = {
    _csrf: csrf,
    version: String(version),
    headline: v.headline,
    tldr: v.tldr,
    deck: v.deck,
    body: v.body.join('\n\n'),
    whyItMatters: v.whyItMatters,
    implications: v.implications.join('\n'),
    readerNote: v.readerNote ?? '',
    category: v.category,
  };
  v.takeaways.forEach((t, i) => {
    fields[`takeaways.${i}.text`] = t.text;
    fields[`takeaways.${i}.quote`] = t.quote;
  });
  return fields;
}
