import type { Connection } from './db.ts';

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
 * Editors, their sessions and login attempts. Each method is one transaction. A second backend
 * implements this interface; the SQLite one is below.
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

/** The user store over SQLite. */
export function sqliteUsers(db: Connection): UserStore {
  return new SqliteUsers(db);
}

class SqliteUsers implements UserStore {
  constructor(private readonly db: Connection) {}

  async addUser(name: string, passwordHash: string, now: Date): Promise<User> {
    return this.db.write(() => {
      if (this.db.get('SELECT 1 FROM users WHERE name = ?', name)) throw new UserExistsError(`user "${name}" already exists`);
      const r = this.db.run('INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?)', name, passwordHash, now.toISOString());
      return toUser(this.db.get('SELECT * FROM users WHERE id = ?', r.lastInsertRowid) as UserRow);
    });
  }

  async listUsers(): Promise<User[]> {
    return this.db.read(() => this.db.all<UserRow>('SELECT * FROM users ORDER BY name').map(toUser));
  }

  async removeUser(name: string): Promise<boolean> {
    return this.db.write(() => this.db.run('DELETE FROM users WHERE name = ?', name).changes === 1);
  }

  async credentials(name: string): Promise<{ user: User; passwordHash: string } | null> {
    const r = await this.db.read(() => this.db.get('SELECT * FROM users WHERE name = ?', name) as UserRow | undefined);
    return r ? { user: toUser(r), passwordHash: r.password_hash } : null;
  }

  async createSession(s: { tokenHash: string; userId: number; csrfToken: string; now: Date; expiresAt: Date }): Promise<void> {
    await this.db.write(() => {
      this.db.run('DELETE FROM sessions WHERE expires_at <= ?', s.now.toISOString());
      this.db.run('INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)', s.tokenHash, s.userId, s.csrfToken, s.now.toISOString(), s.now.toISOString(), s.expiresAt.toISOString());
    });
  }

  async useSession(tokenHash: string, now: Date, idleMs: number): Promise<Session | null> {
    return this.db.write(() => {
      const r = this.db.get(`SELECT s.*, u.id AS uid, u.name, u.created_at AS user_created_at FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.token_hash = ?`, tokenHash) as
        | { token_hash: string; csrf_token: string; created_at: string; last_seen_at: string; expires_at: string; uid: number; name: string; user_created_at: string }
        | undefined;
      if (!r) return null;
      const expired = Date.parse(r.expires_at) <= now.getTime() || Date.parse(r.last_seen_at) + idleMs <= now.getTime();
      if (expired) {
        this.db.run('DELETE FROM sessions WHERE token_hash = ?', tokenHash);
        return null;
      }
      this.db.run('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?', now.toISOString(), tokenHash);
      return {
        tokenHash: r.token_hash,
        user: toUser({ id: r.uid, name: r.name, created_at: r.user_created_at }),
        csrfToken: r.csrf_token,
        createdAt: new Date(r.created_at),
        lastSeenAt: now,
        expiresAt: new Date(r.expires_at),
      };
    });
  }

  async endSession(tokenHash: string): Promise<void> {
    await this.db.write(() => this.db.run('DELETE FROM sessions WHERE token_hash = ?', tokenHash));
  }

  async reserveLoginAttempt(a: LoginReservation): Promise<LoginReserved> {
    return this.db.write(() => {
      const p = { u: a.username, a: a.address, since: a.since.toISOString() };
      const count = (sql: string) => (this.db.get(sql, p) as { n: number }).n;
      // Ids, not times, order a failure against a success: both may share a millisecond.
      const pair = count(`SELECT COUNT(*) AS n FROM login_attempts
         WHERE username = @u AND address = @a AND ok = 0 AND at >= @since
           AND id > COALESCE((SELECT MAX(id) FROM login_attempts WHERE username = @u AND address = @a AND ok = 1), 0)`);
      if (pair >= a.perPair) return { reserved: false as const, limit: 'account_address' as const };
      if (count('SELECT COUNT(*) AS n FROM login_attempts WHERE address = @a AND ok = 0 AND at >= @since') >= a.perAddress) {
        return { reserved: false as const, limit: 'address' as const };
      }
      const accountFailures = count(`SELECT COUNT(*) AS n FROM login_attempts
         WHERE username = @u AND ok = 0 AND at >= @since
           AND id > COALESCE((SELECT MAX(id) FROM login_attempts WHERE username = @u AND ok = 1), 0)`);
      const r = this.db.run('INSERT INTO login_attempts (username, address, ok, at) VALUES (?, ?, 0, ?)', a.username, a.address, a.now.toISOString());
      this.db.run('DELETE FROM login_attempts WHERE at < ?', a.forgetBefore.toISOString());
      return { reserved: true as const, id: r.lastInsertRowid, accountFailures };
    });
  }

  async settleLoginAttempt(id: number, ok: boolean): Promise<void> {
    if (ok) await this.db.write(() => this.db.run('UPDATE login_attempts SET ok = 1 WHERE id = ?', id));
  }
}
