/** @jsxImportSource hono/jsx */
/**
 * The comparison as one self-contained HTML file an editor can open: no scripts, no external
 * resources, and every text (from feeds, pages or the model) escaped, by hono's JSX as the desk's.
 */
import { raw } from 'hono/html';
import type { Comparison, StorySide } from './compare.ts';
import { NUMERIC_METRICS } from './metrics.ts';

type MetricKey = (typeof NUMERIC_METRICS)[number];
type FormatMetric = (k: MetricKey, v: number | null, isDelta?: boolean) => string;

const CSS = `body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
.story{border-top:2px solid #888;margin-top:1.5rem}.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.bad{color:#a00;font-weight:600}.ok{color:#060}.differs{background:#fff4d6;padding:0 .3rem}.muted{color:#666}
@media print{.story{break-inside:avoid}}`;

/** A check's outcome, marked good or bad. */
const Mark = (p: { ok: boolean; yes: string; no: string }) => <span class={p.ok ? 'ok' : 'bad'}>{p.ok ? p.yes : p.no}</span>;

/** One side's draft of a story, or why it has none. */
function Side(p: { tag: string; side: StorySide | null }) {
  const s = p.side;
  if (!s) {
    return (
      <div>
        <h4>{p.tag}</h4>
        <p class="muted">not in this side</p>
      </div>
    );
  }
  if (s.failure) {
    return (
      <div>
        <h4>{p.tag}</h4>
        <p class="bad">no draft: {s.failure.kind}</p>
        <p class="muted">{s.failure.message}</p>
      </div>
    );
  }
  return (
    <div>
      <h4>{p.tag}</h4>
      <p>
        <strong>{s.headline}</strong>
      </p>
      <p>
        {s.verdict}
        {s.recommendation && ` / ${s.recommendation}`}
      </p>
      <p>
        <em>TL;DR</em> {s.tldr}
      </p>
      <ol>
        {s.takeaways.map((t) => (
          <li>
            {t.text}
            <br />
            <q>{t.quote}</q> (<Mark ok={t.grounded} yes="grounded" no="ungrounded" />
            {t.supported !== null && (
              <>
                , <Mark ok={t.supported} yes="supported" no="unsupported" />
              </>
            )}
            )
          </li>
        ))}
      </ol>
      {s.unsupportedClaims.length > 0 && <p class="bad">Unsupported claims: {s.unsupportedClaims.map((c) => `${c.field}: ${c.claim}`).join('; ')}</p>}
    </div>
  );
}

/** A side's name, with the prompt and model of a trial. */
function Who(p: { side: Comparison['a'] }) {
  const s = p.side;
  return (
    <>
      {s.name}
      {s.prompt && (
        <>
          {' '}
          <span class="muted">
            ({s.prompt.id} {s.prompt.hash}, {s.model ?? ''})
          </span>
        </>
      )}
    </>
  );
}

/** Counts by name ("positive 2, mixed 1"), or "-". */
const counts = (x: Record<string, number>) =>
  Object.entries(x)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || '-';

function Row(p: { label: string; cells: [string, string, string] }) {
  return (
    <tr>
      <th>{p.label}</th>
      <td>{p.cells[0]}</td>
      <td>{p.cells[1]}</td>
      <td>{p.cells[2]}</td>
    </tr>
  );
}

/** The aggregate table: each metric for A and B, and B − A. */
function Aggregates(p: { c: Comparison; labels: Record<string, { label: string }>; format: FormatMetric }) {
  const { c, format } = p;
  const rows = [
    ...NUMERIC_METRICS.map((k) => <Row label={p.labels[k]!.label} cells={[format(k, c.a.aggregate[k]), format(k, c.b.aggregate[k]), format(k, c.delta[k], true)]} />),
    <Row label="verdicts" cells={[counts(c.a.aggregate.verdicts), counts(c.b.aggregate.verdicts), counts(c.delta.verdicts)]} />,
    <Row label="recommendations" cells={[counts(c.a.aggregate.recommendations), counts(c.b.aggregate.recommendations), counts(c.delta.recommendations)]} />,
  ];
  return (
    <table>
      <thead>
        <tr>
          <th>metric</th>
          <th>A</th>
          <th>B</th>
          <th>B − A</th>
        </tr>
      </thead>
      <tbody>{rows}</tbody>
    </table>
  );
}

/** The comparison, story by story and in aggregate, as one HTML document. */
export function comparisonHtml(c: Comparison, labels: Record<string, { label: string }>, format: FormatMetric): string {
  const differing = c.stories.filter((s) => s.differs);
  const page = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />
        <title>
          Prompt comparison: {c.a.name} vs {c.b.name}
        </title>
        <style>{raw(CSS)}</style>
      </head>
      <body>
        <h1>Prompt comparison</h1>
        <p>
          A: <Who side={c.a} />
          <br />
          B: <Who side={c.b} />
        </p>
        <Aggregates c={c} labels={labels} format={format} />
        <p>
          Stories where the judgement differs:{' '}
          {differing.length === 0
            ? 'none'
            : differing.map((s, i) => (
                <>
                  {i > 0 && ', '}
                  <a href={`#story-${s.id}`}>{s.id}</a>
                </>
              ))}
        </p>
        {c.stories.map((s) => (
          <section class="story" id={`story-${s.id}`}>
            <h3>
              Story {s.id}: {s.title ?? ''}
              {s.differs && (
                <>
                  {' '}
                  <span class="differs">differs</span>
                </>
              )}
            </h3>
            <div class="sides">
              <Side tag={`A: ${c.a.name}`} side={s.a} />
              <Side tag={`B: ${c.b.name}`} side={s.b} />
            </div>
          </section>
        ))}
      </body>
    </html>
  );
  return `<!doctype html>\n${String(page)}\n`;
}
