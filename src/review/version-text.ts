import type { DraftEdit } from '../store/index.ts';
import type { FramingVerdict, Recommendation } from '../core/types.ts';

/** The fields of a draft an editor can change, as the edit form gives them (quotes not yet checked). */
export type EditValues = Pick<DraftEdit, 'headline' | 'tldr' | 'deck' | 'body' | 'whyItMatters' | 'implications' | 'readerNote' | 'category'> & {
  takeaways: { text: string; quote: string }[];
  /** The edit form's judgement fields, when given. */
  verdict?: FramingVerdict;
  recommendation?: Recommendation;
};

/** A version as plain text: what the history diff and the edit-conflict page compare. */
export function versionText(v: EditValues): string {
  return [
    `Headline: ${v.headline}`,
    `TL;DR: ${v.tldr}`,
    'Key takeaways:',
    ...v.takeaways.map((t, i) => `${i + 1}. ${t.text}\n   "${t.quote}"`),
    `Deck: ${v.deck}`,
    'Body:',
    ...v.body.map((p) => `  ${p.replace(/\n/g, '\n  ')}`),
    `Why it matters: ${v.whyItMatters}`,
    'Implications:',
    ...v.implications.map((i) => `- ${i}`),
    `Reader note: ${v.readerNote ?? '(none)'}`,
    `Category: ${v.category}`,
  ].join('\n');
}
