import { describe, expect, it } from 'vitest';
import { cleanParagraphs } from './clean.ts';

const story = [
  'The council approved the plan on Tuesday after a long debate about costs and benefits.',
  'Officials said the model would be reviewed after one winter, and the results published.',
];

describe('cleanParagraphs', () => {
  it('drops label lines, bylines and dates at the edges, legal footers anywhere', () => {
    const text = ['Home', 'By MARIA LOPEZ', 'January 8, 2008 4:33 PM', story[0], 'Advertisement', story[1], 'Print Email this', '© 2008 Herald. All rights reserved.'].join('\n\n');
    expect(cleanParagraphs(text)).toBe(story.join('\n\n'));
  });

  it('keeps short lines in the middle, where they may be sub-headings', () => {
    const text = [story[0], 'What happens next', story[1]].join('\n\n');
    expect(cleanParagraphs(text)).toBe(text);
  });

  it('drops the headline when the text starts with it', () => {
    expect(cleanParagraphs(['Council approves plough model', ...story].join('\n\n'), new Set(), 'Council approves plough model')).toBe(story.join('\n\n'));
  });

  it('never trims a text away entirely', () => {
    expect(cleanParagraphs('Home')).toBe('Home');
  });

  it('leaves a rule out when asked (for measuring it)', () => {
    const text = ['Home', ...story].join('\n\n');
    expect(cleanParagraphs(text, new Set(['edge-lines']))).toBe(text);
  });
});
