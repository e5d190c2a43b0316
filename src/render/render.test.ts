import { describe, expect, it } from 'vitest';
import { escapeMarkdown, formatStoryDate, newsletterStory, OFFLINE_NOTE, renderHtml, renderMarkdown, renderText, type StoredStory } from './index.ts';

const stored = (over: Partial<NonNullable<StoredStory['draft']>> = {}, story: Partial<StoredStory> = {}): StoredStory => ({
  url: 'https://news.example/a?utm_source=rss',
  canonicalUrl: 'https://news.example/a',
  title: 'T',
  feed: 'Example Feed',
  siteName: 'Example News',
  published: '2026-05-08T23:30:00Z',
  needsReview: false,
  setAside: false,
  draft: {
    engine: 'llm',
    headline: 'Headline',
    tldr: 'Short.',
    takeaways: [{ text: 'One.' }, { text: 'Two.' }, { text: 'Three.' }],
    deck: 'Deck line',
    body: ['First paragraph.', 'Second paragraph.'],
    whyItMatters: 'Because.',
    implications: ['Imp one.', 'Imp two.'],
    readerNote: 'A caveat.',
    category: 'Business',
    readingMinutes: 2,
    framing: { verdict: 'positive', recommendation: 'include' },
    unsupportedClaims: [],
    ...over,
  },
  ...story,
});

const settings = { timezone: 'UTC', sourceName: 'feed' as const };

describe('newsletterStory', () => {
  it('dates the story in the configured time zone', () => {
    expect(formatStoryDate('2026-05-08T23:30:00Z', 'UTC')).toBe('Friday, May 8, 2026');
    expect(formatStoryDate('2026-05-08T23:30:00Z', 'Europe/Berlin')).toBe('Saturday, May 9, 2026');
    expect(formatStoryDate(null, 'UTC')).toBeNull();
    expect(formatStoryDate('not a date', 'UTC')).toBeNull();
  });

  it('names the feed or the site, links the canonical URL, and never links a non-http URL', () => {
    expect(newsletterStory(stored(), settings)!.source).toEqual({ name: 'Example Feed', url: 'https://news.example/a' });
    expect(newsletterStory(stored(), { ...settings, sourceName: 'site' })!.source.name).toBe('Example News');
    expect(newsletterStory(stored({}, { siteName: null }), { ...settings, sourceName: 'site' })!.source.name).toBe('Example Feed');
    expect(newsletterStory(stored({}, { canonicalUrl: null, url: 'javascript:alert(1)' }), settings)!.source.url).toBeNull();
    expect(newsletterStory({ ...stored(), draft: null }, settings)).toBeNull();
  });

  it('links the source without tracking parameters, keeping the others and the fragment', () => {
    const s = stored({}, { canonicalUrl: null, url: 'https://news.example/a?id=3&utm_source=rss&fbclid=x#top' });
    expect(newsletterStory(s, settings)!.source.url).toBe('https://news.example/a?id=3#top');
    expect(newsletterStory(stored({}, { canonicalUrl: 'https://news.example/b?gclid=1' }), settings)!.source.url).toBe('https://news.example/b');
  });

  it('an offline excerpt does not print the TL;DR again: its lead sentence is left out of the first paragraph', () => {
    const lead = 'The hospital found 30 percent more cancers.';
    const alone = newsletterStory(stored({ engine: 'extractive', tldr: lead, body: [lead, 'Second paragraph.'] }), settings)!;
    expect(alone.body).toEqual(['Second paragraph.']);
    const first = newsletterStory(stored({ engine: 'extractive', tldr: lead, body: [`${lead}  It used old scans.`, 'Second.'] }), settings)!;
    expect(first.body).toEqual(['It used old scans.', 'Second.']);
    // Whitespace differences do not hide a repeat.
    const spaced = newsletterStory(stored({ engine: 'extractive', tldr: 'A  b\nc.', body: ['A b c.'] }), settings)!;
    expect(spaced.body).toEqual([]);
    for (const s of [alone, first]) for (const out of [renderText(s), renderMarkdown(s), renderHtml(s)]) expect(out.split('30 percent more cancers').length - 1).toBe(1);
    // A TL;DR cut short mid-sentence, or a writer's body, is left as it is.
    const cut = newsletterStory(stored({ engine: 'extractive', tldr: 'The hospital found 30', body: [lead] }), settings)!;
    expect(cut.body).toEqual([lead]);
    const written = newsletterStory(stored({ tldr: lead, body: [lead] }), settings)!;
    expect(written.body).toEqual([lead]);
  });

  it('marks an offline draft and its excerpt body, and lists failed checks for editors', () => {
    const offline = newsletterStory(stored({ engine: 'extractive', deck: '', implications: [], readerNote: null }), settings)!;
    expect(offline.editorNotes).toEqual([OFFLINE_NOTE]);
    expect(offline.bodyIsExcerpt).toBe(true);
    const text = renderText(offline);
    expect(text.startsWith(`[${OFFLINE_NOTE}]`)).toBe(true);
    expect(text).toContain('Excerpt from the article:\n  > First paragraph.');
    expect(renderText(offline, { editorNotes: false })).not.toContain(OFFLINE_NOTE);

    const flagged = newsletterStory(stored({ unsupportedClaims: [{ field: 'tldr', claim: '213' }] }, { needsReview: true }), settings)!;
    expect(flagged.editorNotes[0]).toBe('needs review: checks failed after the repair turn (not in the article: tldr: "213")');
  });
});

