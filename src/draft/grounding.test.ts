import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { claimsMissingFromQuote, claimsMissingFromSource, groundQuote, indexSource, locateQuote } from './index.ts';
import { checkAgainstSource } from './story.ts';

const TITLE = 'Hospital trial finds AI flags early pancreatic cancer months sooner';
const ARTICLE = [
  'The model reviewed more than 41,000 scans in the background and sent a short list of flagged cases to a panel of radiologists.',
  'Of the 212 patients flagged, 38 were found to have early tumours, and 29 of those were eligible for surgery.',
  '\u201CWe did not replace anyone\u2019s judgement,\u201D said Dr. Ines Varga, the radiologist who led the study \u2014 a   two-year trial.',
  'Tom Rees thanked Ines Varga for the work. The tool costs $5 million and cut waiting times by 40% over 3 years.',
  'Hospital trial finds AI flags early pancreatic cancer months sooner, the team wrote in its summary.',
].join('\n\n');
/** A line of the drafting prompt: instructions are never the article. */
const PROMPT_LINE = readFileSync(fileURLToPath(new URL('../../prompts/draft-story.md', import.meta.url)), 'utf8')
  .split('\n')
  .find((l) => l.includes('copied EXACTLY'))!
  .trim();

const source = indexSource({ title: 'Early pancreatic cancer screening: the trial results', text: ARTICLE });
const titleSource = indexSource({ title: TITLE, text: ARTICLE.split('\n\n').slice(0, 4).join('\n\n') });

type Row = [name: string, quote: string, grounded: boolean, problem?: string];

const QUOTES: Row[] = [
  // Positive: verbatim, up to case, quotes, dashes, whitespace and surrounding punctuation.
  ['verbatim sentence', 'The model reviewed more than 41,000 scans in the background', true],
  ['verbatim with the full stop', 'were found to have early tumours, and 29 of those were eligible for surgery.', true],
  ['different case', 'OF THE 212 PATIENTS FLAGGED, 38 WERE FOUND', true],
  ['straight quotes for curly ones', `"We did not replace anyone's judgement," said Dr. Ines Varga`, true],
  ['a hyphen for an em dash', 'who led the study - a two-year trial', true],
  ['collapsed whitespace', 'the study \u2014 a two-year trial', true],
  ['wrapped in quotation marks', '\u201Csent a short list of flagged cases to a panel\u201D', true],
  ['five words out of order', 'a panel of radiologists sent', false, 'not_found'],
  ['five words that occur', 'sent a short list of', true],
  ['a number with its thousands comma', 'more than 41,000 scans in the background', true],
  ['money and percent as written', 'The tool costs $5 million and cut waiting times by 40%', true],
  ['percent written out', 'cut waiting times by 40 percent over 3 years', true],
  ['a quote inside a longer paragraph', 'Tom Rees thanked Ines Varga for the work', true],
  ['apostrophe variants', "We did not replace anyone\u2019s judgement", true],
  ['missing comma is not a word change', 'Of the 212 patients flagged 38 were found to have early tumours', true],
  // Negative: partial words at either end.
  ['cut word at the start', 'odel reviewed more than 41,000 scans', false, 'not_found'],
  ['cut word at the end', 'The model reviewed more th', false, 'not_found'],
  ['cut words at both ends', 'odel reviewed more than 41,000 sca', false, 'not_found'],
  // Negative: numbers are whole tokens.
  ['"21" is not a prefix of "212"', 'Of the 21 patients flagged, 38 were found', false, 'not_found'],
  ['a changed digit', 'Of the 213 patients flagged, 38 were found', false, 'not_found'],
  ['a dropped thousands digit', 'more than 41,00 scans in the background', false, 'not_found'],
  ['a number without its comma', 'more than 41000 scans in the background', false, 'not_found'],
  ['a rounded number', 'more than 40,000 scans in the background', false, 'not_found'],
  ['a changed year count', 'cut waiting times by 40% over 4 years', false, 'not_found'],
  // Negative: unit changes.
  ['percent to points', 'cut waiting times by 40 points over 3 years', false, 'not_found'],
  ['dollars to pounds', 'The tool costs \u00A35 million and cut waiting times', false, 'not_found'],
  ['million to billion', 'The tool costs $5 billion and cut waiting times', false, 'not_found'],
  ['years to months', 'cut waiting times by 40% over 3 months', false, 'not_found'],
  // Negative: paraphrase, swaps, additions, elisions.
  ['paraphrased', 'The model looked at over 41,000 scans in the background', false, 'not_found'],
  ['names swapped', 'Ines Varga thanked Tom Rees for the work', false, 'not_found'],
  ['an added word', 'The model quickly reviewed more than 41,000 scans', false, 'not_found'],
  ['a dropped word', 'The model reviewed than 41,000 scans in the background', false, 'not_found'],
  ['words elided with an ellipsis', 'The model reviewed ... a panel of radiologists', false, 'not_found'],
  ['a plural changed', 'sent a short list of flagged case to a panel', false, 'not_found'],
  ['negation added', 'We did replace anyone\u2019s judgement, said Dr. Ines Varga', false, 'not_found'],
  ['invented text', 'doctors cured every patient in a single day', false, 'not_found'],
  // Negative: across paragraphs.
  ['spans a paragraph break', 'eligible for surgery. We did not replace anyone\u2019s judgement', false, 'spans_paragraphs'],
  ['spans a break without punctuation', 'panel of radiologists Of the 212 patients', false, 'spans_paragraphs'],
  // Negative: too short.
  ['four words', 'Of the 212 patients', false, 'too_short'],
  ['one word', 'radiologists', false, 'too_short'],
  ['empty', '', false, 'too_short'],
  ['punctuation only', '\u201C \u2014 ... \u201D', false, 'too_short'],
];

