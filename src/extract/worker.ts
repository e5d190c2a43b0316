/**
 * The worker-thread side of createExtractor: one page at a time, the pure core, the outcome posted
 * back. Crashes (OOM, stack overflow in native code) and hangs are the pool's to handle.
 */
import { parentPort } from 'node:worker_threads';
import { failureFromError, type Outcome } from '../core/failure.ts';
import type { Article } from '../core/types.ts';
import { extractArticleSync, type ExtractLimits } from './extract.ts';

/** A page sent to the worker; `html` arrives as a transferred ArrayBuffer. */
export interface WorkerJob {
  id: number;
  html: ArrayBuffer;
  url: string;
  contentType: string | null;
  feedContent: string | null;
  feedTitle: string | null;
  limits: ExtractLimits;
}

/** The worker's answer for one job. */
export interface WorkerReply {
  id: number;
  outcome: Outcome<Article>;
}

parentPort!.on('message', (job: WorkerJob) => {
  let outcome: Outcome<Article>;
  try {
    outcome = extractArticleSync({ ...job, html: new Uint8Array(job.html) }, job.limits);
  } catch (err) {
    // extractArticleSync catches per page; anything here (the DOM library itself, a stack overflow) is still one page's failure.
    outcome = { ok: false, failure: failureFromError(err, 'extract.failed') };
  }
  parentPort!.postMessage({ id: job.id, outcome } satisfies WorkerReply);
});

// Loading the parser and DOM takes a while; the pool starts a page's clock only after this.
parentPort!.postMessage('ready');
