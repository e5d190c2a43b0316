/**
 * From a model's answer to a checked story: every quote grounded, every takeaway supported, every
 * number and name of the prose found in the article; what fails is listed for the repair turn and,
 * if it still fails after it, marked on the draft for editors.
 */
import type { DraftContent, Takeaway, UnsupportedClaim } from '../core/types.ts';
import { claimsMissingFromQuote, claimsMissingFromSource, groundQuote, indexSource, type Source } from './grounding.ts';
import type { ModelDraft } from './schema.ts';

/** Newsletter reading speed, words per minute. */
const WORDS_PER_MINUTE = 230;

/** Minutes to read the story as published, headline to reader note (at least one). */
export function readingMinutesOf(story: Pick<DraftContent, 'headline' | 'tldr' | 'takeaways' | 'deck' | 'body' | 'whyItMatters' | 'implications' | 'readerNote'>): number {
  const parts = [story.headline, story.tldr, ...story.takeaways.map((t) => t.text), story.deck, ...story.body, story.whyItMatters, ...story.implications, story.readerNote ?? ''];
  const words = parts.join(' ').split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  return Math.max(1, Math.ceil(words / WORDS_PER_MINUTE));
}

/** A checked story, and a line per failed check in words the model (and an editor) can act on. */
export interface CheckedStory {
  content: DraftContent;
  failures: string[];
}

/** The prose of a story: what must come from the article (takeaways' quotes are checked on their own). */
type StoryProse = Pick<DraftContent, 'headline' | 'tldr' | 'deck' | 'body' | 'whyItMatters' | 'implications'> & {
  takeaways: { text: string; quote: string }[];
};

/** The prose fields whose numbers and names must come from the article, with their paths. */
function proseFields(d: StoryProse): [string, string][] {
  return [
    ['headline', d.headline],
    ['tldr', d.tldr],
    ['deck', d.deck],
    ...d.body.map((p, i): [string, string] => [`body[${i}]`, p]),
    ['whyItMatters', d.whyItMatters],
    ...d.implications.map((p, i): [string, string] => [`implications[${i}]`, p]),
  ];
}

/**
 * Checks a story's prose against its source, as written by a model or edited by an editor: each
 * takeaway's quote grounded and its text supported, each number and name found in the article.
 */
export function checkAgainstSource(d: StoryProse, source: Source): { takeaways: (Takeaway & { missingFromQuote: string[] })[]; unsupportedClaims: UnsupportedClaim[]; failures: string[] } {
  const index = indexSource(source);
  const failures: string[] = [];
  const takeaways = d.takeaways.map((t, i) => {
    const grounding = groundQuote(t.quote, index);
    if (!grounding.grounded) failures.push(`takeaways[${i}].quote ${grounding.message}: "${t.quote}"`);
    const extra = claimsMissingFromQuote(t.text, t.quote);
    if (extra.length > 0) failures.push(`takeaways[${i}].text says ${extra.map((c) => `"${c}"`).join(', ')}, which its quote does not`);
    return { text: t.text, quote: t.quote, grounded: grounding.grounded, supported: grounding.grounded && extra.length === 0, missingFromQuote: extra };
  });
  const unsupportedClaims: UnsupportedClaim[] = proseFields(d).flatMap(([field, prose]) =>
    claimsMissingFromSource(prose, index).map((claim) => ({ field, claim })),
  );
  for (const c of unsupportedClaims) failures.push(`${c.field} says "${c.claim}", which does not occur in the article`);
  return { takeaways, unsupportedClaims, failures };
}

/** Checks a valid model answer against its source; the result is the draft content plus what failed. */
export function checkStory(d: ModelDraft, source: Source): CheckedStory {
  const { takeaways, unsupportedClaims, failures } = checkAgainstSource(d, source);
  return {
    content: {
      headline: d.headline,
      tldr: d.tldr,
      takeaways,
      deck: d.deck,
      body: d.body,
      whyItMatters: d.whyItMatters,
      implications: d.implications,
      readerNote: d.readerNote,
      category: d.category,
      framing: {
        verdict: d.framing.verdict,
        score: d.framing.score,
        rationale: d.framing.rationale,
        concerns: d.framing.concerns.filter((c) => c.trim() !== ''),
        angle: d.framing.angle,
        confidence: d.framing.confidence,
        recommendation: d.framing.recommendation,
      },
      unsupportedClaims,
    },
    failures,
  };
}

/** The repair request after a check failed: each failure named, and what a fixed answer does. */
export function repairRequest(failures: string[]): string {
  return [
    'That answer failed these checks against the article:',
    ...failures.map((f) => `- ${f}`),
    'Fix each one: copy quotes exactly from one paragraph of the article text (at least 5 words, every number as written),',
    'keep each takeaway to what its quote says, and use only numbers and names that occur in the article.',
    'Reply with the corrected JSON object only, following the schema and the rules above.',
  ].join('\n');
}
