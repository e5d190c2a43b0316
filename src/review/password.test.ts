import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.ts';

describe('password hashes', () => {
  // The default (OWASP) cost through `aiwins users add` is checked in test/review-cli.test.ts.
  it('a lower cost (the tests\' own) is recorded in the hash, and verification follows it', async () => {
    const stored = await hashPassword('correct horse', { N: 1024, r: 8, p: 1 });
    expect(stored).toMatch(/^scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('wrong horse', stored)).toBe(false);
    // The same password at another cost gives another key: the parameters are part of the check.
    const tampered = stored.replace('N=1024', 'N=2048');
    expect(await verifyPassword('correct horse', tampered)).toBe(false);
  });
});
