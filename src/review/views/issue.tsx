import { raw } from 'hono/html';
import type { Issue, IssueWithStories, Session, Story } from '../../store/index.ts';
import { Csrf, Layout, Notice } from './layout.tsx';

const when = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
const headline = (s: Story) => s.draft?.headline ?? s.title ?? `story ${s.id}`;

/**
 * Drag and drop, as an enhancement only: dropping a story on another submits the same move form
 * the buttons use, with the target's position. Without JavaScript the buttons do it all.
 */
const DRAG_SCRIPT = `(() => {
  const list = document.querySelector('ol.issue-stories[data-draggable]');
  if (!list) return;
  let dragged = null;
  for (const li of list.querySelectorAll('li[data-story]')) {
    li.draggable = true;
    li.addEventListener('dragstart', (e) => {
      dragged = li;
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', li.dataset.story);
      li.classList.add('dragging');
    });
    li.addEventListener('dragend', () => li.classList.remove('dragging'));
    li.addEventListener('dragover', (e) => {
      if (dragged && dragged !== li) e.preventDefault();
    });
    li.addEventListener('drop', (e) => {
      e.preventDefault();
      if (!dragged || dragged === li) return;
      const form = dragged.querySelector('form[data-drop-move]');
      form.elements.to.value = li.dataset.position;
      form.submit();
    });
  }
})();`;

/** One move button: a POST form of its own, so ordering works without JavaScript. */
function MoveButton(props: { session: Session; action: string; to: number; label: string; title: string }) {
  return (
    <form method="post" action={props.action} class="inline">
      <Csrf session={props.session} />
      <input type="hidden" name="to" value={String(props.to)} />
      <button type="submit" title={props.title}>
        {props.label}
      </button>
    </form>
  );
}

/** A story's line in an issue: position, headline, where it is from, and anything that stops a send. */
function StoryLine(props: { story: Story; draft: boolean }) {
  const s = props.story;
  return (
    <div class="what">
      <a class="headline" href={`/stories/${s.id}`}>
        {headline(s)}
      </a>
      <span class="meta">
        {' '}
        {s.draft?.category ?? ''} · {s.feed}
      </span>
      {props.draft && s.status !== 'approved' && <span class="flag">{s.status}, no longer approved: take it out before sending</span>}
    </div>
  );
}

/** An issue: its stories in order (with the controls while it is a draft) beside its email preview. */
export function IssuePage(props: { nonce: string; session: Session; issue: IssueWithStories; addable: Story[]; notice?: string }) {
  const { issue, session } = props;
  const draft = issue.status === 'draft';
  const base = `/issues/${issue.number}`;
  const n = issue.stories.length;
  return (
    <Layout title={`Issue ${issue.number}`} nonce={props.nonce} session={session}>
      <div class="story-head">
        <h1>
          Issue {issue.number}
          {issue.title ? `: ${issue.title}` : ''}
        </h1>
        <p class="meta">
          {draft ? `Draft, opened ${when(issue.createdAt)}` : `Sent ${when(issue.sentAt!)}: frozen, each story at the version that was approved`} · {n}{' '}
          {n === 1 ? 'story' : 'stories'}
        </p>
      </div>
      <Notice notice={props.notice} session={props.session} />
      <div class="issue-columns">
        <section>
          <h2>Stories, in order</h2>
          {n === 0 && <p class="meta">No stories yet: add approved ones below.</p>}
          <ol class="issue-stories" data-draggable={draft ? '' : undefined}>
            {issue.stories.map((s, i) => {
              const pos = i + 1;
              const move = `${base}/stories/${s.id}/move`;
              return (
                <li data-story={String(s.id)} data-position={String(pos)}>
                  <span class="position">{pos}</span>
                  <StoryLine story={s} draft={draft} />
                  {draft && (
                    <div class="actions">
                      {pos > 1 && <MoveButton session={session} action={move} to={pos - 1} label="↑ Up" title={`Move to position ${pos - 1}`} />}
                      {pos < n && <MoveButton session={session} action={move} to={pos + 1} label="↓ Down" title={`Move to position ${pos + 1}`} />}
                      <form method="post" action={`${base}/stories/${s.id}/remove`} class="inline">
                        <Csrf session={session} />
                        <button type="submit">Remove</button>
                      </form>
                      <form method="post" action={move} data-drop-move hidden>
                        <Csrf session={session} />
                        <input type="hidden" name="to" value={String(pos)} />
                      </form>
                    </div>
                  )}
                </li>
              );
            })}
          </ol>
          {draft && props.addable.length > 0 && (
            <form method="post" action={`${base}/stories`} class="add-story">
              <Csrf session={session} />
              <label>
                Add an approved story{' '}
                <select name="story" required>
                  {props.addable.map((s) => (
                    <option value={String(s.id)}>
                      {headline(s)} ({s.draft?.category ?? ''})
                    </option>
                  ))}
                </select>
              </label>{' '}
              <button type="submit">Add</button>
            </form>
          )}
          {draft && (
            <p class="actions-bar">
              <a class="button" href={`${base}/send`}>
                Mark as sent…
              </a>
              <span class="meta">after sending it from your newsletter tool (export: aiwins export {issue.number} --format html)</span>
            </p>
          )}
        </section>
        <section class="issue-preview">
          <h2>Preview, as the email</h2>
          {/* sandbox="": the email's HTML runs nothing and reaches nothing, whatever it holds. */}
          <iframe src={`${base}/preview`} sandbox="" title={`Issue ${issue.number} as the email`} />
        </section>
      </div>
      {draft && <script nonce={props.nonce}>{raw(DRAG_SCRIPT)}</script>}
    </Layout>
  );
}

