import type { Change } from 'diff';
import type { Decision, Version } from '../../store/index.ts';

/** The diff between two versions an editor picked: which, and the word changes. */
export type VersionDiff = { from: number; to: number; changes: Change[] };

/** Every version (model drafts and editors' edits) and decision, oldest first, and a diff of any two versions. */
export function StoryHistory(props: { storyId: number; versions: Version[]; decisions: Decision[]; diff: VersionDiff | null }) {
  const { versions, diff } = props;
  const options = (selected: number) =>
    versions.map((v, i) => (
      <option value={String(v.id)} selected={v.id === selected}>
        v{i + 1} (#{v.id}, {v.origin === 'editor' ? `edit by ${v.editedBy}` : v.draft.engine})
      </option>
    ));
  return (
    <section class="history">
      <h2>History</h2>
      <ol class="versions">
        {versions.map((v, i) => (
          <li>
            v{i + 1} (#{v.id}) · {v.origin === 'editor' ? `edited by ${v.editedBy}` : `drafted by ${v.draft.engine}${v.draft.model ? ` (${v.draft.model})` : ''}, prompt ${v.draft.prompt.id}@${v.draft.prompt.hash}`} · {v.createdAt.toISOString()}
          </li>
        ))}
      </ol>
      <ol class="decisions">
        {props.decisions.map((d) => (
          <li>
            {d.at.toISOString()} · {d.by}: <strong>{d.action}</strong>
            {d.reason && ` (${d.reason})`}
            {d.versionId !== null && ` on #${d.versionId}`}
            {d.snoozedUntil && ` until ${d.snoozedUntil.toISOString().slice(0, 10)}`}
            {d.note && <> — {d.note}</>}
          </li>
        ))}
      </ol>
      {versions.length > 1 && (
        <form method="get" action={`/stories/${props.storyId}`} class="diff-form">
          Compare{' '}
          <select name="from" aria-label="Compare version">
            {options(diff?.from ?? versions[versions.length - 2]!.id)}
          </select>{' '}
          with{' '}
          <select name="to" aria-label="with version">
            {options(diff?.to ?? versions[versions.length - 1]!.id)}
          </select>{' '}
          <button type="submit">Show diff</button>
        </form>
      )}
      {diff && (
        <pre class="diff">
          {diff.changes.map((c) => (c.added ? <ins>{c.value}</ins> : c.removed ? <del>{c.value}</del> : c.value))}
        </pre>
      )}
    </section>
  );
}
