import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { formatMetric, METRIC_LABELS } from '../cli/prompts.ts';
import type { Comparison, StorySide } from './compare.ts';
import { aggregate, delta } from './metrics.ts';
import { comparisonHtml } from './report-html.tsx';

const HOSTILE = `<script>alert("x")</script><img src=x onerror='alert(1)'> & "quoted"`;

const side = (over: Partial<StorySide> = {}): StorySide => ({
  headline: `Headline ${HOSTILE}`,
  tldr: `TL;DR ${HOSTILE}`,
  takeaways: [
    { text: `Takeaway ${HOSTILE}`, quote: `Quote ${HOSTILE}`, grounded: true, supported: false },
    { text: 'Plain.', quote: 'plain', grounded: false, supported: null },
  ],
  verdict: `verdict ${HOSTILE}`,
  recommendation: `rec ${HOSTILE}`,
  unsupportedClaims: [{ field: `field ${HOSTILE}`, claim: `claim ${HOSTILE}` }],
  failure: null,
  ...over,
});

function comparison(): Comparison {
  const a = { ...aggregate([]), verdicts: { [`v ${HOSTILE}`]: 2 } };
  const b = aggregate([]);
  return {
    a: { name: `trial ${HOSTILE}`, prompt: { id: `id ${HOSTILE}`, hash: `hash ${HOSTILE}` }, model: `model ${HOSTILE}`, aggregate: a },
    b: { name: 'live', prompt: null, model: null, aggregate: b },
    delta: delta(a, b),
    stories: [
      { id: 7, title: `Title ${HOSTILE}`, differs: true, a: side(), b: side({ failure: { kind: `kind ${HOSTILE}`, message: `message ${HOSTILE}` } }) },
      { id: 8, title: null, differs: false, a: side(), b: null },
    ],
  };
}

describe('comparisonHtml', () => {
  const html = comparisonHtml(comparison(), METRIC_LABELS, formatMetric);
  const { document } = parseHTML(html);

  it('is one self-contained document: no script, no external resource, a CSP that allows neither', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(document.querySelectorAll('script, img, link, iframe, object, embed').length).toBe(0);
    expect([...document.querySelectorAll('[src], [onerror]')]).toEqual([]);
    expect([...document.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['#story-7']);
    expect(document.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')).toBe("default-src 'none'; style-src 'unsafe-inline'");
  });

  it('shows every text from trials, feeds and the model as written, escaped', () => {
    expect(document.querySelector('title')!.textContent).toBe(`Prompt comparison: trial ${HOSTILE} vs live`);
    const text = document.body.textContent!;
    for (const t of ['trial', 'id', 'hash', 'model', 'Title', 'Headline', 'TL;DR', 'Takeaway', 'Quote', 'verdict', 'rec', 'field', 'claim', 'kind', 'message', 'v']) {
      expect(text).toContain(`${t} ${HOSTILE}`);
    }
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
  });

  it('marks takeaways, differing stories and missing sides', () => {
    const story = document.getElementById('story-7')!;
    expect(story.querySelector('h3')!.textContent).toBe(`Story 7: Title ${HOSTILE} differs`);
    expect([...story.querySelectorAll('.sides > div')[0]!.querySelectorAll('li span')].map((s) => s.textContent)).toEqual(['grounded', 'unsupported', 'ungrounded']);
    expect(story.querySelector('p.bad')!.textContent).toBe(`Unsupported claims: field ${HOSTILE}: claim ${HOSTILE}`);
    expect(document.getElementById('story-8')!.textContent).toContain('not in this side');
    expect(html).toMatch(/<tr><th>grounded-quote rate<\/th><td>-<\/td><td>-<\/td><td>-<\/td><\/tr>/);
  });
});