describe('groundQuote', () => {
  it.each(QUOTES)('%s', (_name, quote, grounded, problem) => {
    const result = groundQuote(quote, source);
    expect(result.grounded).toBe(grounded);
    if (!result.grounded) expect(result.problem).toBe(problem);
  });

  it('has at least 40 cases, positive and negative', () => {
    expect(QUOTES.length + TITLE_AND_PROMPT.length + CLAIMS.length).toBeGreaterThanOrEqual(40);
    expect(QUOTES.some((r) => r[2]) && QUOTES.some((r) => !r[2])).toBe(true);
  });
});

const TITLE_AND_PROMPT: Row[] = [
  ['a quote of the title', 'Hospital trial finds AI flags early pancreatic cancer months sooner', false, 'from_title'],
  ['part of the title', 'finds AI flags early pancreatic cancer', false, 'from_title'],
  ['a line of the prompt', PROMPT_LINE, false, 'not_found'],
  ['prompt wording', 'copied EXACTLY, character for character, from the article text', false, 'not_found'],
  ['the data block header', 'Truncated: no Text: The model reviewed', false, 'not_found'],
];

describe('quotes from the title or the prompt are not grounded', () => {
  it.each(TITLE_AND_PROMPT)('%s', (_name, quote, grounded, problem) => {
    const result = groundQuote(quote, titleSource);
    expect(result.grounded).toBe(grounded);
    if (!result.grounded) expect(result.problem).toBe(problem);
  });
});

/** [name, takeaway, its quote, the claims the takeaway adds]. */
const CLAIMS: [string, string, string, string[]][] = [
  ['restates its quote', 'Of 212 flagged patients, 38 had early tumours.', 'Of the 212 patients flagged, 38 were found to have early tumours', []],
  ['a changed number', 'Of 213 flagged patients, 38 had early tumours.', 'Of the 212 patients flagged, 38 were found to have early tumours', ['213']],
  ['a number the quote lacks', 'Surgery was possible for 29 of them.', 'Of the 212 patients flagged, 38 were found to have early tumours', ['29']],
  ['a name the quote lacks', 'The study, led by Dr. Ines Varga, found 38 tumours.', 'Of the 212 patients flagged, 38 were found to have early tumours', ['Ines', 'Varga']],
  ['a unit change', 'Waiting times fell 40 points.', 'cut waiting times by 40% over 3 years', ['40 points']],
  ['percent in words', 'Waiting times fell by 40 percent over three years.', 'cut waiting times by 40% over 3 years', []],
  ['a number written without its comma', 'The model read over 41000 scans.', 'The model reviewed more than 41,000 scans in the background', []],
  ['AI is not a name', 'The AI model read over 41,000 scans.', 'The model reviewed more than 41,000 scans in the background', []],
  ['a sentence-initial word is not a name', 'Radiologists got a short list.', 'sent a short list of flagged cases to a panel of radiologists', []],
  ['a sentence-initial full name is one', 'Maria Lopez got a short list.', 'sent a short list of flagged cases to a panel of radiologists', ['Maria', 'Lopez']],
];

