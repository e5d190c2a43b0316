import type { Connection } from './db.ts';
import { extendClaims, releaseClaims } from './items.ts';
import { dateOf, isoOf } from './values.ts';

/** How a run ended. `abandoned`: another run took its lease over; `failed`: a run-level fault stopped it. */
export type RunStatus = 'running' | 'completed' | 'aborted' | 'abandoned' | 'failed';

/** A run (or redraft) as recorded. */
export interface Run {
  id: number;
  startedAt: Date;
  finishedAt: Date | null;
  status: RunStatus;
  pid: number;
  host: string;
  /** Why the run stopped early, when it did. */
  error: { kind: string; message: string } | null;
  /** The run's summary as it stored it. */
  summary: unknown;
}

/** Who is starting a run, and how to tell whether the current holder still lives. */
export interface LeaseClaimant {
  pid: number;
  host: string;
  now: Date;
  expiresAt: Date;
  /** Whether a process of this host is alive (another host's holder only expires). */
  isAlive: (pid: number) => boolean;
}

/** What the lease check found. */
export type LeaseResult =
  | { acquired: true; runId: number; tookOverRunId: number | null }
  | { acquired: false; holder: { runId: number | null; pid: number; host: string; heartbeatAt: Date } };

/** The runs table and the one lease that lets one run at a time work. */
export interface RunStore {
  /**
   * Starts a run if no live run holds the lease. A lease is stale when its holder process is gone
   * from this host, or its heartbeat expired; a stale lease is taken over and its run marked
   * abandoned (its item claims are dropped).
   */
  start(me: LeaseClaimant): Promise<LeaseResult>;
  /** Keeps the lease and the run's item claims alive; false when another run took the lease over. */
  heartbeat(runId: number, now: Date, expiresAt: Date): Promise<boolean>;
  /**
   * Ends a run: stores its status, error and summary, releases the lease and the claims left. A run
   * already marked abandoned by a takeover stays abandoned. Returns the status recorded.
   */
  finish(runId: number, end: { status: Exclude<RunStatus, 'running'>; error: { kind: string; message: string } | null; summary: unknown }, now: Date): Promise<RunStatus>;
  /**
   * Only drops the run's lease and item claims, writing nothing that needs space: the last resort
   * of a run whose end could not be recorded (a full disk), so the next run need not wait.
   */
  releaseLease(runId: number): Promise<void>;
  recent(limit?: number): Promise<Run[]>;
}

interface LeaseRow {
  run_id: number | null;
  pid: number;
  host: string;
  heartbeat_at: string;
  expires_at: string;
}

interface RunRow {
  id: number;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  pid: number;
  host: string;
  summary: string | null;
  error_kind: string | null;
  error_message: string | null;
}

const LEASE = 'run';

export function sqliteRuns(db: Connection): RunStore {
  return {
    start: (me) =>
      db.write((): LeaseResult => {
        const now = isoOf(me.now);
        const held = db.get<LeaseRow>('SELECT * FROM lease WHERE name = ?', LEASE);
        let tookOverRunId: number | null = null;
        if (held) {
          const holderGone = held.host === me.host && !me.isAlive(held.pid);
          const expired = held.expires_at < now;
          if (!holderGone && !expired) {
            return {
              acquired: false,
              holder: { runId: held.run_id, pid: held.pid, host: held.host, heartbeatAt: new Date(held.heartbeat_at) },
            };
          }
          tookOverRunId = held.run_id;
          if (held.run_id !== null) {
            db.run(
              `UPDATE runs SET status = 'abandoned', finished_at = COALESCE(finished_at, ?),
                 error_kind = 'run.lease_lost', error_message = ? WHERE id = ? AND status = 'running'`,
              now,
              `its lease expired (no heartbeat since ${held.heartbeat_at}); taken over by a later run`,
              held.run_id,
            );
            releaseClaims(db, held.run_id);
          }
        }
        const runId = db.run(`INSERT INTO runs (started_at, status, pid, host) VALUES (?, 'running', ?, ?)`, now, me.pid, me.host).lastInsertRowid;
        db.run(
          `INSERT OR REPLACE INTO lease (name, run_id, pid, host, acquired_at, heartbeat_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          LEASE,
          runId,
          me.pid,
          me.host,
          now,
          now,
          isoOf(me.expiresAt),
        );
        return { acquired: true, runId, tookOverRunId };
      }),

    heartbeat: (runId, now, expiresAt) =>
      db.write(() => {
        const r = db.run('UPDATE lease SET heartbeat_at = ?, expires_at = ? WHERE name = ? AND run_id = ?', isoOf(now), isoOf(expiresAt), LEASE, runId);
        if (r.changes !== 1) return false;
        extendClaims(db, runId, expiresAt);
        return true;
      }),

    finish: (runId, end, now) =>
      db.write(() => {
        db.run(
          `UPDATE runs SET status = CASE WHEN status = 'abandoned' THEN status ELSE ? END,
             finished_at = COALESCE(finished_at, ?), summary = ?,
             error_kind = COALESCE(error_kind, ?), error_message = COALESCE(error_message, ?)
           WHERE id = ?`,
          end.status,
          isoOf(now),
          JSON.stringify(end.summary),
          end.error?.kind ?? null,
          end.error?.message ?? null,
          runId,
        );
        db.run('DELETE FROM lease WHERE name = ? AND run_id = ?', LEASE, runId);
        releaseClaims(db, runId);
        return db.get<{ status: RunStatus }>('SELECT status FROM runs WHERE id = ?', runId)!.status;
      }),

    releaseLease: (runId) =>
      db.write(() => {
        db.run('DELETE FROM lease WHERE name = ? AND run_id = ?', LEASE, runId);
        releaseClaims(db, runId);
      }),

    recent: (limit = 10) =>
      db.read(() =>
        db.all<RunRow>('SELECT * FROM runs ORDER BY id DESC LIMIT ?', limit).map((r) => ({
          id: r.id,
          startedAt: new Date(r.started_at),
          finishedAt: dateOf(r.finished_at),
          status: r.status,
          pid: r.pid,
          host: r.host,
          error: r.error_kind ? { kind: r.error_kind, message: r.error_message ?? '' } : null,
          summary: r.summary ? (JSON.parse(r.summary) as unknown) : null,
        })),
      ),
  };
}
