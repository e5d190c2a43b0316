import { raw } from 'hono/html';
import sanitizeHtml from 'sanitize-html';
import type { Change } from 'diff';
import type { Decision, Session, Story, StoredArticle, StoredDraft, Version } from '../../store/index.ts';
import { judgedFraming, sentSentence } from '../../store/index.ts';
import type { Prices } from '../../render/provenance.ts';
import { highlightQuotes } from '../highlight.ts';
import { MAX_TAKEAWAYS } from '../forms.ts';
import { FRAMING_VERDICTS, RECOMMENDATIONS } from '../../draft/schema.ts';
import type { FramingVerdict, Recommendation } from '../../core/types.ts';
import { Csrf, Layout, Notice, SafeLink, type DeskNotice } from './layout.tsx';
import { newsletterStory, StoryArticle, type NewsletterSettings } from '../../render/index.ts';
import { versionText, type EditValues } from '../version-text.ts';
import { Coverage } from './coverage.tsx';
import { StoryActions } from './story-actions.tsx';
import { StoryChecks } from './story-checks.tsx';
import { StoryProvenance } from './story-provenance.tsx';
import { StoryHistory, type VersionDiff } from './story-history.tsx';

export { REDRAFT_NEEDS_MODEL } from './story-actions.tsx';

export interface StoryPageProps {
  nonce: string;
  session: Session;
  story: Story;
  article: StoredArticle | null;
  versions: Version[];
  decisions: Decision[];
  diff: VersionDiff | null;
  categories: readonly string[];
  newsletter: NewsletterSettings;
  /** llm.pricing and llm.model: a model-made draft's provenance shows its estimated cost. */
  prices: Prices;
  notice?: string | DeskNotice;
  /** Whether this desk can re-draft (it has a model); without one the button gives way to why not. */
  canRedraft?: boolean;
}

export type { EditValues };

