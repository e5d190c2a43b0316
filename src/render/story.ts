/**
 * The newsletter story: the one value every renderer (show --format, the newsletter export, the
 * editors' desk) draws, built from a stored story and the newsletter settings. Pure.
 */

import type { Draft, DraftContent, Framing, FramingVerdict, Recommendation, Takeaway } from '../core/types.ts';
import { stripTrackingParams } from '../core/tracking.ts';

/** What the renderers need of a stored story (the `stories --json` shape satisfies it). */
export interface StoredStory {
  url: string | null;
  canonicalUrl: string | null;
  title: string | null;
  feed: string;
  siteName: string | null;
  /** When the item was published (a Date from the store, an ISO string from JSON). */
  published: Date | string | null;
  needsReview: boolean;
  setAside: boolean;
  /** The parts of a draft a renderer reads: the story fields, engine and reading time, and the checks' results. */
  draft:
    | (Pick<DraftContent, 'headline' | 'tldr' | 'deck' | 'body' | 'whyItMatters' | 'implications' | 'readerNote' | 'category' | 'unsupportedClaims'> &
        Pick<Draft, 'engine' | 'readingMinutes'> & {
          takeaways: Pick<Takeaway, 'text' | 'missingFromQuote'>[];
          framing: Pick<Framing, 'verdict'> & { recommendation: Recommendation | null };
          /** `editor`: an editor's edit, whose checks ran on the editor's text (no repair turn). */
          origin?: 'model' | 'editor';
          /** An editor's verdict and recommendation, which stand over the framing's. */
          judgement?: { verdict: FramingVerdict; recommendation: Recommendation } | null;
        })
    | null;
}

/** How stories are shown: the time zone of dates, and whose name "Source:" gives. */
export interface NewsletterSettings {
  timezone: string;
  sourceName: 'feed' | 'site';
}

/** One story as readers see it, top to bottom, plus the notes an editor must see first. */
export interface NewsletterStory {
  category: string;
  /** "Friday, May 8, 2026" in the configured time zone; null when the item has no date. */
  date: string | null;
  readingMinutes: number;
  headline: string;
  source: { name: string; url: string | null };
  tldr: string;
  takeaways: string[];
  deck: string;
  body: string[];
  /** The body is the article's own words (offline engine), shown as an excerpt. */
  bodyIsExcerpt: boolean;
  whyItMatters: string;
  implications: string[];
  readerNote: string | null;
  /** For editors, never for readers: offline draft, failed checks, set aside. */
  editorNotes: string[];
  /**
   * For editors, never for readers: what a check found unsupported, by field (`headline`,
   * `takeaways[0]`, `body[1]`...), as written there, with why, for the desk's preview to mark.
   */
  marks: Mark[];
}

/** A claim to mark in a field of the story: its text as written there, and why it is marked. */
export interface Mark {
  field: string;
  claim: string;
  why: string;
}

/** The marks of a draft: names and numbers the article lacks, and what takeaways add to their quotes. */
function marksOf(d: NonNullable<StoredStory['draft']>): Mark[] {
  return [
    ...d.unsupportedClaims.map((c) => ({ field: c.field, claim: c.claim, why: 'not in the article' })),
    ...d.takeaways.flatMap((t, i) => (t.missingFromQuote ?? []).map((claim) => ({ field: `takeaways[${i}]`, claim, why: 'not in its quote' }))),
  ];
}

/** The note that says a draft's checks failed: after the model's repair turn, or on an editor's own text. */
function needsReviewNote(d: NonNullable<StoredStory['draft']>): string {
  const notInArticle = d.unsupportedClaims.map((c) => `${c.field}: "${c.claim}"`);
  const notInQuote = d.takeaways.flatMap((t, i) => (t.missingFromQuote ?? []).map((c) => `takeaways[${i}]: "${c}"`));
  const found = [
    notInArticle.length ? `not in the article: ${notInArticle.join(', ')}` : '',
    notInQuote.length ? `not in its quote: ${notInQuote.join(', ')}` : '',
  ].filter(Boolean);
  const what = d.origin === 'editor' ? "the edited text fails its checks against the article" : 'checks failed after the repair turn';
  return `needs review: ${what}${found.length ? ` (${found.join('; ')})` : ''}`;
}

