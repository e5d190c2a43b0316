/**
 * The comparison as one self-contained HTML file an editor can open: no scripts, no external
 * resources, and every text (from feeds, pages or the model) escaped.
 */
import type { Comparison, StorySide } from './compare.ts';
import { NUMERIC_METRICS } from './metrics.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const e = (s: string | null | undefined) => escapeHtml(s ?? '');

const CSS = `body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
.story{border-top:2px solid #888;margin-top:1.5rem}.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.bad{color:#a00;font-weight:600}.ok{color:#060}.differs{background:#fff4d6;padding:0 .3rem}.muted{color:#666}
@media print{.story{break-inside:avoid}}`;

function side(tag: string, s: StorySide | null): string {
  if (!s) return `<div><h4>${e(tag)}</h4><p class="muted">not in this side</p></div>`;
  if (s.failure) return `<div><h4>${e(tag)}</h4><p class="bad">no draft: ${e(s.failure.kind)}</p><p class="muted">${e(s.failure.message)}</p></div>`;
  const takeaways = s.takeaways
    .map((t) => {
      const marks = [t.grounded ? '<span class="ok">grounded</span>' : '<span class="bad">ungrounded</span>'];
      if (t.supported !== null) marks.push(t.supported ? '<span class="ok">supported</span>' : '<span class="bad">unsupported</span>');
      return `<li>${e(t.text)}<br><q>${e(t.quote)}</q> (${marks.join(', ')})</li>`;
    })
    .join('');
  const claims = s.unsupportedClaims.length
    ? `<p class="bad">Unsupported claims: ${s.unsupportedClaims.map((c) => `${e(c.field)}: ${e(c.claim)}`).join('; ')}</p>`
    : '';
  return `<div><h4>${e(tag)}</h4><p><strong>${e(s.headline)}</strong></p><p>${e(s.verdict)}${s.recommendation ? ` / ${e(s.recommendation)}` : ''}</p>
<p><em>TL;DR</em> ${e(s.tldr)}</p><ol>${takeaways}</ol>${claims}</div>`;
}

export function comparisonHtml(c: Comparison, labels: Record<string, { label: string }>, format: (k: (typeof NUMERIC_METRICS)[number], v: number | null, isDelta?: boolean) => string): string {
  const rows = NUMERIC_METRICS.map(
    (k) => `<tr><th>${e(labels[k]!.label)}</th><td>${format(k, c.a.aggregate[k])}</td><td>${format(k, c.b.aggregate[k])}</td><td>${format(k, c.delta[k], true)}</td></tr>`,
  );
  const counts = (x: Record<string, number>) => e(Object.entries(x).map(([k, n]) => `${k} ${n}`).join(', ') || '-');
  rows.push(`<tr><th>verdicts</th><td>${counts(c.a.aggregate.verdicts)}</td><td>${counts(c.b.aggregate.verdicts)}</td><td>${counts(c.delta.verdicts)}</td></tr>`);
  rows.push(`<tr><th>recommendations</th><td>${counts(c.a.aggregate.recommendations)}</td><td>${counts(c.b.aggregate.recommendations)}</td><td>${counts(c.delta.recommendations)}</td></tr>`);
  const who = (s: Comparison['a']) => `${e(s.name)}${s.prompt ? ` <span class="muted">(${e(s.prompt.id)} ${e(s.prompt.hash)}, ${e(s.model)})</span>` : ''}`;
  const stories = c.stories
    .map(
      (s) => `<section class="story" id="story-${s.id}"><h3>Story ${s.id}: ${e(s.title)}${s.differs ? ' <span class="differs">differs</span>' : ''}</h3>
<div class="sides">${side(`A: ${c.a.name}`, s.a)}${side(`B: ${c.b.name}`, s.b)}</div></section>`,
    )
    .join('\n');
  const differing = c.stories.filter((s) => s.differs).map((s) => `<a href="#story-${s.id}">${s.id}</a>`).join(', ') || 'none';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Prompt comparison: ${e(c.a.name)} vs ${e(c.b.name)}</title><style>${CSS}</style></head>
<body><h1>Prompt comparison</h1><p>A: ${who(c.a)}<br>B: ${who(c.b)}</p>
<table><thead><tr><th>metric</th><th>A</th><th>B</th><th>B − A</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>
<p>Stories where the judgement differs: ${differing}</p>
${stories}
</body></html>
`;
}
