/** @jsxImportSource hono/jsx */
/**
 * The one place the export takes a story's layout from: one function per format. The newsletter
 * layout itself belongs to src/render (shared with `show --format` and the desk's preview); until
 * that lands, this is a stand-in over today's draft fields, replaced by re-exports of it.
 */
import type { Story } from '../store/index.ts';

/** What a story renderer needs besides the story. */
export interface StoryRenderOptions {
  timezone: string;
}

/** A URL a reader may follow: http(s) only, else null. */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Text as Markdown shows it literally: every character Markdown or HTML would act on is escaped. */
export function escapeMarkdown(text: string): string {
  return plainText(text)
    .replace(/[\\`*_[\]<>&~|]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#+=-]|\d+(?=[.)]))/gm, (_, space: string, mark: string) =>
      /\d/.test(mark) ? `${space}${mark}\\` : `${space}\\${mark}`,
    );
}

/** Text without control characters (a terminal or mail client would act on them). */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

function storyDate(story: Story, timezone: string): string | null {
  if (!story.published) return null;
  return new Intl.DateTimeFormat('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: timezone }).format(story.published);
}

function metaLine(story: Story, opts: StoryRenderOptions): string {
  const d = story.draft!;
  return [d.category, storyDate(story, opts.timezone), `${d.readingMinutes} min read`].filter(Boolean).join(' · ');
}

export function renderStoryMarkdown(story: Story, opts: StoryRenderOptions): string {
  const d = story.draft!;
  const url = safeHttpUrl(story.url);
  const source = url ? `[${escapeMarkdown(story.feed)}](${url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)})` : escapeMarkdown(story.feed);
  return [
    `*${escapeMarkdown(metaLine(story, opts))}*`,
    `## ${escapeMarkdown(d.headline)}`,
    `Source: ${source}`,
    `**TL;DR**`,
    escapeMarkdown(d.tldr),
    `**Key Takeaways**`,
    d.takeaways.map((t, i) => `${i + 1}. ${escapeMarkdown(t.text)}`).join('\n'),
    `**Why it matters:** ${escapeMarkdown(d.whyItMatters)}`,
  ].join('\n\n');
}

export function renderStoryHtml(story: Story, opts: StoryRenderOptions): string {
  const d = story.draft!;
  const url = safeHttpUrl(story.url);
  const node = (
    <article class="story">
      <p class="meta">{metaLine(story, opts)}</p>
      <h2 class="headline">{d.headline}</h2>
      <p class="source">Source: {url ? <a href={url}>{story.feed}</a> : story.feed}</p>
      <h3>TL;DR</h3>
      <p class="tldr">{d.tldr}</p>
      <h3>Key Takeaways</h3>
      <ol class="takeaways">
        {d.takeaways.map((t) => (
          <li>{t.text}</li>
        ))}
      </ol>
      <p class="why">
        <strong>Why it matters:</strong> {d.whyItMatters}
      </p>
    </article>
  );
  return String(node);
}

export function renderStoryText(story: Story, opts: StoryRenderOptions): string {
  const d = story.draft!;
  const url = safeHttpUrl(story.url);
  return plainText(
    [
      metaLine(story, opts),
      d.headline,
      `Source: ${story.feed}${url ? ` <${url}>` : ''}`,
      '',
      'TL;DR',
      d.tldr,
      '',
      'Key Takeaways',
      ...d.takeaways.map((t, i) => `  ${i + 1}. ${t.text}`),
      '',
      `Why it matters: ${d.whyItMatters}`,
    ].join('\n'),
  );
}
