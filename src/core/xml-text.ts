/**
 * Text that may go into an XML document. Titles, page text, model output and editors' edits can
 * hold characters XML 1.0 forbids (C0 controls other than tab, LF and CR; U+FFFE and U+FFFF; a
 * lone UTF-16 surrogate), and a single one makes every strict parser reject the whole feed. They
 * carry no meaning in a newsletter, so they are removed rather than escaped (XML has no escape
 * for them: `&#1;` is as forbidden as the character itself).
 */

// XML 1.0's Char production, as its complement: C0 controls but tab/LF/CR, and U+FFFE/U+FFFF.
// With the `u` flag an unpaired surrogate is one code point (U+D800-U+DFFF) and matches here,
// while a valid pair is one astral code point and does not. Also removed, though XML allows them:
// what the spec "discourages" and an HTML parser reports as an error (DEL, the C1 controls, the
// noncharacters U+FDD0-U+FDEF and U+xFFFE/U+xFFFF of every plane), and U+FFFD, the mark of text
// already lost in decoding; feed validators flag C1 and U+FFFD as "bad characters".
const ASTRAL_NONCHARACTERS = Array.from({ length: 16 }, (_, i) => `\\u{${(i + 1).toString(16)}FFFE}\\u{${(i + 1).toString(16)}FFFF}`).join('');
const FORBIDDEN = new RegExp(`[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF\\uFDD0-\\uFDEF\\uFFFD-\\uFFFF${ASTRAL_NONCHARACTERS}]`, 'gu');

/** `text` without the characters XML 1.0 forbids (and those it discourages, and U+FFFD); valid astral characters are kept. */
export function xmlSafeText(text: string): string {
  return text.replace(FORBIDDEN, '');
}

/** The code points of `text` that `xmlSafeText` removes, in order: for tests and checks. */
export function forbiddenXmlChars(text: string): number[] {
  return [...text.matchAll(FORBIDDEN)].map((m) => m[0].codePointAt(0)!);
}

/**
 * `value` with `xmlSafeText` applied to every string in it, at any depth; dates, numbers and
 * the shape are kept. The feed writers pass their whole input through it, so no field is missed.
 */
export function xmlSafeDeep<T>(value: T): T {
  if (typeof value === 'string') return xmlSafeText(value) as T;
  if (Array.isArray(value)) return value.map((v) => xmlSafeDeep(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, xmlSafeDeep(v)])) as T;
  }
  return value;
}
