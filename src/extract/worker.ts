/**
 * The worker-thread side of createExtractor: one page at a time, the pure core, the outcome posted
 * back. Crashes (OOM, stack overflow in native code) and hangs are the pool's to handle.
 */
import { parentPort } from 'node:worker_threads';
import { failureFromError } from '../core/failure.ts';
import { articleFromFeedContent, extractArticleSync, type ExtractLimits, type Extraction } from './extract.ts';

/** A page sent to the worker; `html` arrives as a transferred ArrayBuffer. */
export interface PageJob {
  kind: 'page';
  id: number;
  html: ArrayBuffer;
  url: string;
  contentType: string | null;
  feedContent: string | null;
  feedTitle: string | null;
  limits: ExtractLimits;
}

/** A feed item's own HTML content, for an item whose page is not to be had. */
export interface FeedContentJob {
  kind: 'feed';
  id: number;
  content: string;
  url: string;
  title: string | null;
}

/** One unit of work for the worker. */
export type WorkerJob = PageJob | FeedContentJob;

/** The worker's answer for one job. */
export interface WorkerReply {
  id: number;
  outcome: Extraction;
}

parentPort!.on('message', (job: WorkerJob) => {
  let outcome: Extraction;
  try {
    outcome =
      job.kind === 'page'
        ? extractArticleSync({ ...job, html: new Uint8Array(job.html) }, job.limits)
        : articleFromFeedContent(job.content, job.url, job.title);
  } catch (err) {
    // extractArticleSync catches per page; anything here (the DOM library itself, a stack overflow) is still one page's failure.
    outcome = { ok: false, failure: failureFromError(err, 'extract.failed') };
  }
  parentPort!.postMessage({ id: job.id, outcome } satisfies WorkerReply);
});

// Loading the parser and DOM takes a while, and so does the first page through them (lazy set-up,
// code not yet compiled): one small page is extracted here, so a page's clock, which the pool
// starts only after 'ready', measures that page and not the worker's start.
const WARM_UP_PAGE = `<!DOCTYPE html><html><head><title>Warm-up</title></head><body><article>${'<p>A paragraph of an article that warms up the parser, the DOM and the text extraction before real pages arrive.</p>'.repeat(6)}</article></body></html>`;
try {
  extractArticleSync({ html: new TextEncoder().encode(WARM_UP_PAGE), url: 'https://warm-up.invalid/', contentType: 'text/html' }, {});
} catch {
  // A failure here would be a real page's failure too, reported there; the worker still serves.
}
parentPort!.postMessage('ready');
