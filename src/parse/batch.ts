/**
 * A line protocol over parseFeed, for tools and benchmarks: one JSON request per input line
 * (`{"file": PATH, "url": URL-or-null}`), one JSON result per output line, in order, flushed.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { FeedFormat } from '../core/types.ts';
import { parseFeed, type ParseOptions } from './parse-feed.ts';

/** One output line of the batch protocol. */
export interface BatchResult {
  file: string | null;
  ok: boolean;
  error?: string;
  format?: FeedFormat;
  title?: string | null;
  items?: { title: string | null; link: string | null; date: string | null; guid: string | null }[];
  /** What the lenient parse recovered from (fallback parser, dropped items or links, bad dates). */
  warnings?: string[];
  ms: number;
}

/** Reads and parses one file; failures (missing file included) come back as ok:false. */
export async function parseFeedFile(file: string, url: string | null, opts: ParseOptions = {}): Promise<BatchResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return { file, ok: false, error: `read failed: ${(err as Error).message}`, ms: elapsed() };
  }
  const outcome = await parseFeed(bytes, url, null, opts);
  if (!outcome.ok) return { file, ok: false, error: `${outcome.failure.kind}: ${outcome.failure.message}`, ms: elapsed() };
  const feed = outcome.value;
  return {
    file,
    ok: true,
    format: feed.format,
    title: feed.title,
    items: feed.items.map((i) => ({ title: i.title, link: i.link, date: i.published, guid: i.guid })),
    warnings: feed.warnings,
    ms: elapsed(),
  };
}

/** Validates one request line; a string is the reason it is unusable. */
function readRequest(line: string): { file: string; url: string | null } | string {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return 'request line is not JSON';
  }
  if (typeof request !== 'object' || request === null) return 'request line is not a JSON object';
  const { file, url } = request as { file?: unknown; url?: unknown };
  if (typeof file !== 'string' || !file) return 'request needs "file" (a path)';
  if (url !== undefined && url !== null && typeof url !== 'string') return '"url" must be a string or null';
  return { file, url: (url as string | null | undefined) ?? null };
}

/** Runs the batch protocol until `input` ends; a bad request line yields an ok:false line. */
export async function runParseBatch(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const request = readRequest(line);
    const result: BatchResult =
      typeof request === 'string'
        ? { file: null, ok: false, error: request, ms: 0 }
        : await parseFeedFile(request.file, request.url);
    // Waiting for the write callback flushes each line before the next request is read.
    await new Promise<void>((resolve, reject) => output.write(`${JSON.stringify(result)}\n`, (err) => (err ? reject(err) : resolve())));
  }
}
