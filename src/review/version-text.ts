/** The fields of a draft an editor can change. */
export interface EditValues {
  headline: string;
  tldr: string;
  takeaways: { text: string; quote: string }[];
  whyItMatters: string;
  category: string;
}

/** A version as plain text: what the history diff and the edit-conflict page compare. */
export function versionText(v: EditValues): string {
  return [
    `Headline: ${v.headline}`,
    `TL;DR: ${v.tldr}`,
    'Key takeaways:',
    ...v.takeaways.map((t, i) => `${i + 1}. ${t.text}\n   "${t.quote}"`),
    `Why it matters: ${v.whyItMatters}`,
    `Category: ${v.category}`,
  ].join('\n');
}
