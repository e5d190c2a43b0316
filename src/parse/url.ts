/** URL rules for feed links: resolution against a base, http(s) only, and canonical forms for keys. */
import { isTrackingParam as isTracking } from '../core/tracking.ts';

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