/** The edit form: one field per draft field, named as in the story JSON, and the version it edits. */
export function EditForm(props: {
  session: Session;
  storyId: number;
  version: number;
  values: EditValues;
  categories: readonly string[];
  /** The verdict and recommendation that stand (an editor's judgement, else the model's framing). */
  judged: { verdict: FramingVerdict; recommendation: Recommendation | null };
}) {
  const v = props.values;
  const verdict = v.verdict ?? props.judged.verdict;
  const recommendation = v.recommendation ?? props.judged.recommendation;
  const categories = props.categories.includes(v.category) ? props.categories : [v.category, ...props.categories];
  const rows = Math.min(MAX_TAKEAWAYS, v.takeaways.length + 1);
  return (
    <form method="post" action={`/stories/${props.storyId}/edit`} class="edit">
      <Csrf session={props.session} />
      <input type="hidden" name="version" value={String(props.version)} />
      <label>
        Headline <input name="headline" value={v.headline} required maxlength={300} data-focus />
      </label>
      <label>
        TL;DR <textarea name="tldr" rows={3} required>{v.tldr}</textarea>
      </label>
      <fieldset>
        <legend>Key takeaways (a takeaway left empty is removed)</legend>
        {Array.from({ length: rows }, (_, i) => (
          <div class="takeaway-edit">
            <label>
              {i + 1}. <textarea name={`takeaways.${i}.text`} rows={2}>{v.takeaways[i]?.text ?? ''}</textarea>
            </label>
            <label>
              Quote <textarea name={`takeaways.${i}.quote`} rows={2}>{v.takeaways[i]?.quote ?? ''}</textarea>
            </label>
          </div>
        ))}
      </fieldset>
      <label>
        Deck (one line under the headline) <input name="deck" value={v.deck} maxlength={500} />
      </label>
      <label>
        Body (paragraphs separated by a blank line) <textarea name="body" rows={8}>{v.body.join('\n\n')}</textarea>
      </label>
      <label>
        Why it matters <textarea name="whyItMatters" rows={3} required>{v.whyItMatters}</textarea>
      </label>
      <label>
        Implications (one per line) <textarea name="implications" rows={4}>{v.implications.join('\n')}</textarea>
      </label>
      <label>
        Reader note (the source's caveats; empty for none) <textarea name="readerNote" rows={3}>{v.readerNote ?? ''}</textarea>
      </label>
      <label>
        Category{' '}
        <select name="category">
          {categories.map((c) => (
            <option value={c} selected={c === v.category}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="judgement">
        <legend>Judgement (saved as yours, with your name and the date, when you change it)</legend>
        <label>
          Verdict{' '}
          <select name="verdict">
            {FRAMING_VERDICTS.map((x) => (
              <option value={x} selected={x === verdict}>
                {x}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          Recommendation{' '}
          <select name="recommendation">
            {recommendation === null && <option value="">none</option>}
            {RECOMMENDATIONS.map((x) => (
              <option value={x} selected={x === recommendation}>
                {x}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <button type="submit">Save</button>
    </form>
  );
}

/** Extracted HTML is sanitized again at display: http(s) links only, no images or media at all. */
function displayHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: ['p', 'br', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'a', 'strong', 'b', 'em', 'i', 'code', 'pre', 'figure', 'figcaption', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
    allowedAttributes: { a: ['href'] },
    allowedSchemes: ['http', 'https'],
    allowProtocolRelative: false,
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
  });
}

/** What a takeaway adds to its quote, named ("90%"), as the check found it. */
export function saysMore(missing: readonly string[] | undefined): string {
  if (!missing?.length) return 'the takeaway says more than its quote';
  return `the takeaway says ${missing.map((c) => `"${c}"`).join(', ')}, which its quote does not`;
}

function SourceText(props: { article: StoredArticle; draft: StoredDraft | null }) {
  const quotes = props.draft?.takeaways.map((t) => t.quote) ?? [];
  const { segments, found } = highlightQuotes(props.article.text, quotes, props.article.title ?? '');
  return (
    <section class="source-text">
      <h2>Source text</h2>
      {props.draft && (
        <ol class="quotes">
          {props.draft.takeaways.map((t, i) => (
            <li class={t.grounded ? 'grounded' : 'ungrounded'}>
              <q>{t.quote}</q>{' '}
              {!t.grounded ? (
                <strong class="flag">not found in the article</strong>
              ) : !t.supported ? (
                <>
                  <strong class="flag">{saysMore(t.missingFromQuote)}</strong> {found[i] && <a href={`#quote-${i + 1}`}>in the text</a>}
                </>
              ) : found[i] ? (
                <a href={`#quote-${i + 1}`}>in the text</a>
              ) : (
                <span>grounded when checked, not located in this text</span>
              )}
            </li>
          ))}
        </ol>
      )}
      {/* Scrolls on its own: focusable and named, so it can be read and scrolled by keyboard. */}
      <div class="article-text" tabindex={0} role="region" aria-label="Source text, with the takeaways' quotes marked">
        {segments.map((s) =>
          s.takeaway === null ? (
            s.text
          ) : (
            <mark id={`quote-${s.takeaway + 1}`} title={`Takeaway ${s.takeaway + 1}`}>
              {s.text}
              <sup>{s.takeaway + 1}</sup>
            </mark>
          ),
        )}
      </div>
      {props.article.html && (
        <details>
          <summary>As formatted on the page (sanitized)</summary>
          <div class="article-html">{raw(displayHtml(props.article.html))}</div>
        </details>
      )}
    </section>
  );
}

/**
 * The draft as newsletter readers will see it: the newsletter's own story layout (src/render, as
 * `aiwins show --format html` and the exports draw it), with the notes editors must see first.
 */
function ReaderPreview(props: { story: Story; newsletter: NewsletterSettings }) {
  const shown = newsletterStory(props.story, props.newsletter);
  return <div class="reader">{shown && <StoryArticle story={shown} marks />}</div>;
}

/** One story: the draft as readers see it beside the source, the checks, the actions, the history. */
export function StoryPage(p: StoryPageProps) {
  const { story, session } = p;
  const d = story.draft;
  const current = p.versions[p.versions.length - 1];
  return (
    <Layout title={d?.headline ?? story.title ?? `Story ${story.id}`} nonce={p.nonce} session={session}>
      <div class="story-head">
        <h1>{d?.headline ?? story.title ?? '(untitled)'}</h1>
        <p class="meta">
          #{story.id} · {story.feed} · <span class={`status ${story.status}`}>{story.status}</span>
          {story.review.approvedVersionId !== null && ` (version #${story.review.approvedVersionId})`}
          {story.review.changedSinceApproval && <span class="flag">re-drafted since approval</span>} ·{' '}
          <SafeLink href={story.url}>original article</SafeLink>
        </p>
        <Notice notice={p.notice} session={session} />
        {story.sent && <p class="sent">{sentSentence(story.sent)}: final, so it offers nothing that would change its decision or text.</p>}
      </div>
      {d && current && !story.sent && <StoryActions story={story} session={session} version={current.id} canRedraft={p.canRedraft ?? false} />}
      <Coverage story={story} session={session} />
      {story.error && (
        <p class="error">
          Not drafted: {story.error.kind}: {story.error.message}
        </p>
      )}
      <div class="columns">
        <div>
          {d ? <ReaderPreview story={story} newsletter={p.newsletter} /> : <p>No draft yet.</p>}
          {d && (
            <section class="checks">
              <StoryChecks draft={d} />
              <StoryProvenance draft={d} article={p.article} prices={p.prices} />
            </section>
          )}
        </div>
        {p.article ? <SourceText article={p.article} draft={d} /> : <section class="source-text">No extracted text.</section>}
      </div>
      {d && current && !story.sent && (
        // Folded until "Edit" (or `e`, or a link to #edit) opens it: the page stays short.
        <details id="edit" class="edit-fold" data-fold>
          <summary>
            <h2>Edit</h2>
          </summary>
          <EditForm session={session} storyId={story.id} version={current.id} values={d} categories={p.categories} judged={judgedFraming(d)} />
        </details>
      )}
      <StoryHistory storyId={story.id} versions={p.versions} decisions={p.decisions} diff={p.diff} />
    </Layout>
  );
}

/** HTTP 409: someone saved (or re-drafted) since this editor opened the form. Both texts, nothing lost. */
export function ConflictPage(p: { nonce: string; session: Session; storyId: number; yours: EditValues; current: Version; changes: Change[]; categories: readonly string[] }) {
  return (
    <Layout title="Edit conflict" nonce={p.nonce} session={p.session}>
      <h1>Someone changed this story while you were editing</h1>
      <p class="error">
        Your edit was not saved, and nothing was overwritten. The current version (#{p.current.id}) was{' '}
        {p.current.origin === 'editor' ? `saved by ${p.current.editedBy}` : `drafted by ${p.current.draft.engine}`} at {p.current.createdAt.toISOString()}.
        Compare, then save your text again below (it now edits the current version).
      </p>
      <div class="columns">
        <section>
          <h2>Your text</h2>
          <pre class="version-text">{versionText(p.yours)}</pre>
        </section>
        <section>
          <h2>Current text</h2>
          <pre class="version-text">{versionText(p.current.draft)}</pre>
        </section>
      </div>
      <h2>Differences (current → yours)</h2>
      <pre class="diff">{p.changes.map((c) => (c.added ? <ins>{c.value}</ins> : c.removed ? <del>{c.value}</del> : c.value))}</pre>
      <EditForm session={p.session} storyId={p.storyId} version={p.current.id} values={p.yours} categories={p.categories} judged={judgedFraming(p.current.draft)} />
      <p>
        <a href={`/stories/${p.storyId}`}>Discard my edit and open the story</a>
      </p>
    </Layout>
  );
}
