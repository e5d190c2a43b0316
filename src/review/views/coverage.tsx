import type { Session, Story } from '../../store/index.ts';
import { Csrf, SafeLink } from './layout.tsx';

/**
 * "Also covered by": the other outlets that carried the story, each with a safe link, and the
 * editor's two corrections: "Split off" (not the same story: it is drafted on its own by the next
 * run) and "Make primary" (link and name that outlet as the story's source). A copy's own page
 * says which story it belongs to.
 */
export function Coverage(props: { story: Story; session: Session }) {
  const { story, session } = props;
  if (story.duplicateOf) {
    return (
      <section class="coverage">
        <p class="notice">
          Not drafted: another outlet's copy of <a href={`/stories/${story.duplicateOf.id}`}>story #{story.duplicateOf.id}</a> ({story.duplicateOf.reason.replace(/_/g, ' ')},
          similarity {story.duplicateOf.similarity.toFixed(2)}).
        </p>
      </section>
    );
  }
  if (story.alsoCoveredBy.length === 0) return null;
  return (
    <section class="coverage">
      <h2>Also covered by</h2>
      <ul>
        {story.alsoCoveredBy.map((c) => (
          <li>
            <SafeLink href={c.url}>{c.siteName ?? c.feed}</SafeLink>: {c.title ?? c.url ?? `item #${c.id}`}{' '}
            <span class="meta">{c.reason ? `(${c.reason.replace(/_/g, ' ')}, similarity ${(c.similarity ?? 0).toFixed(2)})` : '(the story as first found)'}</span>
            {/* A sent story's source went out with it: neither correction is offered. */}
            {!story.sent && (
              <form method="post" action={`/stories/${story.id}/coverage/${c.id}/primary`} class="inline">
                <Csrf session={session} />
                <button type="submit">Make primary</button>
              </form>
            )}
            {c.reason && !story.sent && (
              <form method="post" action={`/stories/${story.id}/coverage/${c.id}/split`} class="inline">
                <Csrf session={session} />
                <button type="submit">Split off</button>
              </form>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
