/**
 * Extraction off the event loop: a pool of worker threads, each with a bounded heap, and a wall-clock
 * deadline per page. A page that hangs gets its worker terminated and replaced; a page that exhausts
 * the heap kills only its worker. Either way the caller gets a typed failure and the next page runs.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { fail, type Outcome } from '../core/failure.ts';
import type { Article } from '../core/types.ts';
// Types only: extract.ts loads the DOM libraries, which belong in the workers, not in the caller's thread.
import type { Extraction, ExtractRequest } from './extract.ts';
import type { WorkerJob, WorkerReply } from './worker.ts';
import { workerEntry } from './worker-entry.ts';

/** Pool settings; every field has a safe default. */
export interface ExtractorOptions {
  /** Worker threads (default: one per core but the one the main thread needs for I/O, SQLite and LLM calls). */
  workers?: number;
  /** Wall-clock limit per page once a worker has it (default 10 s). */
  timeoutMs?: number;
  /** Old-generation heap per worker, in MB (default 256). */
  maxHeapMb?: number;
  /** Pages over this many bytes are refused without parsing (default 5 MB, applied in the worker). */
  maxHtmlBytes?: number;
  /**
   * Young-generation heap per worker, in MB (default 16, from the start: see youngGenerationFor).
   * A page's DOM lives for the whole page; when it fits here it dies young instead of being copied
   * into the old generation, whose full collections then dominated a worker's time.
   */
  maxYoungHeapMb?: number;
}

/** A running pool; close() it when done, or the process will not exit. */
export interface Extractor {
  /** The page's article, or a failure (with the refused text when the quality gate refused it). */
  extract(req: ExtractRequest): Promise<Extraction>;
  /** An article from a feed item's own HTML content (as articleFromFeedContent), built in a worker too. */
  fromFeedContent(content: string, url: string, title?: string | null): Promise<Outcome<Article>>;
  /** Starts the workers now (they otherwise start with the first job), so their loading overlaps other work. */
  warm(): void;
  close(): Promise<void>;
}

interface Job {
  id: number;
  work: { kind: 'page'; req: ExtractRequest } | { kind: 'feed'; content: string; url: string; title: string | null };
  resolve: (outcome: Extraction) => void;
}

interface Slot {
  worker: Worker;
  /** False until the worker has loaded its libraries, so start-up time is not charged to the first page. */
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

const MAX_FAILED_STARTS = 3;
/** The longest a new worker may take to reach its first line (worker-start.ts) before this thread goes on anyway. */
const FLAGS_RESTORED_WAIT_MS = 1000;

/**
 * Makes the next isolate start with a young generation of `mb` (two semi-spaces and the space V8
 * promotes from: a third each). The CLI keeps semi-spaces at their start size for a small main
 * thread (bin/aiwins.js), and resourceLimits only caps the young generation, so without this a
 * worker's stays at V8's 1 MB start: every page's tree then outlives a few scavenges, is promoted,
 * and is traced again by full collections (README, "Pipeline throughput", has the figures). V8
 * reads this flag when it sets up a heap: the running threads' heaps keep their sizes.
 */
function youngGenerationFor(mb: number): void {
  setFlagsFromString(`--min-semi-space-size=${Math.max(1, Math.floor(mb / 3))}`);
}

/** Starts a pool of extraction workers (see the module comment). */
export function createExtractor(opts: ExtractorOptions = {}): Extractor {
  // A worker is a whole heap: one per spare core, leaving the main thread its own.
  const size = Math.max(1, opts.workers ?? availableParallelism() - 1);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxHeapMb = opts.maxHeapMb ?? 256;
  const maxHtmlBytes = opts.maxHtmlBytes;
  const maxYoungHeapMb = opts.maxYoungHeapMb ?? 16;
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;
  /** Workers that died before they were ready, in a row: a heap too small to load the libraries, a broken install. */
  let failedStarts = 0;
  let startFailure: string | null = null;

  function spawn(): Slot {
    youngGenerationFor(maxYoungHeapMb);
    const flagsRestored = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(workerEntry(), {
      workerData: { flagsRestored },
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: maxYoungHeapMb },
    });
    // Until the new worker has set the GC flags again (worker-start.ts), anything this thread allocates
    // grows its young generation: V8 reset the growth factor when it set up the worker's heap. So this
    // thread allocates nothing meanwhile (measured: 45 to 100 ms, once per worker; capped in case the
    // worker never gets there).
    Atomics.wait(flagsRestored, 0, 0, FLAGS_RESTORED_WAIT_MS);
    const slot: Slot = { worker, ready: false, job: null, timer: null };
    worker.on('message', (reply: WorkerReply | 'ready') => {
      if (reply === 'ready') {
        slot.ready = true;
        failedStarts = 0;
        pump();
        return;
      }
      if (slot.job?.id !== reply.id) return; // a late answer for a page already timed out
      finish(slot, reply.outcome);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const outcome: Outcome<Article> =
        !slot.ready ? fail('internal', `extraction worker died while starting: ${err.message}`)
        : err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? fail('extract.too_large', `page exhausted the extraction worker's ${maxHeapMb} MB heap`)
          : fail('extract.failed', `extraction worker crashed: ${err.message}`);
      replace(slot, outcome);
    });
    worker.on('exit', () => replace(slot, fail('extract.failed', 'extraction worker exited unexpectedly')));
    return slot;
  }

