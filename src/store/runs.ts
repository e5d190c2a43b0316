import { sql } from 'kysely';
import type { Db } from './sql.ts';
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

const LEASE = 'run';

export function runStore(db: Db): RunStore {
  return {
    start: (me) =>
      db.write(async (tx): Promise<LeaseResult> => {
        const now = isoOf(me.now);
        const held = await tx.get<LeaseRow>(sql`SELECT * FROM lease WHERE name = ${LEASE}`);
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
            const why = `its lease expired (no heartbeat since ${held.heartbeat_at}); taken over by a later run`;
            await tx.run(
              sql`UPDATE runs SET status = 'abandoned', finished_at = COALESCE(finished_at, ${now}),
                    error_kind = 'run.lease_lost', error_message = ${why} WHERE id = ${held.run_id} AND status = 'running'`,
            );
            await releaseClaims(tx, held.run_id);
          }
        }
        const { id: runId } = (await tx.get<{ id: number }>(
          sql`INSERT INTO runs (started_at, status, pid, host) VALUES (${now}, 'running', ${me.pid}, ${me.host}) RETURNING id`,
        ))!;
        await tx.run(
          sql`INSERT INTO lease (name, run_id, pid, host, acquired_at, heartbeat_at, expires_at)
              VALUES (${LEASE}, ${runId}, ${me.pid}, ${me.host}, ${now}, ${now}, ${isoOf(me.expiresAt)})
              ON CONFLICT (name) DO UPDATE SET run_id = excluded.run_id, pid = excluded.pid, host = excluded.host,
                acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
        );
        return { acquired: true, runId, tookOverRunId };
      }),

    heartbeat: (runId, now, expiresAt) =>
      db.write(async (tx) => {
        const changed = await tx.run(
          sql`UPDATE lease SET heartbeat_at = ${isoOf(now)}, expires_at = ${isoOf(expiresAt)} WHERE name = ${LEASE} AND run_id = ${runId}`,
        );
        if (changed !== 1) return false;
        await extendClaims(tx, runId, expiresAt);
        return true;
      }),

    finish: (runId, end, now) =>
      db.write(async (tx) => {
        await tx.run(
          sql`UPDATE runs SET status = CASE WHEN status = 'abandoned' THEN status ELSE ${end.status} END,
                finished_at = COALESCE(finished_at, ${isoOf(now)}), summary = ${JSON.stringify(end.summary)},
                error_kind = COALESCE(error_kind, ${end.error?.kind ?? null}), error_message = COALESCE(error_message, ${end.error?.message ?? null})
              WHERE id = ${runId}`,
        );
        await tx.run(sql`DELETE FROM lease WHERE name = ${LEASE} AND run_id = ${runId}`);
        await releaseClaims(tx, runId);
        return (await tx.get<{ status: RunStatus }>(sql`SELECT status FROM runs WHERE id = ${runId}`))!.status;
      }),

    releaseLease: (runId) =>
      db.write(async (tx) => {
        await tx.run(sql`DELETE FROM lease WHERE name = ${LEASE} AND run_id = ${runId}`);
        await releaseClaims(tx, runId);
      }),

    recent: (limit = 10) =>
      db.read(async (tx) =>
        (await tx.k.selectFrom('runs').selectAll().orderBy('id', 'desc').limit(limit).execute()).map((r) => ({
          id: r.id,
          startedAt: new Date(r.started_at),
          finishedAt: dateOf(r.finished_at),
          status: r.status as RunStatus,
          pid: r.pid,
          host: r.host,
          error: r.error_kind ? { kind: r.error_kind, message: r.error_message ?? '' } : null,
          summary: r.summary ? (JSON.parse(r.summary) as unknown) : null,
        })),
      ),
  };
}