describe('claimsMissingFromQuote: a takeaway says no more than its quote', () => {
  it.each(CLAIMS)('%s', (_name, takeaway, quote, missing) => {
    expect(claimsMissingFromQuote(takeaway, quote)).toEqual(missing);
  });
});

describe('claimsMissingFromSource: numbers and names of the prose occur in the article', () => {
  it.each([
    ['all from the article', 'Dr. Ines Varga said 38 of the 212 flagged patients had early tumours.', []],
    ['an invented name', 'The study was led by Dr. Priya Shah.', ['Priya', 'Shah']],
    ['a changed digit', 'Of 213 flagged patients, 38 had tumours.', ['213']],
    ['a name from the title counts', 'The trial on pancreatic cancer at the Hospital was led by Ines Varga.', []],
    ['a changed unit', 'The tool cost $5 billion.', ['5 billion']],
  ] as [string, string, string[]][])('%s', (_name, prose, missing) => {
    expect(claimsMissingFromSource(prose, source)).toEqual(missing);
  });
});

describe('a takeaway that says more than its quote names what it adds', () => {
  const quote = 'Of the 212 patients flagged, 38 were found to have early tumours';
  it('names a percentage as written ("90%"), and a quantity with its unit', () => {
    expect(claimsMissingFromQuote('Of 212 flagged patients, 38 had early tumours: a 90% cure rate.', quote)).toEqual(['90%']);
    expect(claimsMissingFromQuote('Doctors found 38 early tumours in 212 patients within 3 weeks.', quote)).toEqual(['3 weeks']);
  });

  it('checkAgainstSource keeps the names on the takeaway and in the failure', () => {
    const prose = { headline: 'Scans flag tumours', tldr: 'Scans flagged tumours.', deck: '', body: [], whyItMatters: 'Earlier surgery.', implications: [] };
    const out = checkAgainstSource({ ...prose, takeaways: [{ text: 'Of 212 flagged patients, 38 had early tumours: a 90% cure rate.', quote }] }, { title: '', text: ARTICLE });
    expect(out.takeaways[0]).toMatchObject({ grounded: true, supported: false, missingFromQuote: ['90%'] });
    expect(out.failures).toEqual(['takeaways[0].text says "90%", which its quote does not']);
    const clean = checkAgainstSource({ ...prose, takeaways: [{ text: 'Of 212 flagged patients, 38 had early tumours.', quote }] }, { title: '', text: ARTICLE });
    expect(clean.takeaways[0]).toMatchObject({ supported: true, missingFromQuote: [] });
  });
});

describe('locateQuote: where the check found a quote', () => {
  it('spans the quote as the article writes it, punctuation differences included; null when it does not ground', () => {
    const at = locateQuote('of the 212 patients flagged 38 were found', source);
    expect(at && ARTICLE.slice(at.start, at.end)).toBe('Of the 212 patients flagged, 38 were found');
    const curly = locateQuote(`"We did not replace anyone's judgement" said Dr. Ines Varga`, source);
    expect(curly && ARTICLE.slice(curly.start, curly.end)).toBe('We did not replace anyone\u2019s judgement,\u201D said Dr. Ines Varga');
    expect(locateQuote('Of the 213 patients flagged, 38 were found', source)).toBeNull();
    expect(locateQuote('Of the 212 patients', source)).toBeNull();
  });
});
