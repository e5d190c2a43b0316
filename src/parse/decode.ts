/**
 * Bytes to text for feeds. Parsers take strings, so the charset decision is ours:
 * BOM, then the HTTP charset, then the XML declaration, then UTF-8 if valid, else windows-1252.
 */

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** Reads `charset=` from a Content-Type header value. */
export function charsetFromContentType(contentType?: string | null): string | null {
  const m = contentType ? /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType) : null;
  return m ? m[1]!.toLowerCase() : null;
}

/** Reads `encoding="..."` from the XML declaration at the start of an ASCII-compatible text. */
function charsetFromXmlDeclaration(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512));
  const m = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * windows-1252's characters at 0x80-0x9F (curly quotes, dashes, euro...). Node 20's decoder for
 * that label yields C1 controls there (ISO-8859-1), so they are mapped here as WHATWG specifies.
 */
const CP1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

/** Decodes bytes with a decoder, repairing Node's windows-1252 C1 range. */
function decodeWith(decoder: TextDecoder, bytes: Uint8Array): string {
  const text = decoder.decode(bytes);
  if (decoder.encoding !== 'windows-1252') return text;
  return text.replace(/[\u0080-\u009F]/g, (c) => CP1252_C1[c.charCodeAt(0) - 0x80]!);
}

/** A TextDecoder for a charset label, or null when Node does not know the label. */
function decoderFor(label: string): TextDecoder | null {
  try {
    return new TextDecoder(label);
  } catch {
    return null;
  }
}

function isUtf16(decoder: TextDecoder): boolean {
  return decoder.encoding === 'utf-16le' || decoder.encoding === 'utf-16be';
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** UTF-16 without a BOM shows as `<` next to a NUL byte. */
function sniffUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes.length < 4) return null;
  if (bytes[0] === 0x3c && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) return 'utf-16le';
  if (bytes[0] === 0 && bytes[1] === 0x3c && bytes[2] === 0 && bytes[3] !== 0) return 'utf-16be';
  return null;
}

/**
 * Decodes a feed body to a string: BOM, then HTTP charset, then XML declaration, then UTF-8 if
 * valid, else windows-1252. A declared single-byte charset loses to bytes that are valid UTF-8,
 * because a wrong prolog over UTF-8 text is far more common than windows-1252 text that happens to
 * be valid UTF-8 (miniflux does the same).
 */
export function decodeFeedBytes(bytes: Uint8Array, contentType?: string | null): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));

  const sniffed = sniffUtf16(bytes);
  if (sniffed) return new TextDecoder(sniffed).decode(bytes);

  const validUtf8 = isValidUtf8(bytes);
  for (const label of [charsetFromContentType(contentType), charsetFromXmlDeclaration(bytes)]) {
    const decoder = label ? decoderFor(label) : null;
    if (!decoder || isUtf16(decoder)) continue; // UTF-16 without BOM or NULs is a false label
    if (decoder.encoding === 'utf-8' || !validUtf8) return decodeWith(decoder, bytes);
    return new TextDecoder('utf-8').decode(bytes);
  }
  return decodeWith(new TextDecoder(validUtf8 ? 'utf-8' : 'windows-1252'), bytes);
}
