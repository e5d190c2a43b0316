import type { StoredArticle, StoredDraft } from '../../store/index.ts';
import { costPhrase, provenance, type Prices } from '../../render/provenance.ts';

/** Where the draft came from (src/render/provenance.ts, as `aiwins show` prints it) and its article's extraction. */
export function StoryProvenance(props: { draft: StoredDraft; article: StoredArticle | null; prices: Prices }) {
  const { draft: d, article } = props;
  const pv = provenance(d, props.prices);
  return (
    <>
      <h2>Provenance</h2>
      <p class="meta">
        Drafted by {pv.engine}
        {pv.model && ` (${pv.model})`}, prompt {pv.prompt.id}@{pv.prompt.hash}, {pv.inputTokens} + {pv.outputTokens} tokens
        {pv.cost && `, ${costPhrase(pv.cost)}`}, {d.latencyMs} ms,{' '}
        {d.createdAt.toISOString()}
        {d.inputTruncated && ', article cut to the token budget'}
        {pv.editedBy !== null && `; edited by ${pv.editedBy}`}
        {article && `. Extracted by ${article.method} (confidence ${article.confidence.toFixed(2)}, ${article.wordCount} words).`}
      </p>
    </>
  );
}
