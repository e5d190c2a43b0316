import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { AddressGuard, BlockedAddressError, blockedRange, canonicalHost, type LookupFn } from './policy.ts';
import { checkUrl } from './index.ts';

const policy = { allow: ['127.0.0.1:8080', 'Feeds.Internal', '[::1]:9000', '10.1.2.3'] };

describe('checkUrl', () => {
  it.each([
    '127.0.0.1', '10.0.0.1', '169.254.169.254', '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0',
    '100.64.0.1', '[fd00::1]', '2130706433', '0x7f.1', '127.1', '0177.0.0.1', '[fe80::1]', '[::]', '255.255.255.255',
    '224.0.0.1', '[ff02::1]', '192.0.2.1', '[2002:7f00:1::]', 'localhost', 'a.localhost',
  ])('blocks http://%s/', (host) => {
    expect(checkUrl(`http://${host}/`, { allow: [] })?.kind).toBe('fetch.blocked_address');
  });

  it.each(['https://example.com/feed.xml', 'http://93.184.216.34/', 'http://[2606:4700::1111]/', 'http://intranet/'])(
    'lets %s through to connect-time checks',
    (url) => {
      expect(checkUrl(url, { allow: [] })).toBeNull();
    },
  );

  it.each(['file:///etc/passwd', 'data:text/html,x', 'ftp://example.com/', 'javascript:alert(1)', 'gopher://x/', 'http://', '::'])(
    'refuses %s as invalid',
    (url) => {
      expect(checkUrl(url, { allow: [] })?.kind).toBe('fetch.invalid_url');
    },
  );

  it('allows only ports 80 and 443 by default', () => {
    expect(checkUrl('http://example.com:22/', { allow: [] })?.kind).toBe('fetch.blocked_address');
    expect(checkUrl('http://example.com:6379/', { allow: [] })?.kind).toBe('fetch.blocked_address');
    expect(checkUrl('http://example.com:11434/', { allow: [] })?.kind).toBe('fetch.blocked_address');
    expect(checkUrl('http://example.com:8080/', { allow: [], allowedPorts: [8080] })).toBeNull();
  });

  it('honours allow entries by host and host:port, case-insensitively', () => {
    expect(checkUrl('http://127.0.0.1:8080/x', policy)).toBeNull();
    expect(checkUrl('http://2130706433:8080/x', policy)).toBeNull(); // same address, another spelling
    expect(checkUrl('http://127.0.0.1:8081/x', policy)?.kind).toBe('fetch.blocked_address');
    expect(checkUrl('http://FEEDS.internal./rss', policy)).toBeNull();
    expect(checkUrl('http://feeds.internal:7000/rss', policy)).toBeNull(); // no port in the entry: any port
    expect(checkUrl('http://[::1]:9000/', policy)).toBeNull();
    expect(checkUrl('http://[::1]:9001/', policy)?.kind).toBe('fetch.blocked_address');
    expect(checkUrl('http://10.1.2.3/', policy)).toBeNull();
  });

  it('never puts credentials in its messages', () => {
    const f = checkUrl('http://bob:hunter2@10.0.0.1/?token=abc', { allow: [] });
    expect(f?.message).not.toMatch(/hunter2|abc/);
  });
});

describe('address classification', () => {
  it('admits only ordinary unicast, IPv4-mapped addresses judged as IPv4', () => {
    expect(blockedRange('93.184.216.34')).toBeNull();
    expect(blockedRange('2606:4700::1111')).toBeNull();
    expect(blockedRange('::ffff:93.184.216.34')).toBeNull();
    expect(blockedRange('::ffff:10.0.0.1')).toBe('private');
    expect(blockedRange('169.254.169.254')).toBe('linkLocal');
    expect(blockedRange('100.64.0.1')).toBe('carrierGradeNat');
  });

  it('spells hosts one way', () => {
    expect(canonicalHost('[::FFFF:7f00:1]')).toBe('127.0.0.1');
    expect(canonicalHost('Example.COM.')).toBe('example.com');
    expect(canonicalHost('[0:0::1]')).toBe('::1');
  });
});

describe('guardLookup (no connection is made: the resolver is a stub)', () => {
  const stub = (addresses: string[]): LookupFn => (_host, options, cb) => {
    const list = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (options.all) cb(null, list);
    else cb(null, list[0]!.address, list[0]!.family);
  };
  const run = (addresses: string[], all: boolean, port = 443) =>
    new Promise<{ err: Error | null; result: string | LookupAddress[] }>((resolve) =>
      new AddressGuard({ allow: ['127.0.0.1:8080'] }).guardLookup(stub(addresses), port)('x.test', { all }, (err, result) =>
        resolve({ err, result }),
      ),
    );

  it('passes public answers through in the shape asked for', async () => {
    expect((await run(['93.184.216.34', '2606:4700::1111'], true)).result).toHaveLength(2);
    expect((await run(['93.184.216.34'], false)).result).toBe('93.184.216.34');
  });

  it.each([[['93.184.216.34', '10.0.0.1']], [['10.0.0.1', '93.184.216.34']], [['::1']], [['::ffff:169.254.169.254']]])(
    'blocks %j',
    async (answers) => {
      for (const all of [true, false]) expect((await run(answers, all)).err).toBeInstanceOf(BlockedAddressError);
    },
  );

  it('admits an allow-listed IP only on its port', async () => {
    expect((await run(['127.0.0.1'], true, 8080)).err).toBeNull();
    expect((await run(['127.0.0.1'], true, 443)).err).toBeInstanceOf(BlockedAddressError);
  });
});
