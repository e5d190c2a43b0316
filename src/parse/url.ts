/** URL rules for feed links: resolution against a base, http(s) only, and canonical forms for keys. */

/** Query parameters that only track the click and never change the page. */
const TRACKING_PARAMS = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'igshid',
  'mc_cid', 'mc_eid', 'ref_src', 'ref_url', '_hsenc', '_hsmi', 'mkt_tok', 'oly_anon_id', 'oly_enc_id',
  'vero_id', 'wickedid', 'rb_clickid', 's_cid', 'spm', 'at_medium', 'at_campaign',
]);

const isTracking = (name: string): boolean => {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || TRACKING_PARAMS.has(n);
};

/**
 * Resolves `raw` against `base` and returns it only when it is an absolute http(s) URL, else null.
 * `//host/path` takes the base's scheme (https when there is no base).
 */
export function resolveHttpUrl(raw: string | null | undefined, base?: string | null): string | null {
  const text = raw?.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = base ? new URL(text, base) : new URL(text.startsWith('//') ? `https:${text}` : text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  return url.href;
}

/**
 * The canonical form of an http(s) URL, for item keys: absolute, lower-case host (WHATWG URL does
 * that and drops default ports), no fragment, no tracking parameters. Remaining query order is
 * kept, because some servers read parameters in order. Null for anything that is not http(s).
 */
export function canonicalUrl(url: string, base?: string | null): string | null {
  const resolved = resolveHttpUrl(url, base);
  if (!resolved) return null;
  const u = new URL(resolved);
  u.hash = '';
  const kept = [...u.searchParams].filter(([name]) => !isTracking(name));
  if (kept.length !== [...u.searchParams].length) {
    u.search = kept.length ? new URLSearchParams(kept).toString() : '';
  }
  return u.href;
}
