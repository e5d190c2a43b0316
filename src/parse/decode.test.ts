import { describe, expect, it } from 'vitest';
import { decodeFeedBytes } from './decode.ts';

const bytes = (...b: number[]) => new Uint8Array(b);
const ascii = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));

describe('decodeFeedBytes', () => {
  it('strips a UTF-8 BOM and honours UTF-16 BOMs over any declaration', () => {
    expect(decodeFeedBytes(concat(bytes(0xef, 0xbb, 0xbf), ascii('<a>é</a>')), 'text/xml; charset=iso-8859-1')).toBe('<a>é</a>');
    expect(decodeFeedBytes(bytes(0xff, 0xfe, 0x3c, 0, 0x61, 0, 0x3e, 0))).toBe('<a>');
    expect(decodeFeedBytes(bytes(0xfe, 0xff, 0, 0x3c, 0, 0x61, 0, 0x3e))).toBe('<a>');
  });

  it('uses the HTTP charset before the XML declaration', () => {
    const body = concat(ascii('<?xml version="1.0" encoding="iso-8859-1"?><t>'), bytes(0xc1, 0xc2), ascii('</t>'));
    expect(decodeFeedBytes(body, 'application/xml; charset="KOI8-R"')).toContain('<t>аб</t>');
    expect(decodeFeedBytes(body)).toContain('<t>ÁÂ</t>');
  });

  it('maps windows-1252 0x80-0x9F to their characters, not C1 controls', () => {
    expect(decodeFeedBytes(concat(ascii('<t>'), bytes(0x93, 0x80, 0x94, 0x96), ascii('</t>')))).toBe('<t>“€”–</t>');
  });

  it('keeps valid UTF-8 when a single-byte charset is declared', () => {
    expect(decodeFeedBytes(ascii('<?xml version="1.0" encoding="windows-1252"?><t>“é”</t>'))).toContain('<t>“é”</t>');
  });

  it('ignores unknown charset labels', () => {
    expect(decodeFeedBytes(ascii('<t>é</t>'), 'text/xml; charset=x-bogus')).toBe('<t>é</t>');
  });
});
