import type { JSX } from 'hono/jsx/jsx-runtime';
import { sentSentence, type QueueEntry, type QueueFilters, type QueuePage as Page, type Session } from '../../store/index.ts';
import { QUEUE_FILTER_KEYS } from '../forms.ts';
import { Csrf, Layout, Notice, SafeLink, type DeskNotice } from './layout.tsx';

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

/** What to say when no story is listed, with links that widen the view. */
function Empty(props: { filters: QueueFilters }) {
  const f = props.filters;
  const status = f.status || 'candidate';
  const narrowed = Boolean(f.q || f.feed || f.category || f.verdict || f.engine);
  const allStatuses = new URLSearchParams();
  if (f.q) allStatuses.set('q', f.q);
  allStatuses.set('status', 'all');
  if (!narrowed && status === 'candidate') {
    return (
      <p class="empty">
        No candidates waiting: every drafted story has been decided, or is snoozed. <a href="/?status=all">See stories of all statuses</a>.
      </p>
    );
  }
  return (
    <div class="empty">
      <p>
        Nothing matched{f.q ? <> “{f.q}”</> : ''} among {status === 'all' ? 'stories of any status' : `${status} stories`}
        {narrowed && (f.feed || f.category || f.verdict || f.engine) ? ' with these filters' : ''}.
      </p>
      <p>
        To widen it:{' '}
        {status !== 'all' && (
          <>
            <a href={`/?${allStatuses}`}>search all statuses</a>
            {' · '}
          </>
        )}
        {(f.feed || f.category || f.verdict || f.engine) && f.q && (
          <>
            <a href={`/?${new URLSearchParams({ q: f.q, status })}`}>keep the search, clear the filters</a>
            {' · '}
          </>
        )}
        <a href="/">clear the search and every filter</a>. The search matches whole words in titles, drafts and article text: fewer or shorter words find more.
      </p>
    </div>
  );
}

/** One row's facts, each once: a flag already says a verdict or recommendation that needs a look. */
function RowMeta(props: { e: QueueEntry }) {
  const { e } = props;
  const flaggedVerdict = e.flags.some((f) => f.startsWith('verdict '));
  const flaggedRecommendation = e.flags.includes('recommends skip');
  const parts: (string | JSX.Element)[] = [];
  if (e.published) parts.push(<time datetime={e.published}>{e.published.slice(0, 10)}</time>);
  parts.push(e.feed);
  if (e.category) parts.push(e.category);
  if (e.verdict && !flaggedVerdict) parts.push(e.verdict);
  if (e.recommendation && !flaggedRecommendation) parts.push(<span class={`recommendation ${e.recommendation}`}>{e.recommendation}</span>);
  if (e.judgedBy && (e.verdict || e.recommendation)) parts.push(<span class="judged-by">set by {e.judgedBy}</span>);
  if (e.engine) parts.push(e.engine);
  parts.push(<span class={`status ${e.status}`}>{e.status}</span>);
  return (
    <div class="meta">
      #{e.id}
      {parts.map((p) => (
        <> · {p}</>
      ))}
      {e.flags.map((fl) => (
        <span class="flag">{fl}</span>
      ))}{' '}
      · <SafeLink href={e.url}>source</SafeLink>
      {e.sent && <span class="sent"> · {sentSentence(e.sent)}</span>}
    </div>
  );
}

/** What the queue's stories are called in its count: "candidates", "approved stories", "stories". */
function counted(status: string, n: number): string {
  if (status === 'candidate') return n === 1 ? 'candidate' : 'candidates';
  const noun = n === 1 ? 'story' : 'stories';
  return status === 'all' ? noun : `${status} ${noun}`;
}

/** "12 candidates", "50 of 1,234 candidates", or past the count's cap "50 of more than 10,000 candidates". */
function QueueCount(props: { shown: number; page: Page; status: string }) {
  const { total, totalCapped } = props.page;
  const n = (x: number) => x.toLocaleString('en-US');
  const of = totalCapped ? `more than ${n(total)}` : n(total);
  return <>{props.shown === total && !totalCapped ? `${of} ${counted(props.status, total)}` : `${n(props.shown)} of ${of} ${counted(props.status, total)}`}</>;
}

/** Newer and Older pages of the same filters, each link only where there is such a page. */
function PageLinks(props: { page: Page; filters: string }) {
  const href = (k: 'after' | 'before', cursor: string) => `/?${props.filters ? `${props.filters}&` : ''}${k}=${cursor}`;
  if (!props.page.prev && !props.page.next) return null;
  return (
    <nav class="pages" aria-label="Pages of the queue">
      {props.page.prev && (
        <a href={href('before', props.page.prev)} rel="prev">
          ← Newer
        </a>
      )}
      {props.page.prev && props.page.next && ' · '}
      {props.page.next && (
        <a href={href('after', props.page.next)} rel="next">
          Older →
        </a>
      )}
    </nav>
  );
}

/** The review queue: filters, search, one row per story of this page with its quick actions, and links to the pages around it. */
export function QueuePage(props: {
  nonce: string;
  session: Session;
  page: Page;
  /** The cursor this page was asked with (none: the first page), carried by each approve form so the queue comes back on this page. */
  position: { after?: string; before?: string };
  filters: QueueFilters;
  facets: Facets;
  notice?: string | DeskNotice;
  /** The row to select first (the one after a story just decided), else the first. */
  selected?: number;
}) {
  const f = props.filters;
  const entries = props.page.entries;
  // Kept in the page links, and (with the page's cursor) carried by each approve form, so the queue comes back as the editor left it.
  const kept = new URLSearchParams();
  for (const k of QUEUE_FILTER_KEYS) if (f[k]) kept.set(k, f[k]);
  const filters = kept.toString();
  const here = new URLSearchParams(kept);
  if (props.position.after) here.set('after', props.position.after);
  else if (props.position.before) here.set('before', props.position.before);
  const returnTo = here.toString();
  const status = f.status || 'candidate';
  return (
    <Layout title="Queue" nonce={props.nonce} session={props.session}>
      <h1 class="page-title">Queue</h1>
      <form method="get" action="/" class="filters" role="search" aria-label="Filter the queue">
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
      <Notice notice={props.notice} session={props.session} />
      <p class="count">
        <QueueCount shown={entries.length} page={props.page} status={status} />{' '}
        · press <kbd>?</kbd> for keys
      </p>
      {entries.length === 0 &&
        (props.page.total > 0 ? (
          <p class="empty">
            Nothing left on this page. <a href={`/?${filters}`}>Back to the first page</a>.
          </p>
        ) : (
          <Empty filters={f} />
        ))}
      <ol class="queue">
        {entries.map((e, i) => {
          const next = entries[i + 1];
          return (
            <li data-row data-selected={e.id === props.selected ? '' : undefined} class={e.flags.length ? 'flagged' : ''}>
              <div class="what">
                <a href={`/stories/${e.id}`} data-key="o" class="headline">
                  {e.headline ?? e.title ?? '(untitled)'}
                </a>
                <RowMeta e={e} />
                {e.tldr && <p class="tldr">{e.tldr}</p>}
              </div>
              {/* A sent story's decision is final: no quick action is offered on it. */}
              {!e.sent && (
              <div class="actions">
                <form method="post" action={`/stories/${e.id}/approve`} class="inline">
                  <Csrf session={props.session} />
                  <input type="hidden" name="back" value="queue" />
                  {next && <input type="hidden" name="next" value={String(next.id)} />}
                  {returnTo && <input type="hidden" name="filters" value={returnTo} />}
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
          );
        })}
      </ol>
      <PageLinks page={props.page} filters={filters} />
    </Layout>
  );
}
