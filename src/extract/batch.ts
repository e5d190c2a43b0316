/**
 * The edges of extraction for the command line: `aiwins extract --batch` (JSON lines in, JSON lines
 * out, in order, one per request, flushed as each is ready) and `aiwins extract --url URL FILE`.
 * Pages run in the worker pool, so each has its time limit and memory bound and a bad page fails
 * only its own line.
 */
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fail, type Outcome } from '../core/failure.ts';
import type { Article } from '../core/types.ts';
import { DEFAULT_MAX_HTML_BYTES, type Extraction, type ExtractRequest } from './extract.ts';
import type { GateVerdict } from './gate.ts';
import { createExtractor, type Extractor, type ExtractorOptions } from './pool.ts';

/**
 * One output line of the batch: the article's title and text with the quality gate's verdict (null:
 * passed; else why the pipeline would not draft it, and `message`), or a failure kind and message.
 */
export type BatchLine =
  | { id: string | null; title: string | null; text: string; gate: GateVerdict | null; message?: string }
  | { id: string | null; error: string; message: string };

/** What a batch run did, for the caller's exit code and log. */
export interface BatchSummary {
  requests: number;
  /** Text that passed the gate. */
  ok: number;
  /** Text the gate refused, written with its verdict. */
  refused: number;
  /** No text: an error line. */
  failed: number;
}

/**
 * What `aiwins extract` prints for a page: the article (without its HTML) and the gate's verdict,
 * also for text the gate refused, with the reason; or the failure when there is no text at all.
 */
export type ExtractAnswer =
  | (Omit<Article, 'html'> & { gate: GateVerdict | null; message?: string })
  | { error: string; message: string };

export function extractAnswer(outcome: Extraction): ExtractAnswer {
  if (outcome.ok) return { ...withoutHtml(outcome.value), gate: null };
  if (outcome.refused) return { ...withoutHtml(outcome.refused.article), gate: outcome.refused.gate, message: outcome.failure.message };
  return { error: outcome.failure.kind, message: outcome.failure.message };
}

function withoutHtml(article: Article): Omit<Article, 'html'> {
  const { html: _html, ...rest } = article;
  return rest;
}

const UTF8_HTML = 'text/html; charset=utf-8';

/**
 * Reads requests `{"id","url","path"}` (path: a UTF-8 HTML file) as JSON lines from `input` and writes
 * one JSON line per request to `output`, in input order. Resolves at the end of input, once every line
 * is written and the workers are stopped. A malformed request line gets an error line, never a crash.
 */
export async function runExtractBatch(
  input: Readable,
  output: Writable,
  options: ExtractorOptions = {},
): Promise<BatchSummary> {
  const extractor = createExtractor(options);
  const maxBytes = options.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES;
  const summary: BatchSummary = { requests: 0, ok: 0, refused: 0, failed: 0 };
  // Pages in flight run in parallel, but answers go out in input order: each answer is written once it
  // and every answer before it are done, without waiting for more input (a caller may send one request
  // and wait for its answer). `written` is the chain of those writes, one link per request.
  const maxInFlight = Math.max(2, (options.workers ?? 2) * 4);
  const inFlight: Array<Promise<void>> = [];
  let written: Promise<void> = Promise.resolve();
  let writeError: unknown = null;

  const answerInOrder = (answer: Promise<BatchLine>): Promise<void> => {
    const previous = written;
    written = (async () => {
      await previous;
      const line = await answer;
      if (writeError) return; // the reader is gone: nothing more can be delivered
      if ('error' in line) summary.failed++;
      else if (line.gate) summary.refused++;
      else summary.ok++;
      try {
        await writeLine(output, line);
      } catch (err) {
        writeError = err;
      }
    })();
    return written;
  };

  try {
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      if (writeError) break;
      if (!raw.trim()) continue;
      summary.requests++;
      inFlight.push(answerInOrder(handleLine(raw, extractor, maxBytes)));
      // Bounded, so a long input never piles up in memory: wait for the oldest answer to go out.
      if (inFlight.length >= maxInFlight) await inFlight.shift();
    }
    await written;
  } finally {
    await extractor.close();
  }
  if (writeError) throw writeError;
  return summary;
}

/** Writes one answer and waits until it is handed to the output, so each line is flushed on its own. */
function writeLine(output: Writable, line: BatchLine): Promise<void> {
  return new Promise((resolve, reject) => output.write(`${JSON.stringify(line)}\n`, (err) => (err ? reject(err) : resolve())));
}

async function handleLine(raw: string, extractor: Extractor, maxBytes: number): Promise<BatchLine> {
  let request: { id?: unknown; url?: unknown; path?: unknown };
  try {
    request = JSON.parse(raw) as typeof request;
  } catch {
    return { id: null, error: 'internal', message: `not a JSON request line: ${raw.slice(0, 80)}` };
  }
  const id = typeof request.id === 'string' || typeof request.id === 'number' ? String(request.id) : null;
  if (typeof request.url !== 'string' || typeof request.path !== 'string') {
    return { id, error: 'internal', message: 'a request needs "url" and "path" strings' };
  }
  const loaded = await loadPage(request.path, maxBytes);
  if (!loaded.ok) return { id, error: loaded.failure.kind, message: loaded.failure.message };
  const outcome = await extractor.extract({ html: loaded.value, url: request.url, contentType: UTF8_HTML });
  if (outcome.ok) return { id, title: outcome.value.title, text: outcome.value.text, gate: null };
  const { refused, failure } = outcome;
  return refused
    ? { id, title: refused.article.title, text: refused.article.text, gate: refused.gate, message: failure.message }
    : { id, error: failure.kind, message: failure.message };
}

/** Reads a saved page, refusing one over the byte cap without reading it. */
async function loadPage(path: string, maxBytes: number): Promise<Outcome<Uint8Array>> {
  try {
    const { size } = await stat(path);
    if (size > maxBytes) return fail('extract.too_large', `${path} is ${size} bytes, over the ${maxBytes}-byte limit; not parsed`);
    return { ok: true, value: await readFile(path) };
  } catch (err) {
    return fail('internal', `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Extracts one saved page (`aiwins extract --url URL FILE`), in a worker with the usual limits. The
 * file's charset is sniffed as a browser would (a saved page may be in any charset).
 */
export async function extractFile(
  path: string,
  url: string,
  extra: Pick<ExtractRequest, 'contentType' | 'feedContent' | 'feedTitle'> = {},
  options: ExtractorOptions = {},
): Promise<Extraction> {
  const loaded = await loadPage(path, options.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES);
  if (!loaded.ok) return loaded;
  const extractor = createExtractor({ workers: 1, ...options });
  try {
    return await extractor.extract({ html: loaded.value, url, ...extra });
  } finally {
    await extractor.close();
  }
}
