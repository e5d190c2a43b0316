import type { StoredDraft } from '../../store/index.ts';
import { SafeLink } from './layout.tsx';

/**
 * The draft as newsletter readers will see it. One component, so the desk's preview switches to
 * the shared newsletter renderer (src/render) in one place when that lands.
 */
export function ReaderPreview(props: { draft: StoredDraft; url: string | null; published: Date | null }) {
  const d = props.draft;
  return (
    <article class="reader">
      <p class="kicker">
        {d.category} · {props.published ? props.published.toISOString().slice(0, 10) : ''} · {d.readingMinutes} min read
      </p>
      <h2>{d.headline}</h2>
      <p class="source">
        Source: <SafeLink href={props.url}>{props.url ?? 'no link'}</SafeLink>
      </p>
      <p>
        <strong>TL;DR:</strong> {d.tldr}
      </p>
      <h3>Key Takeaways</h3>
      <ol>
        {d.takeaways.map((t) => (
          <li>{t.text}</li>
        ))}
      </ol>
      <h3>Why it matters</h3>
      <p>{d.whyItMatters}</p>
    </article>
  );
}
