import { diffLines, diffWords, type Change } from 'diff';
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

/**
 * Bounds on the version diff. A word diff costs about (words) x (edits), and two versions as long
 * as the edit form admits that differ throughout took 24 s, holding the whole desk: each changed
 * block gets a word diff of at most WORD_EDITS edits, all of them together at most DIFF_BUDGET_MS;
 * a block over either is shown whole, removed then added.
 */
const WORD_EDITS = 200;
const LINE_EDITS = 400;
const DIFF_BUDGET_MS = 50;
/**
 * A changed block this short (both sides together) always gets its word diff, bounded by
 * WORD_EDITS alone: it costs well under a millisecond, and an everyday edit must not be shown
 * whole because a GC pause or a busy machine spent the time budget.
 */
const SMALL_BLOCK_CHARS = 4_000;

/**
 * The diff the history and the edit-conflict page show between two version texts: lines first
 * (cheap: a version has a few dozen), then words inside each changed block while the bounds
 * allow, else the whole block. Should even the line diff hit its bound, the common first and last
 * lines are kept and everything between is one removed and one added block.
 */
export function versionDiff(before: string, after: string, now: () => number = () => performance.now()): Change[] {
  const deadline = now() + DIFF_BUDGET_MS;
  const remaining = () => Math.max(1, Math.floor(deadline - now()));
  const lines = diffLines(before, after, { maxEditLength: LINE_EDITS, timeout: remaining() }) ?? wholeBlocks(before, after);
  const out: Change[] = [];
  for (let i = 0; i < lines.length; i++) {
    const c = lines[i]!;
    const next = lines[i + 1];
    if (c.removed && next?.added) {
      // Past the budget a large block is not even tokenized: splitting 20,000 characters into words costs too.
      const small = c.value.length + next.value.length <= SMALL_BLOCK_CHARS;
      const words = small
        ? diffWords(c.value, next.value, { maxEditLength: WORD_EDITS })
        : now() < deadline
          ? diffWords(c.value, next.value, { maxEditLength: WORD_EDITS, timeout: remaining() })
          : undefined;
      out.push(...(words ?? [c, next]));
      i++;
    } else {
      out.push(c);
    }
  }
  return out;
}

/** The common leading and trailing lines, and everything between as one removed and one added block. */
function wholeBlocks(before: string, after: string): Change[] {
  const a = before.split(/(?<=\n)/);
  const b = after.split(/(?<=\n)/);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const change = (value: string, kind: 'added' | 'removed' | null): Change => ({
    value,
    count: 1,
    added: kind === 'added',
    removed: kind === 'removed',
  });
  const blocks = [
    change(a.slice(0, start).join(''), null),
    change(a.slice(start, a.length - end).join(''), 'removed'),
    change(b.slice(start, b.length - end).join(''), 'added'),
    change(a.slice(a.length - end).join(''), null),
  ];
  return blocks.filter((c) => c.value !== '');
}
