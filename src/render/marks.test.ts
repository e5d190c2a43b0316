import { describe, expect, it } from 'vitest';
import { markRuns, newsletterStory, renderHtml, renderText, StoryArticle, type StoredStory } from './index.ts';

const SETTINGS = { timezone: 'UTC', sourceName: 'feed' } as const;

const stored = (draft: Partial<NonNullable<StoredStory['draft']>> = {}, story: Partial<StoredStory> = {}): StoredStory => ({
  url: 'https://news.example/a',
  canonicalUrl: null,
  title: 'T',
  feed: 'Example Feed',
  siteName: null,
  published: null,
  needsReview: true,
  setAside: false,
  draft: {
    engine: 'llm',
    headline: 'Clinic in Oslo cures patients',
    tldr: 'Short.',
    takeaways: [{ text: 'A 90% cure rate in 190% of cases, 90% says the team.', missingFromQuote: ['90%'] }, { text: 'Two.', missingFromQuote: [] }],
    deck: '',
    body: [],
    whyItMatters: 'Because.',
    implications: [],
    readerNote: null,
    category: 'Health',
    unsupportedClaims: [{ field: 'headline', claim: 'Oslo' }],
    readingMinutes: 1,
    framing: { verdict: 'positive', recommendation: 'include' },
    ...draft,
  },
  ...story,
});

describe('markRuns', () => {
  it('marks each claim where it stands as a whole number or word, never inside another', () => {
    expect(markRuns('A 90% rate in 190% of cases, 90%.', [{ claim: '90%', why: 'not in its quote' }])).toEqual([
      { text: 'A ', why: null },
      { text: '90%', why: 'not in its quote' },
      { text: ' rate in 190% of cases, ', why: null },
      { text: '90%', why: 'not in its quote' },
      { text: '.', why: null },
    ]);
    expect(markRuns('Osloville', [{ claim: 'Oslo', why: 'x' }])).toEqual([{ text: 'Osloville', why: null }]);
    expect(markRuns('', [])).toEqual([{ text: '', why: null }]);
  });
});

describe('what the checks found, for editors', () => {
  it("marks a takeaway's claims its quote lacks, and the prose's claims the article lacks, in the desk's preview only, never in the printed story", () => {
    const s = newsletterStory(stored(), SETTINGS)!;
    expect(s.marks).toEqual([
      { field: 'headline', claim: 'Oslo', why: 'not in the article' },
      { field: 'takeaways[0]', claim: '90%', why: 'not in its quote' },
    ]);
    const html = String(StoryArticle({ story: s, marks: true }));
    expect(html).toContain('<li>A <mark class="claim" title="not in its quote">90%</mark> cure rate in 190% of cases, <mark class="claim" title="not in its quote">90%</mark> says the team.</li>');
    expect(html).toContain('Clinic in <mark class="claim" title="not in the article">Oslo</mark> cures patients');
    expect(renderHtml(s)).not.toContain('<mark');
    expect(String(StoryArticle({ story: s, editorNotes: false }))).not.toContain('<mark');
    expect(renderText(s, { editorNotes: false })).toContain('A 90% cure rate');
  });

  it("says the model's checks failed after the repair turn, and an editor's edit fails its checks (no repair turn), naming what", () => {
    const model = newsletterStory(stored(), SETTINGS)!;
    expect(model.editorNotes).toEqual(['needs review: checks failed after the repair turn (not in the article: headline: "Oslo"; not in its quote: takeaways[0]: "90%")']);
    const edited = newsletterStory(stored({ origin: 'editor', unsupportedClaims: [] }), SETTINGS)!;
    expect(edited.editorNotes).toEqual(['needs review: the edited text fails its checks against the article (not in its quote: takeaways[0]: "90%")']);
    expect(edited.editorNotes.join(' ')).not.toContain('repair');
  });

  it("an editor's judgement stands over the model's framing in the set-aside note", () => {
    const s = newsletterStory(stored({ judgement: { verdict: 'mixed', recommendation: 'skip' } }, { needsReview: false, setAside: true }), SETTINGS)!;
    expect(s.editorNotes).toEqual(['set aside: verdict mixed, recommendation skip']);
  });
});
