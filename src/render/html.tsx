/** @jsxImportSource hono/jsx */
/** The newsletter story as HTML, through hono's JSX: every text value is escaped by construction. */
import type { FC } from 'hono/jsx';
import { metaLine, type NewsletterStory } from './story.ts';
import type { RenderOptions } from './text.ts';

/** One story, as an <article>: the component the newsletter export and the editors' desk embed. */
export const StoryArticle: FC<{ story: NewsletterStory; editorNotes?: boolean }> = ({ story: s, editorNotes = true }) => (
  <article class="story">
    {editorNotes && s.editorNotes.length > 0 && (
      <aside class="editor-notes">
        {s.editorNotes.map((n) => (
          <p>{n}</p>
        ))}
      </aside>
    )}
    <p class="meta">{metaLine(s)}</p>
    <h2 class="headline">{s.headline}</h2>
    <p class="source">
      Source: {s.source.url ? <a href={s.source.url}>{s.source.name}</a> : s.source.name}
    </p>
    <section class="tldr">
      <h3>TL;DR</h3>
      <p>{s.tldr}</p>
    </section>
    <section class="takeaways">
      <h3>Key Takeaways</h3>
      <ol>
        {s.takeaways.map((t) => (
          <li>{t}</li>
        ))}
      </ol>
    </section>
    {s.deck && <p class="deck">{s.deck}</p>}
    {s.body.length > 0 &&
      (s.bodyIsExcerpt ? (
        <blockquote class="body excerpt">
          <p class="excerpt-label">Excerpt from the article:</p>
          {s.body.map((p) => (
            <p>{p}</p>
          ))}
        </blockquote>
      ) : (
        <div class="body">
          {s.body.map((p) => (
            <p>{p}</p>
          ))}
        </div>
      ))}
    <p class="why">
      <strong>Why it matters:</strong> {s.whyItMatters}
    </p>
    {s.implications.length > 0 && (
      <ul class="implications">
        {s.implications.map((i) => (
          <li>{i}</li>
        ))}
      </ul>
    )}
    {s.readerNote && <p class="reader-note">{s.readerNote}</p>}
  </article>
);

/** The story as an HTML fragment. */
export function renderHtml(s: NewsletterStory, opts: RenderOptions = {}): string {
  return String(<StoryArticle story={s} editorNotes={opts.editorNotes ?? true} />) + '\n';
}
