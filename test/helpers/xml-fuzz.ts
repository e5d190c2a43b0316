/**
 * Random text for the feed writers, and a strict check of what they write. Seeded, so a failing
 * case is the same case on every run; no dependency beyond what aiwins already has.
 */
import { XMLValidator } from 'fast-xml-parser';
import { JSDOM } from 'jsdom';
import { forbiddenXmlChars } from '../../src/core/xml-text.ts';

export { seededRandom } from './random.ts';

// What hostile text is made of: what XML forbids (C0 controls, U+FFFE/U+FFFF, each half of a
// surrogate pair alone), what it only discourages (DEL, C1), what it must escape, and what it
// must keep (astral characters as valid pairs, accents, U+FFFD, line separators).
const PIECES = [
  'a', 'Z', '7', ' ', 'word', '\t', '\n', '\r', '\r\n', '<', '>', '&', '"', "'", ']]>', '<![CDATA[', '-->', '&amp;', '&#1;',
  '\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u000E', '\u001B', '\u001F', '\u007F', '\u0085', '\u009B',
  '\uFFFE', '\uFFFF', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D', '\uDE00',
  '😀', '𝔸', '𠀀', 'é', 'ü', '\uFFFD', '\u2028', '\u200B', '\uFEFF',
];

/** A string of 1-40 random pieces, now and then a random UTF-16 code unit (any of the 65,536). */
export function randomText(rnd: () => number): string {
  const n = 1 + Math.floor(rnd() * 40);
  let out = '';
  for (let i = 0; i < n; i++) out += rnd() < 0.15 ? String.fromCharCode(Math.floor(rnd() * 0x10000)) : PIECES[Math.floor(rnd() * PIECES.length)]!;
  return out;
}

// jsdom's XML parser (saxes) is a strict XML 1.0 parser: it rejects a forbidden character,
// raw or as a reference, as a feed reader's parser does.
const { DOMParser } = new JSDOM('').window;

/**
 * What a strict XML 1.0 parser rejects in `xml`: jsdom's XML parser and fast-xml-parser's
 * well-formedness check, plus a scan for forbidden code points, raw or as a reference (which
 * fast-xml-parser does not look at), so each failure names the character and where it is.
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const strict = new DOMParser().parseFromString(xml, 'application/xml').getElementsByTagName('parsererror')[0];
  if (strict) problems.push(`strict parser: ${strict.textContent?.trim().split('\n')[0]}`);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) problems.push(`not well-formed: ${valid.err.code} ${valid.err.msg} (line ${valid.err.line})`);
  let at = 0;
  for (const ch of xml) {
    if (forbiddenXmlChars(ch).length) problems.push(`forbidden character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at ${at}`);
    at += ch.length;
  }
  // Inside CDATA "&#1;" is four characters of text, not a reference.
  const markup = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  for (const m of markup.matchAll(/&#(x[0-9a-f]+|[0-9]+);/gi)) {
    const cp = m[1]![0]!.toLowerCase() === 'x' ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10);
    const ok = cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) && forbiddenXmlChars(String.fromCodePoint(cp)).length === 0;
    if (!ok) problems.push(`forbidden character reference ${m[0]}`);
  }
  return problems;
}
