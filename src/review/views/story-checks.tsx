import type { StoredDraft } from '../../store/index.ts';

/** What the checks found: the editor's and the model's framing, its concerns, and the claims the article does not support. */
export function StoryChecks(props: { draft: StoredDraft }) {
  const d = props.draft;
  return (
    <>
      <h2>Framing</h2>
      {d.judgement && (
        <p class="judgement">
          Verdict <strong class={d.judgement.verdict === 'positive' ? '' : 'flag'}>{d.judgement.verdict}</strong> · recommendation{' '}
          <strong class={d.judgement.recommendation === 'skip' ? 'flag' : ''}>{d.judgement.recommendation}</strong> ·{' '}
          <span class="judged-by">
            Verdict set by {d.judgement.by} on {d.judgement.at.toISOString().slice(0, 16).replace('T', ' ')} UTC
          </span>
        </p>
      )}
      <p>
        {d.judgement && "The model's framing: "}
        Verdict <strong class={d.framing.verdict === 'positive' ? '' : 'flag'}>{d.framing.verdict}</strong> (score {d.framing.score.toFixed(2)}
        {d.framing.confidence !== null && `, confidence ${d.framing.confidence.toFixed(2)}`}) · recommendation{' '}
        <strong class={d.framing.recommendation === 'skip' ? 'flag' : ''}>{d.framing.recommendation ?? 'none (drafted before the rubric)'}</strong>
      </p>
      <p>{d.framing.rationale}</p>
      {d.framing.angle && (
        <p>
          <strong>Angle:</strong> {d.framing.angle}
        </p>
      )}
      {d.framing.concerns.length > 0 && (
        <>
          <h3>Concerns</h3>
          <ul class="concerns">
            {d.framing.concerns.map((c) => (
              <li>{c}</li>
            ))}
          </ul>
        </>
      )}
      {d.unsupportedClaims.length > 0 && (
        <>
          <h3>Unsupported claims (not in the article)</h3>
          <ul class="unsupported">
            {d.unsupportedClaims.map((c) => (
              <li>
                <code>{c.field}</code>: {c.claim}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
