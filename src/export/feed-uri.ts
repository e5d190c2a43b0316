/**
 * A link as a feed carries it: the URI form (RFC 3986), ASCII only. Browsers and the WHATWG URL
 * parser accept `|`, `[`, `]`, `{`, `}`, `^` or a backquote in a query, and feed validators reject the
 * whole link for them; percent-encoded, the link is the same to every server and valid everywhere.
 */

// What a URI may hold outside the host, as feed validators check it (RFC 2396's set plus `#`).
const NOT_URI = /[^0-9A-Za-z;/?:@&=+$.\-_!~*'()%,#]/g;

const percentEncode = (c: string) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

/**
 * `url` (an absolute http(s) URL) in the URI form feeds need: the WHATWG serialization (host in
 * lower case or punycode, default port dropped, a path of at least "/", non-ASCII percent-encoded),
 * then every character a URI may not hold, and a `%` that starts no escape, percent-encoded.
 * Anything that does not parse as a URL comes back as it was.
 */
export function feedUri(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  const href = u.href;
  // The origin is already ASCII (punycode host); only what follows it needs encoding.
  const at = href.startsWith(u.origin) ? u.origin.length : 0;
  const rest = href.slice(at).replace(/%(?![0-9A-Fa-f]{2})/g, '%25').replace(NOT_URI, percentEncode);
  return href.slice(0, at) + rest;
}
