import { describe, expect, it } from 'vitest';
import type { Failure } from '../core/failure.ts';
import { runStatus } from './run-status.ts';

const f = (kind: Failure['kind']): Failure => ({ kind, message: kind });

describe('runStatus', () => {
  it('is completed when nothing stopped the run', () => {
    expect(runStatus(null)).toBe('completed');
  });

  it('is completed when the deadline or a locked database left the rest for the next run', () => {
    expect(runStatus(f('run.deadline'))).toBe('completed');
    expect(runStatus(f('db.busy'))).toBe('completed');
  });

  it('is aborted by a signal and abandoned when another run took the lease over', () => {
    expect(runStatus(f('run.aborted'))).toBe('aborted');
    expect(runStatus(f('run.lease_lost'))).toBe('abandoned');
  });

  it('is failed when the endpoint refuses every request or the database fails', () => {
    for (const kind of ['llm.auth', 'llm.model_not_found', 'llm.quota', 'llm.unsupported_request', 'db.full', 'db.io', 'db.corrupt'] as const) {
      expect(runStatus(f(kind)), kind).toBe('failed');
    }
  });
});