/** A run of a field's text, and why it is marked (null: not marked). */
export interface MarkedRun {
  text: string;
  why: string | null;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Splits a field's text into runs, each claim marked where it stands as a whole word or number
 * ("90%" is marked in "a 90% rate", never inside "190%"); text without claims is one run.
 */
export function markRuns(text: string, marks: readonly Pick<Mark, 'claim' | 'why'>[]): MarkedRun[] {
  const spans: { start: number; end: number; why: string }[] = [];
  for (const m of marks) {
    if (!m.claim) continue;
    for (let at = text.indexOf(m.claim); at >= 0; at = text.indexOf(m.claim, at + 1)) {
      const end = at + m.claim.length;
      const bounded = !(WORD_CHAR.test(text[at - 1] ?? '') && WORD_CHAR.test(m.claim[0]!)) && !(WORD_CHAR.test(text[end] ?? '') && WORD_CHAR.test(m.claim.at(-1)!));
      if (bounded) spans.push({ start: at, end, why: m.why });
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const runs: MarkedRun[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue;
    if (s.start > at) runs.push({ text: text.slice(at, s.start), why: null });
    runs.push({ text: text.slice(s.start, s.end), why: s.why });
    at = s.end;
  }
  if (at < text.length || runs.length === 0) runs.push({ text: text.slice(at), why: null });
  return runs;
}

export const OFFLINE_NOTE = 'offline draft: needs a model or an editor';

/** "Friday, May 8, 2026" for an ISO instant, in `timezone`; null when there is no valid date. */
export function formatStoryDate(iso: Date | string | null, timezone: string): string | null {
  if (!iso) return null;
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return null;
  return new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric', timeZone: timezone }).format(when);
}

/** Links only to http(s): a stored URL is data, and a `javascript:` one must never become a link. */
export const safeHttpUrl = (url: string | null | undefined): string | null => (url && /^https?:\/\//i.test(url) ? url : null);

/**
 * The link a reader is sent to: http(s) only, and without the tracking parameters feeds add
 * (`utm_*`, click ids), which only tell the outlet where the click came from.
 */
export const readerUrl = (url: string | null | undefined): string | null => {
  const safe = safeHttpUrl(url);
  return safe && stripTrackingParams(safe);
};

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * An offline excerpt without the TL;DR it starts with. The offline engine's TL;DR is the
 * article's lead sentence and its excerpt the lead paragraphs, so the first paragraph would print
 * the TL;DR a second time: that sentence is left out (the rest is still the article's own words,
 * in order). Only a whole sentence is taken off; a TL;DR cut short is left alone.
 */
export function excerptAfterTldr(tldr: string, body: string[]): string[] {
  const lead = squash(tldr);
  const [first, ...rest] = body;
  if (!lead || first === undefined) return body;
  const para = squash(first);
  if (para === lead) return rest;
  if (para.startsWith(`${lead} `) && /[.!?…]["'”’)\]]*$/.test(lead)) return [para.slice(lead.length + 1), ...rest];
  return body;
}

/** The newsletter story of a drafted story; null when it has no draft yet. */
export function newsletterStory(story: StoredStory, settings: NewsletterSettings): NewsletterStory | null {
  const d = story.draft;
  if (!d) return null;
  const offline = d.engine === 'extractive';
  const editorNotes: string[] = [];
  if (offline) editorNotes.push(OFFLINE_NOTE);
  if (story.needsReview) editorNotes.push(needsReviewNote(d));
  const judged = d.judgement ?? d.framing;
  if (story.setAside && !offline) editorNotes.push(`set aside: verdict ${judged.verdict}, recommendation ${judged.recommendation ?? 'none'}`);
  return {
    category: d.category,
    date: formatStoryDate(story.published, settings.timezone),
    readingMinutes: d.readingMinutes,
    headline: d.headline,
    source: {
      name: (settings.sourceName === 'site' ? story.siteName : null) ?? story.feed,
      url: readerUrl(story.canonicalUrl ?? story.url),
    },
    tldr: d.tldr,
    takeaways: d.takeaways.map((t) => t.text),
    deck: d.deck,
    body: offline ? excerptAfterTldr(d.tldr, d.body) : d.body,
    bodyIsExcerpt: offline,
    whyItMatters: d.whyItMatters,
    implications: d.implications,
    readerNote: d.readerNote,
    editorNotes,
    marks: marksOf(d),
  };
}

/** The first line: category, date and reading time, joined as the newsletter prints them. */
export const metaLine = (s: NewsletterStory): string =>
  [s.category, s.date, `${s.readingMinutes} min read`].filter((p): p is string => Boolean(p)).join(' · ');
