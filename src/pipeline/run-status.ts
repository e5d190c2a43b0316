import type { Failure } from '../core/failure.ts';
import type { RunSummary } from './summary.ts';

/** How a run (or redraft) that held the lease ended. */
export type EndStatus = Exclude<RunSummary['status'], 'already_running'>;

/**
 * How a run or a redraft ends, from why it stopped (null: it took all its work). Only the
 * deadline and a locked database leave work for the next run without anything being wrong;
 * a signal aborts it, a lost lease abandons it, and any other stop (the endpoint refusing every
 * request, a full, failing or damaged database) is a failure the person running it must see.
 */
export function runStatus(reason: Failure | null): EndStatus {
  if (!reason) return 'completed';
  switch (reason.kind) {
    case 'run.aborted':
      return 'aborted';
    case 'run.lease_lost':
      return 'abandoned';
    case 'run.deadline':
    case 'db.busy':
      return 'completed';
    default:
      return 'failed';
  }
}
