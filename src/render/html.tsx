/** @jsxImportSource hono/jsx */
/** The newsletter story as HTML, through hono's JSX: every text value is escaped by construction. */
import type { FC } from 'hono/jsx';
import { markRuns, metaLine, type NewsletterStory } from './story.ts';
import type { RenderOptions } from './text.ts';

/**
 * One story, as an <article>: the component the newsletter export and the editors' desk embed.
 * `marks` (the desk's preview): what a check found unsupported is marked where it stands, a
 * <mark> titled with why; the printed story (`show --format html`, exports) has none.
 */
export const StoryArticle: FC<{ story: NewsletterStory; editorNotes?: boolean; marks?: boolean }> = ({ story: s, editorNotes = true, marks: marking = false }) => {
  const m = (field: string, text: string) => {
    const marks = marking ? s.marks.filter((k) => k.field === field) : [];
    if (marks.length === 0) return text;
    return markRuns(text, marks).map((r) => (r.why === null ? r.text : <mark class="claim" title={r.why}>{r.text}</mark>));
  };
  return (
    <article class="story">
      {editorNotes && s.editorNotes.length > 0 && (
        <aside class="editor-notes">
          {s.editorNotes.map((n) => (
            <p>{n}</p>
          ))}
        </aside>
      )}
      <p class="meta">{metaLine(s)}</p>
      <h2 class="headline">{m('headline', s.headline)}</h2>
      <p class="source">
        Source: {s.source.url ? <a href={s.source.url}>{s.source.name}</a> : s.source.name}
      </p>
      <section class="tldr">
        <h3>TL;DR</h3>
        <p>{m('tldr', s.tldr)}</p>
      </section>
      <section class="takeaways">
        <h3>Key Takeaways</h3>
        <ol>
          {s.takeaways.map((t, i) => (
            <li>{m(`takeaways[${i}]`, t)}</li>
          ))}
        </ol>
      </section>
      {s.deck && <p class="deck">{m('deck', s.deck)}</p>}
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
            {s.body.map((p, i) => (
              <p>{m(`body[${i}]`, p)}</p>
            ))}
          </div>
        ))}
      <p class="why">
        <strong>Why it matters:</strong> {m('whyItMatters', s.whyItMatters)}
      </p>
      {s.implications.length > 0 && (
        <ul class="implications">
          {s.implications.map((p, i) => (
            <li>{m(`implications[${i}]`, p)}</li>
          ))}
        </ul>
      )}
      {s.readerNote && <p class="reader-note">{s.readerNote}</p>}
    </article>
  );
};

/** The story as an HTML fragment. */
export function renderHtml(s: NewsletterStory, opts: RenderOptions = {}): string {
  return String(<StoryArticle story={s} editorNotes={opts.editorNotes ?? true} />) + '\n';
}
