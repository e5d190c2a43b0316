import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt at OWASP's Password Storage Cheat Sheet minimum (N=2^17, r=8, p=1; argon2id is not in
 * node:crypto on Node 20). Parameters are stored with each hash, so raising them later keeps old
 * hashes verifiable.
 */
const PARAMS: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
const KEY_BYTES = 32;

/** scrypt's cost parameters, recorded in each hash. */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, p: ScryptCost): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes (128 MiB here), above node's 32 MiB default cap.
  const maxmem = 128 * p.N * p.r + 16 * 1024 * 1024;
  return new Promise((ok, fail) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N: p.N, r: p.r, p: p.p, maxmem }, (err, key) => (err ? fail(err) : ok(key))),
  );
}

/**
 * `scrypt$N=131072,r=8,p=1$<salt b64>$<key b64>`. `cost` exists for the tests alone, whose made-up
 * editors would otherwise cost 128 MiB and a full scrypt each; every production path leaves it out.
 * Verification reads the parameters from the hash, so it works for either.
 */
export async function hashPassword(password: string, cost: ScryptCost = PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$N=${cost.N},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a password against a stored hash in constant time; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await derive(password, Buffer.from(m[4]!, 'base64'), { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash no password matches, checked for unknown users so a login takes as long either way. */
export const UNKNOWN_USER_HASH = `scrypt$N=${PARAMS.N},r=${PARAMS.r},p=${PARAMS.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_BYTES).toString('base64')}`;
