import { describe, expect, it } from 'vitest';
import { forbiddenXmlChars, xmlSafeDeep, xmlSafeText } from './xml-text.ts';

describe('xmlSafeText', () => {
  it('removes C0 controls but keeps tab, LF and CR', () => {
    expect(xmlSafeText('a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg')).toBe('abcdefg');
    expect(xmlSafeText('tab\there\nnew\rline')).toBe('tab\there\nnew\rline');
  });

  it('removes U+FFFE and U+FFFF, the discouraged DEL, C1 controls and noncharacters, and U+FFFD', () => {
    expect(xmlSafeText('x\uFFFEy\uFFFFz')).toBe('xyz');
    expect(xmlSafeText('a\u007Fb\u0080c\u009Fd')).toBe('abcd');
    expect(xmlSafeText('a\uFDD0b\uFDEFc\u{1FFFE}d\u{10FFFF}e\u{2FFFE}f')).toBe('abcdef');
    expect(xmlSafeText('Caf\uFFFD')).toBe('Caf');
  });

  it('removes lone surrogates, high or low, anywhere in the string', () => {
    expect(xmlSafeText('\uD800')).toBe('');
    expect(xmlSafeText('a\uD83Db')).toBe('ab');
    expect(xmlSafeText('a\uDE00b')).toBe('ab');
    expect(xmlSafeText('end\uD83D')).toBe('end');
    // A low surrogate before a high one is two lone halves, not a pair.
    expect(xmlSafeText('\uDE00\uD83D')).toBe('');
  });

  it('keeps valid astral characters (surrogate pairs) and every other allowed character intact', () => {
    const text = 'Emoji 😀, math 𝔸, CJK 𠀀, accents é ü, symbols <&>"\' and U+FFFC \uFFFC, U+E000 \uE000, U+FDCF \uFDCF, U+1FFFD \u{1FFFD}, NBSP \u00A0';
    expect(xmlSafeText(text)).toBe(text);
    expect(xmlSafeText('a😀\uD800😀b')).toBe('a😀😀b');
  });

  it('lists the forbidden characters it would remove, by code point', () => {
    expect(forbiddenXmlChars('ok 😀')).toEqual([]);
    expect(forbiddenXmlChars('a\u0001\uD800\uFFFF')).toEqual([0x1, 0xd800, 0xffff]);
  });

  it('cleans every string of a value, leaving dates, numbers and structure alone', () => {
    const when = new Date('2026-01-01T00:00:00Z');
    const out = xmlSafeDeep({ a: 'x\u0002', b: [{ c: '\uFFFEy' }], d: when, n: 3, z: null, t: true });
    expect(out).toEqual({ a: 'x', b: [{ c: 'y' }], d: when, n: 3, z: null, t: true });
    expect(out.d).toBe(when);
  });
});
