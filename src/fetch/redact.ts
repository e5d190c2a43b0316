/** URLs as shown in logs, errors, the UI and every output: no credentials. */

// Query parameter names whose values are secrets often enough to hide (api_key, access_token, sig...).
const SECRET_PARAM = /token|secret|passw|pwd|auth|sig|session|api[-_]?key|credential|jwt|^(key|code|sid|pass|hash|k)$/i;

/** Strips user:pass and the values of token-like query parameters; safe on any string. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not a URL: still hide anything that looks like userinfo or a secret parameter.
    return redactQuery(url.replace(/\/\/[^/?#@\s]*@/g, '//***@'));
  }
  const userinfo = u.username || u.password ? '***@' : '';
  const authority = u.host ? `//${userinfo}${u.host}` : '';
  const scheme = u.protocol;
  return `${scheme}${authority}${u.pathname}${redactQuery(u.search)}${u.hash}`;
}

function redactQuery(s: string): string {
  return s.replace(/([?&;])([^=&#;]+)=([^&#;]*)/g, (whole, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // keep the raw name
    }
    return SECRET_PARAM.test(decoded) ? `${sep}${name}=REDACTED` : whole;
  });
}

/** Every http(s) URL in a message, redacted; the rest of the text unchanged. */
export function redactUrlsIn(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (match) => {
    const url = withoutTrailingPunctuation(match);
    return redactUrl(url) + match.slice(url.length);
  });
}

/**
 * A URL as written in prose: a closing bracket it did not open, or a full stop or comma after it,
 * belongs to the sentence (else redacting a secret at the URL's end would swallow them).
 */
function withoutTrailingPunctuation(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (last === undefined) break;
    if ('.,;:!?'.includes(last)) end--;
    else if ((last === ')' || last === ']') && count(url.slice(0, end), last === ')' ? '(' : '[') < count(url.slice(0, end), last)) end--;
    else break;
  }
  return url.slice(0, end);
}

const count = (s: string, ch: string) => s.split(ch).length - 1;
