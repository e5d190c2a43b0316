import { sql } from 'kysely';
import type { Db, Query } from './sql.ts';
import { isoOf } from './values.ts';

/** An editor who can log in to the desk. */
export interface User {
  id: number;
  name: string;
  createdAt: Date;
}

/** A logged-in session; the store keeps only the SHA-256 of the cookie's token. */
export interface Session {
  tokenHash: string;
  user: User;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** Thrown when adding a user whose name is taken (names compare case-insensitively). */
export class UserExistsError extends Error {}

interface UserRow {
  id: number;
  name: string;
  password_hash: string;
  created_at: string;
}

const toUser = (r: { id: number; name: string; created_at: string }): User => ({ id: r.id, name: r.name, createdAt: new Date(r.created_at) });

/**
 * Editors, their sessions and login attempts. Each method is one transaction, on either backend.
 */
export interface UserStore {
  /** Adds an editor with a password hash (see src/review/password.ts); UserExistsError when the name is taken. */
  addUser(name: string, passwordHash: string, now: Date): Promise<User>;
  /** Every editor, by name. */
  listUsers(): Promise<User[]>;
  /** Removes a user and ends their sessions; their past decisions keep their name. False when unknown. */
  removeUser(name: string): Promise<boolean>;
  /** The user and their password hash, for checking a login. */
  credentials(name: string): Promise<{ user: User; passwordHash: string } | null>;
  /** Stores a new session, and drops the ones past their absolute expiry (never used again). */
  createSession(s: { tokenHash: string; userId: number; csrfToken: string; now: Date; expiresAt: Date }): Promise<void>;
  /**
   * The session for a token hash when it is still valid at `now` (not past its absolute expiry,
   * not idle longer than `idleMs`), marking it seen; an expired one is deleted and null returned.
   */
  useSession(tokenHash: string, now: Date, idleMs: number): Promise<Session | null>;
  /** Ends a session (logging out): its cookie is worth nothing after. */
  endSession(tokenHash: string): Promise<void>;
  /**
   * Counts a login attempt before its password is checked, in one transaction, so a burst of
   * parallel attempts gets no more checks than a sequence: the attempt is stored as a failure
   * (settleLoginAttempt turns it into a success) unless, counting failures since `since`, the
   * account from this address already has `perPair` (counted from the last success of that
   * account at that address) or the address has `perAddress` (all of them: one good account
   * must not unlock guessing at the others). Also returns the account's failures from every
   * address since its last successful login, for the caller to slow down by.
   */
  reserveLoginAttempt(a: LoginReservation): Promise<LoginReserved>;
  /** Records how a reserved attempt ended: a success clears its account's failures (for the slowdown and at that address). */
  settleLoginAttempt(id: number, ok: boolean): Promise<void>;
}

/** A login attempt to count before its password is checked, with the limits that refuse it. */
export interface LoginReservation {
  username: string;
  address: string;
  now: Date;
  since: Date;
  perPair: number;
  perAddress: number;
  forgetBefore: Date;
}

/** The counted attempt (with the account's failures, to slow down by), or the limit that refused it. */
export type LoginReserved = { reserved: true; id: number; accountFailures: number } | { reserved: false; limit: 'account_address' | 'address' };

/** The user store over either backend. */
export function userStore(db: Db): UserStore {
  return {
    addUser: (name, passwordHash, now) =>
      db.write(async (tx) => {
        if (await tx.get(sql`SELECT 1 AS one FROM users WHERE lower(name) = lower(${name})`)) throw new UserExistsError(`user "${name}" already exists`);
        try {
          const r = await tx.get<UserRow>(sql`INSERT INTO users (name, password_hash, created_at) VALUES (${name}, ${passwordHash}, ${isoOf(now)}) RETURNING *`);
          return toUser(r!);
        } catch (err) {
          // Another desk added the name between the check and the insert: the unique index says so.
          if (isUniqueViolation(err)) throw new UserExistsError(`user "${name}" already exists`);
          throw err;
        }
      }),

    listUsers: () => db.read(async (tx) => (await tx.all<UserRow>(sql`SELECT * FROM users ORDER BY lower(name), id`)).map(toUser)),

    removeUser: (name) => db.write(async (tx) => (await tx.run(sql`DELETE FROM users WHERE lower(name) = lower(${name})`)) === 1),

    credentials: async (name) => {
      const r = await db.read((tx) => tx.get<UserRow>(sql`SELECT * FROM users WHERE lower(name) = lower(${name})`));
      return r ? { user: toUser(r), passwordHash: r.password_hash } : null;
    },

    createSession: (s) =>
      db.write(async (tx) => {
        await tx.run(sql`DELETE FROM sessions WHERE expires_at <= ${isoOf(s.now)}`);
        await tx.run(
          sql`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
              VALUES (${s.tokenHash}, ${s.userId}, ${s.csrfToken}, ${isoOf(s.now)}, ${isoOf(s.now)}, ${isoOf(s.expiresAt)})`,
        );
      }),

    useSession: (tokenHash, now, idleMs) =>
      db.write(async (tx): Promise<Session | null> => {
        const r = await tx.get<SessionRow>(
          sql`SELECT s.token_hash, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, u.id AS uid, u.name, u.created_at AS user_created_at
              FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ${tokenHash}`,
        );
        if (!r) return null;
        const expired = Date.parse(r.expires_at) <= now.getTime() || Date.parse(r.last_seen_at) + idleMs <= now.getTime();
        if (expired) {
          await tx.run(sql`DELETE FROM sessions WHERE token_hash = ${tokenHash}`);
          return null;
        }
        await tx.run(sql`UPDATE sessions SET last_seen_at = ${isoOf(now)} WHERE token_hash = ${tokenHash}`);
        return {
          tokenHash: r.token_hash,
          user: toUser({ id: r.uid, name: r.name, created_at: r.user_created_at }),
          csrfToken: r.csrf_token,
          createdAt: new Date(r.created_at),
          lastSeenAt: now,
          expiresAt: new Date(r.expires_at),
        };
      }),

    endSession: async (tokenHash) => {
      await db.write((tx) => tx.run(sql`DELETE FROM sessions WHERE token_hash = ${tokenHash}`));
    },

    // The counts and the insert are one write, and writers take turns on both backends, so two
    // desks sharing the database cannot both count below the limit and both insert.
    reserveLoginAttempt: (a) =>
      db.write(async (tx): Promise<LoginReserved> => {
        const since = isoOf(a.since);
        const count = async (q: Query) => Number((await tx.get<{ n: number }>(q))!.n);
        // Ids, not times, order a failure against a success: both may share a millisecond.
        const pair = await count(sql`SELECT COUNT(*) AS n FROM login_attempts
           WHERE lower(username) = lower(${a.username}) AND address = ${a.address} AND ok = 0 AND at >= ${since}
             AND id > COALESCE((SELECT MAX(id) FROM login_attempts WHERE lower(username) = lower(${a.username}) AND address = ${a.address} AND ok = 1), 0)`);
        if (pair >= a.perPair) return { reserved: false, limit: 'account_address' };
        const address = await count(sql`SELECT COUNT(*) AS n FROM login_attempts WHERE address = ${a.address} AND ok = 0 AND at >= ${since}`);
        if (address >= a.perAddress) return { reserved: false, limit: 'address' };
        const accountFailures = await count(sql`SELECT COUNT(*) AS n FROM login_attempts
           WHERE lower(username) = lower(${a.username}) AND ok = 0 AND at >= ${since}
             AND id > COALESCE((SELECT MAX(id) FROM login_attempts WHERE lower(username) = lower(${a.username}) AND ok = 1), 0)`);
        const r = await tx.get<{ id: number }>(
          sql`INSERT INTO login_attempts (username, address, ok, at) VALUES (${a.username}, ${a.address}, 0, ${isoOf(a.now)}) RETURNING id`,
        );
        await tx.run(sql`DELETE FROM login_attempts WHERE at < ${isoOf(a.forgetBefore)}`);
        return { reserved: true, id: r!.id, accountFailures };
      }),

    settleLoginAttempt: async (id, ok) => {
      if (ok) await db.write((tx) => tx.run(sql`UPDATE login_attempts SET ok = 1 WHERE id = ${id}`));
    },
  };
}

interface SessionRow {
  token_hash: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  uid: number;
  name: string;
  user_created_at: string;
}

/** A unique constraint refused the row: SQLite's SQLITE_CONSTRAINT_UNIQUE, PostgreSQL's SQLSTATE 23505. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
