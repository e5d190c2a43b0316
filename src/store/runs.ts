import type { Db } from './db.ts';
import { releaseClaims } from './items.ts';

/** What the lease check found. */
export type LeaseResult =
  | { acquired: true; runId: number; tookOverRunId: number | null }
  | { acquired: false; holder: { runId: number | null; pid: number; host: string; heartbeatAt: string } };

interface LeaseRow {
  name: string;
  run_id: number | null;
  pid: number;
  host: string;
  acquired_at: string;
  heartbeat_at: string;
  expires_at: string;
}

const LEASE = 'run';

/**
 * Starts a run if no live run holds the lease, in one BEGIN IMMEDIATE transaction. A lease is
 * stale when its holder process is gone from this host, or its heartbeat expired; a stale
 * lease is taken over and its run marked abandoned (its item claims are dropped).
 */
export function startRun(
  db: Db,
  me: { pid: number; host: string; now: string; expiresAt: string; isAlive: (pid: number) => boolean },
): LeaseResult {
  return db
    .transaction((): LeaseResult => {
      const held = db.prepare('SELECT * FROM lease WHERE name = ?').get(LEASE) as LeaseRow | undefined;
      let tookOverRunId: number | null = null;
      if (held) {
        const holderGone = held.host === me.host && !me.isAlive(held.pid);
        const expired = held.expires_at < me.now;
        if (!holderGone && !expired) {
          return {
            acquired: false,
            holder: { runId: held.run_id, pid: held.pid, host: held.host, heartbeatAt: held.heartbeat_at },
          };
        }
        tookOverRunId = held.run_id;
        if (held.run_id !== null) {
          db.prepare(`UPDATE runs SET status = 'abandoned', finished_at = COALESCE(finished_at, ?) WHERE id = ? AND status = 'running'`).run(me.now, held.run_id);
          releaseClaims(db, claimOwner(held.run_id));
        }
      }
      const runId = Number(
        db
          .prepare(`INSERT INTO runs (started_at, status, pid, host) VALUES (?, 'running', ?, ?)`)
          .run(me.now, me.pid, me.host).lastInsertRowid,
      );
      db.prepare(
        `INSERT OR REPLACE INTO lease (name, run_id, pid, host, acquired_at, heartbeat_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(LEASE, runId, me.pid, me.host, me.now, me.now, me.expiresAt);
      return { acquired: true, runId, tookOverRunId };
    })
    .immediate();
}

/** The owner name a run uses for its item claims. */
export const claimOwner = (runId: number): string => `run:${runId}`;

/** Keeps the lease alive; returns false when this run no longer holds it (someone took over). */
export function heartbeat(db: Db, runId: number, now: string, expiresAt: string): boolean {
  const r = db
    .prepare('UPDATE lease SET heartbeat_at = ?, expires_at = ? WHERE name = ? AND run_id = ?')
    .run(now, expiresAt, LEASE, runId);
  return r.changes === 1;
}

/** Ends a run: stores its summary, releases the lease and any claims left. */
export function finishRun(db: Db, runId: number, status: 'completed' | 'aborted', summary: unknown, now: string): void {
  db.transaction(() => {
    db.prepare('UPDATE runs SET status = ?, finished_at = ?, summary = ? WHERE id = ?').run(
      status,
      now,
      JSON.stringify(summary),
      runId,
    );
    db.prepare('DELETE FROM lease WHERE name = ? AND run_id = ?').run(LEASE, runId);
    releaseClaims(db, claimOwner(runId));
  }).immediate();
}

export interface RunRow {
  id: number;
  started_at: string;
  finished_at: string | null;
  status: string;
  pid: number;
  host: string;
  summary: string | null;
}

export function recentRuns(db: Db, limit = 10): RunRow[] {
  return db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as RunRow[];
}