/** No draft issue: the form to open one, with the stories it would propose in their order, and the issues so far. */
export function OpenIssuePage(props: { nonce: string; session: Session; proposed: Story[]; issues: Issue[]; notice?: string }) {
  return (
    <Layout title="Issue" nonce={props.nonce} session={props.session}>
      <h1>Issue</h1>
      <Notice notice={props.notice} session={props.session} />
      <p>No draft issue is open.</p>
      <form method="post" action="/issues" class="open-issue">
        <Csrf session={props.session} />
        <label>
          Title (its email subject; optional) <input name="title" maxlength={300} />
        </label>
        {props.proposed.length > 0 ? (
          <>
            <p>It will hold the approved stories not yet sent, grouped by category, newest first:</p>
            <ol class="proposed">
              {props.proposed.map((s) => (
                <li>
                  <a href={`/stories/${s.id}`}>{headline(s)}</a> <span class="meta">{s.draft?.category ?? ''}</span>
                </li>
              ))}
            </ol>
            <label>
              <input type="checkbox" name="empty" /> Start it empty instead
            </label>
          </>
        ) : (
          <p class="meta">There are no approved stories waiting: it will start empty.</p>
        )}
        <button type="submit">Open an issue</button>
      </form>
      {props.issues.length > 0 && (
        <section>
          <h2>Issues so far</h2>
          <ul>
            {props.issues.map((i) => (
              <li>
                <a href={`/issues/${i.number}`}>
                  Issue {i.number}
                  {i.title ? `: ${i.title}` : ''}
                </a>{' '}
                <span class="meta">{i.status === 'sent' ? `sent ${when(i.sentAt!)}` : 'draft'} · {i.storyIds.length} stories</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Layout>
  );
}

/** The step before "Mark as sent": what it freezes, and the one button that does it. */
export function SendIssuePage(props: { nonce: string; session: Session; issue: IssueWithStories }) {
  const { issue } = props;
  return (
    <Layout title={`Send issue ${issue.number}`} nonce={props.nonce} session={props.session}>
      <h1>Mark issue {issue.number} as sent?</h1>
      {issue.status === 'sent' ? (
        <p class="error">Issue {issue.number} was already sent {when(issue.sentAt!)}.</p>
      ) : (
        <>
          <p>
            This cannot be undone. The issue is frozen: its {issue.stories.length} stories keep the version that was approved, whatever is re-drafted or
            edited later, and none of them goes out in another issue.
          </p>
          <ol>
            {issue.stories.map((s) => (
              <li>
                <StoryLine story={s} draft={true} />
              </li>
            ))}
          </ol>
          <form method="post" action={`/issues/${issue.number}/send`} class="inline">
            <Csrf session={props.session} />
            <input type="hidden" name="confirm" value={String(issue.number)} />
            <button type="submit">Mark as sent</button>
          </form>{' '}
          <a href={`/issues/${issue.number}`}>Cancel</a>
        </>
      )}
    </Layout>
  );
}
