import type { Session, Story } from '../../store/index.ts';
import { REASON_CODES } from '../../store/index.ts';
import { Csrf } from './layout.tsx';

/** Why a desk without a model offers no Re-draft: the offline engine would only repeat its draft. */
export const REDRAFT_NEEDS_MODEL = 'Re-draft needs a model: start the desk with OPENAI_API_KEY set, or llm.baseURL in the config.';

/**
 * What an editor can do with a story not yet sent: approve or reject the version shown (`version`),
 * snooze, reopen a decided story, re-draft (or why not), and the keys to reject and edit.
 */
export function StoryActions(p: { story: Story; session: Session; version: number; canRedraft: boolean }) {
  const decided = p.story.status === 'approved' || p.story.status === 'rejected';
  return (
    <div class="actions-bar">
      <form method="post" action={`/stories/${p.story.id}/approve`} class="inline">
        <Csrf session={p.session} />
        <input type="hidden" name="version" value={String(p.version)} />
        <button type="submit" data-key="a">
          Approve
        </button>
      </form>
      <form method="post" action={`/stories/${p.story.id}/reject`} class="inline" id="reject">
        <Csrf session={p.session} />
        <input type="hidden" name="version" value={String(p.version)} />
        <select name="reason" required aria-label="Reason" data-focus>
          <option value="">reason…</option>
          {REASON_CODES.map((r) => (
            <option value={r}>{r}</option>
          ))}
        </select>
        <input name="note" placeholder="note (optional)" aria-label="Note" maxlength={2000} />
        <button type="submit">Reject</button>
      </form>
      <form method="post" action={`/stories/${p.story.id}/snooze`} class="inline">
        <Csrf session={p.session} />
        <input type="date" name="until" required aria-label="Snooze until" />
        <button type="submit">Snooze</button>
      </form>
      {decided && (
        <form method="post" action={`/stories/${p.story.id}/reopen`} class="inline">
          <Csrf session={p.session} />
          <button type="submit">Reopen</button>
        </form>
      )}
      {p.canRedraft ? (
        <form method="post" action={`/stories/${p.story.id}/redraft`} class="inline">
          <Csrf session={p.session} />
          <button type="submit">Re-draft</button>
        </form>
      ) : (
        <span class="meta" id="no-redraft">
          {REDRAFT_NEEDS_MODEL}
        </span>
      )}
      <a href="#reject" data-key="r" class="keyonly">
        reject
      </a>
      <a href="#edit" data-key="e">
        Edit
      </a>
    </div>
  );
}
