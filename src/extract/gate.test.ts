import { describe, expect, it } from 'vitest';
import { parsePage } from './dom.ts';
import { MarkupSignals, pageSignals } from './gate.ts';

const LIMITS = { maxElements: 10_000, maxDepth: 200 };
const story = '<p>' + 'A sentence of the story, long enough to count as text. '.repeat(6) + '</p>';

/** What the collector must equal: the selectors it stands in for, run on the finished DOM. */
function bySelectors(doc: Document): { paywall: boolean; mountPoint: Element | null } {
  return {
    paywall: doc.querySelector('[class*="paywall" i], [id*="paywall" i], [class*="piano" i]') !== null,
    mountPoint: doc.querySelector('#root, #app, #__next, #__nuxt, [data-reactroot]'),
  };
}

describe('MarkupSignals (collected while the DOM is built)', () => {
  const pages: Record<string, string> = {
    plain: `<html><body><div id="content">${story}</div></body></html>`,
    paywallClass: `<html><body><div class="article Paywall-Gate">${story}</div></body></html>`,
    paywallId: `<html><body><section id="premium-PAYWALL">x</section>${story}</body></html>`,
    piano: `<html><body><div class="tp-piano-container"></div>${story}</body></html>`,
    pianoIdOnly: `<html><body><div id="piano-box"></div>${story}</body></html>`,
    reactFirst: `<html><body><div data-reactroot=""><div id="app">${story}</div></div></body></html>`,
    appBeforeRoot: `<html><body><main id="app"></main><div id="root">${story}</div></body></html>`,
    rootOnHtml: `<html id="__next"><body>${story}</body></html>`,
    idIsCaseSensitive: `<html><body><div id="Root"></div><div id="rootish">${story}</div></body></html>`,
    insideDroppedMarkup: `<html><body><template><div id="root" class="paywall"></div></template><svg><g id="app" class="paywall"/></svg>${story}</body></html>`,
  };

  for (const [name, html] of Object.entries(pages)) {
    it(`finds what the selectors find: ${name}`, () => {
      const markup = new MarkupSignals();
      const { document } = parsePage(html, 'https://news.example/a', LIMITS, markup.visit);
      const expected = bySelectors(document);
      expect({ paywall: markup.paywall, mountPoint: markup.mountPoint }).toEqual(expected);
      expect(markup.mountPoint).toBe(expected.mountPoint); // the very element, not a look-alike
    });
  }

  it('feeds the gate: an empty mount point is a script shell, a class naming a paywall is paywall markup', () => {
    const read = (html: string) => {
      const markup = new MarkupSignals();
      const page = parsePage(html, 'https://news.example/a', LIMITS, markup.visit);
      return pageSignals(page.document, html, page.jsonLd, markup);
    };
    expect(read(`<html><body><div id="root"></div></body></html>`)).toMatchObject({ scriptShell: true, paywallMarkup: false });
    expect(read(`<html><body><div id="root">${story}</div></body></html>`)).toMatchObject({ scriptShell: false });
    expect(read(`<html><body><div class="paywall">${story}</div></body></html>`)).toMatchObject({ paywallMarkup: true, scriptShell: false });
  });
});