describe('renderers', () => {
  const story = newsletterStory(stored(), settings)!;

  it('text: the layout top to bottom', () => {
    expect(renderText(story)).toBe(
      [
        'Business · Friday, May 8, 2026 · 2 min read',
        'Headline',
        'Source: Example Feed <https://news.example/a>',
        '',
        'TL;DR',
        'Short.',
        '',
        'Key Takeaways',
        '  1 One.',
        '  2 Two.',
        '  3 Three.',
        '',
        'Deck line',
        '',
        'First paragraph.',
        '',
        'Second paragraph.',
        '',
        'Why it matters: Because.',
        '  • Imp one.',
        '  • Imp two.',
        '',
        'A caveat.',
        '',
      ].join('\n'),
    );
  });

  it('markdown: untrusted text cannot become links, HTML or headings', () => {
    expect(escapeMarkdown('[click](javascript:x) <img src=x> *bold* `code`')).toBe('\\[click\\](javascript:x) \\<img src=x\\> \\*bold\\* \\`code\\`');
    expect(escapeMarkdown('# not a heading')).toBe('\\# not a heading');
    expect(escapeMarkdown('1. not a list')).toBe('1\\. not a list');
    const md = renderMarkdown(newsletterStory(stored({ headline: 'Big [news](http://evil.example)' }), settings)!);
    expect(md).toContain('\n# Big \\[news\\](http://evil.example)');
    expect(md).toContain('Source: [Example Feed](https://news.example/a)');
  });

  it('markdown: a ")" or a space in the source URL cannot end the link early', () => {
    const md = renderMarkdown(newsletterStory(stored({}, { canonicalUrl: 'https://news.example/a_(b) c' }), settings)!);
    expect(md).toContain('Source: [Example Feed](https://news.example/a_%28b%29%20c)');
  });

  it('markdown: the headline at the level asked for, its sections one below', () => {
    const headings = (md: string) => [...md.matchAll(/^(#+) (.*)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(headings(renderMarkdown(story))).toEqual(['# Headline', '## TL;DR', '## Key Takeaways']);
    expect(headings(renderMarkdown(story, { headingLevel: 2 }))).toEqual(['## Headline', '### TL;DR', '### Key Takeaways']);
  });

  it('html: escapes every text value and keeps the order of the sections', () => {
    const html = renderHtml(newsletterStory(stored({ headline: '<img src=x onerror=alert(1)>', readerNote: 'a "quoted" & note' }), settings)!);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('a &quot;quoted&quot; &amp; note');
    const order = ['class="meta"', 'class="headline"', 'class="source"', 'class="tldr"', 'class="takeaways"', 'class="deck"', 'class="body"', 'class="why"', 'class="implications"', 'class="reader-note"'];
    const positions = order.map((c) => html.indexOf(c));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});
