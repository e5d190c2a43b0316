/**
 * Tracking parameters: query parameters that only record where a click came from and never
 * change the page. Feed links carry them (`?utm_source=rss`); item keys ignore them and the
 * newsletter never passes them on to its readers.
 */

/** Click ids and mailing-list tags, besides every `utm_*`. */
const TRACKING_PARAMS = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'igshid',
  'mc_cid', 'mc_eid', 'ref_src', 'ref_url', '_hsenc', '_hsmi', 'mkt_tok', 'oly_anon_id', 'oly_enc_id',
  'vero_id', 'wickedid', 'rb_clickid', 's_cid', 'spm', 'at_medium', 'at_campaign',
]);

/** Whether a query parameter (by its decoded name) only tracks the click. */
export function isTrackingParam(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || TRACKING_PARAMS.has(n);
}

/** A parameter's name as a server reads it: `+` is a space and %XX decoded; undecodable stays as written. */
function paramName(pair: string): string {
  const raw = pair.split('=', 1)[0]!.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * `url` without its tracking parameters. Everything else stays as written (the other
 * parameters, their order and encoding, the fragment), so a URL without trackers comes back
 * byte for byte; the `?` goes when no parameter is left.
 */
export function stripTrackingParams(url: string): string {
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt < 0 ? url : url.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : url.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  if (queryAt < 0) return url;
  const pairs = beforeHash.slice(queryAt + 1).split('&');
  const kept = pairs.filter((p) => !isTrackingParam(paramName(p)));
  if (kept.length === pairs.length) return url;
  const query = kept.filter((p) => p !== '').join('&');
  return beforeHash.slice(0, queryAt) + (query ? `?${query}` : '') + hash;
}
