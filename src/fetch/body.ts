/**
 * Reads a response body, decompressing it ourselves so the byte cap counts DECOMPRESSED bytes
 * (undici's maxResponseSize counts wire bytes, so a 50 KB gzip bomb would pass it).
 */
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

/** The decompressed body passed the cap; reading stopped there. */
export class TooLargeError extends Error {
  readonly code = 'AIWINS_TOO_LARGE';
}

/** A Content-Encoding we did not ask for and cannot decode (e.g. zstd, compress). */
export class UnsupportedEncodingError extends Error {
  readonly code = 'AIWINS_UNSUPPORTED_ENCODING';
}

/** The encodings of a Content-Encoding header, in the order they were applied; identity dropped. */
export function parseContentEncoding(header: string | null): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'identity');
}

/** Reads the whole body into one Buffer, decoded, failing with TooLargeError past maxBytes. */
export async function readBody(body: Readable, encodings: string[], maxBytes: number): Promise<Buffer> {
  for (const e of encodings) {
    if (!['gzip', 'x-gzip', 'deflate', 'br'].includes(e)) {
      abandon(body);
      throw new UnsupportedEncodingError(`unsupported Content-Encoding "${e}"`);
    }
  }
  // "deflate" should be zlib-wrapped but some servers send raw deflate: peek at the first bytes.
  const firstDecoded = encodings.at(-1);
  const firstChunk = firstDecoded === 'deflate' ? await peekFirstChunk(body) : null;
  const decoders: Transform[] = [...encodings].reverse().map((e, i) => {
    // zlib streams emit at most chunkSize bytes per push, so memory stays near the cap even for bombs.
    if (e === 'br') return zlib.createBrotliDecompress();
    if (e === 'deflate') return i === 0 && firstChunk !== null && !hasZlibHeader(firstChunk) ? zlib.createInflateRaw() : zlib.createInflate();
    return zlib.createGunzip();
  });
  const chunks: Buffer[] = [];
  let total = 0;
  let tooLarge: TooLargeError | null = null;
  try {
    await pipeline(body, ...(decoders as [Transform]), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        total += chunk.length;
        if (total > maxBytes) throw (tooLarge = new TooLargeError(`body over ${maxBytes} bytes after decompression`));
        chunks.push(chunk);
      }
    });
  } catch (err) {
    // With a decoder in the chain, pipeline may reject with the AbortError of the teardown instead.
    throw tooLarge ?? err;
  }
  return Buffer.concat(chunks, total);
}

// RFC 1950: CM = 8 (deflate) and the header's first two bytes divisible by 31.
function hasZlibHeader(b: Buffer): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && ((b[0]! << 8) | b[1]!) % 31 === 0;
}

/** Resolves with the first chunk (put back on the stream), or null on an empty body. */
function peekFirstChunk(stream: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      if (chunk === null) return;
      cleanup();
      stream.unshift(chunk);
      resolve(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/** Closes a body we will not read; the error its destroy emits is expected, so it is swallowed. */
export function abandon(body: Readable): void {
  body.on('error', () => {}).destroy();
}
