import { sentSentence, type QueueEntry, type QueueFilters, type Session } from '../../store/index.ts';
import { Csrf, Layout, SafeLink } from './layout.tsx';

type Facets = { feeds: string[]; categories: string[]; engines: string[]; verdicts: string[] };

function Select(props: { name: string; label: string; value: string | undefined; options: string[] }) {
  return (
    <label>
      {props.label}{' '}
      <select name={props.name}>
        <option value="">any</option>
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The review queue: filters, search, and one row per story with its quick actions. */
export function QueuePage(props: { nonce: string; session: Session; entries: QueueEntry[]; filters: QueueFilters; facets: Facets; notice?: string }) {
  const f = props.filters;
  return (
    <Layout title="Queue" nonce={props.nonce} session={props.session}>
      <form method="get" action="/" class="filters">
        <input type="search" name="q" value={f.q ?? ''} placeholder="Search titles, drafts and articles" aria-label="Search" />
        <Select name="feed" label="Feed" value={f.feed} options={props.facets.feeds} />
        <Select name="category" label="Category" value={f.category} options={props.facets.categories} />
        <Select name="verdict" label="Verdict" value={f.verdict} options={props.facets.verdicts} />
        <Select name="engine" label="Engine" value={f.engine} options={props.facets.engines} />
        <label>
          Status{' '}
          <select name="status">
            {['candidate', 'approved', 'rejected', 'all'].map((s) => (
              <option value={s} selected={s === (f.status || 'candidate')}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      {props.notice && <p class="notice">{props.notice}</p>}
      <p class="count">
        {props.entries.length} {props.entries.length === 1 ? 'story' : 'stories'} · press <kbd>?</kbd> for keys
      </p>
      <ol class="queue">
        {props.entries.map((e) => (
          <li data-row class={e.flags.length ? 'flagged' : ''}>
            <div class="what">
              <a href={`/stories/${e.id}`} data-key="o" class="headline">
                {e.headline ?? e.title ?? '(untitled)'}
              </a>
              <div class="meta">
                #{e.id} · {e.feed} · {e.category} · {e.verdict}
                {e.recommendation && <span class={`recommendation ${e.recommendation}`}> · {e.recommendation}</span>}
                {e.judgedBy && <span class="judged-by"> (set by {e.judgedBy})</span>} · {e.engine} · <span class={`status ${e.status}`}>{e.status}</span>
                {e.flags.map((fl) => (
                  <span class="flag">{fl}</span>
                ))}{' '}
                · <SafeLink href={e.url}>source</SafeLink>
                {e.sent && <span class="sent"> · {sentSentence(e.sent)}</span>}
              </div>
            </div>
            {/* A sent story's decision is final: no quick action is offered on it. */}
            {!e.sent && (
              <div class="actions">
                <form method="post" action={`/stories/${e.id}/approve`} class="inline">
                  <Csrf session={props.session} />
                  <input type="hidden" name="back" value="queue" />
                  <button type="submit" data-key="a">
                    Approve
                  </button>
                </form>
                <a href={`/stories/${e.id}#reject`} data-key="r">
                  Reject…
                </a>
                <a href={`/stories/${e.id}#edit`} data-key="e">
                  Edit
                </a>
              </div>
            )}
          </li>
        ))}
      </ol>
    </Layout>
  );
}