  /** Settles the slot's page, if any, and retires its worker for a fresh one. */
  function replace(slot: Slot, outcome: Outcome<Article>): void {
    const index = slots.indexOf(slot);
    if (index === -1) return; // already replaced ('error' is followed by 'exit')
    if (slot.timer) clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = null;
    slots.splice(index, 1);
    void slot.worker.terminate();
    job?.resolve(outcome);
    if (!slot.ready && ++failedStarts >= MAX_FAILED_STARTS) {
      // Respawning would loop forever: fail what is waiting, and everything after, with the reason.
      startFailure = `extraction workers fail to start (${outcome.ok ? '' : outcome.failure.message}); check maxHeapMb (${maxHeapMb})`;
      for (const waiting of queue.splice(0)) waiting.resolve(fail('internal', startFailure));
      return;
    }
    if (!closed) {
      slots.push(spawn());
      pump();
    }
  }

  function finish(slot: Slot, outcome: Extraction): void {
    if (slot.timer) clearTimeout(slot.timer);
    const job = slot.job!;
    slot.job = null;
    slot.timer = null;
    job.resolve(outcome);
    pump();
  }

  function pump(): void {
    for (const slot of slots) {
      if (slot.job || !slot.ready) continue;
      const job = queue.shift();
      if (!job) return;
      start(slot, job);
    }
  }

  function start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.timer = setTimeout(
      () => replace(slot, fail('extract.timeout', `extraction took over ${timeoutMs} ms; the page was abandoned`)),
      timeoutMs,
    );
    const work = job.work;
    if (work.kind === 'feed') {
      const message: WorkerJob = { kind: 'feed', id: job.id, content: work.content, url: work.url, title: work.title };
      slot.worker.postMessage(message);
      return;
    }
    // A private copy of the bytes is transferred (moved, not cloned) so the caller's array stays usable.
    const bytes = new Uint8Array(work.req.html).buffer as ArrayBuffer; // copies (Buffer#slice would not)
    const message: WorkerJob = {
      kind: 'page',
      id: job.id,
      html: bytes,
      url: work.req.url,
      contentType: work.req.contentType ?? null,
      feedContent: work.req.feedContent ?? null,
      feedTitle: work.req.feedTitle ?? null,
      limits: { maxHtmlBytes },
    };
    slot.worker.postMessage(message, [bytes]);
  }

  // Workers start with the first job: a run with nothing new never pays for loading them.
  let started = false;

  function startWorkers(): void {
    if (started || closed) return;
    started = true;
    for (let i = 0; i < size; i++) slots.push(spawn());
  }

  /** Queues one job, starting the workers with the first. */
  function submit(work: Job['work']): Promise<Extraction> {
    if (closed) return Promise.resolve(fail('internal', 'extractor is closed'));
    startWorkers();
    if (startFailure) return Promise.resolve(fail('internal', startFailure));
    return new Promise((resolve) => {
      queue.push({ id: nextId++, work, resolve });
      pump();
    });
  }

  return {
    extract(req) {
      // With no explicit limit the worker applies extract.ts's default (the same refusal, after the copy).
      if (!closed && maxHtmlBytes !== undefined && req.html.byteLength > maxHtmlBytes) {
        return Promise.resolve(
          fail('extract.too_large', `page is ${req.html.byteLength} bytes, over the ${maxHtmlBytes}-byte limit; not parsed`),
        );
      }
      return submit({ kind: 'page', req });
    },
    fromFeedContent(content, url, title = null) {
      return submit({ kind: 'feed', content, url, title });
    },
    warm: startWorkers,
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.resolve(fail('run.aborted', 'extractor closed before this page ran'));
      const running = slots.splice(0);
      for (const slot of running) {
        if (slot.timer) clearTimeout(slot.timer);
        slot.job?.resolve(fail('run.aborted', 'extractor closed while this page ran'));
      }
      await Promise.all(running.map((slot) => slot.worker.terminate()));
    },
  };
}
