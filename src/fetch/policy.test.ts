import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { AddressGuard, BlockedAddressError, blockedRange, canonicalHost, type LookupFn } from './policy.ts';
import { checkUrl } from './index.ts';

const policy = { allow: ['127.0.0.1:8080', 'Feeds.Internal', '[::1]:9000', '10.1.2.3'] };

describe('checkUrl', () => {
  it.each([
    '127.0.0.1', '10.0.0.1', '169.254.169.254', '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0',
    '100.64.0.1', '[fd00::1]', '2130706433', '0x7f.1', '127.1', '0177.0.0.1', '[fe80::1]', '[::]', '255.255.255.255',
    '224.0.0.1', '[ff02::1]', '192.0.2.1', '[2002:7f00:1::]', 'localhost', 'a.localhost', '[::127.0.0.1]', '[::7f00:1]',
    '[::10.0.0.1]', '[::a9fe:a9fe]', '[64:ff9b::7f00:1]',
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

  // An entry opens what it says and nothing more: `host` is ports 80 and 443, `host:port` that port.
  it.each([
    ['http://127.0.0.1:8080/x', true],
    ['http://2130706433:8080/x', true], // the same address in another spelling
    ['http://[::ffff:127.0.0.1]:8080/x', true],
    ['http://127.0.0.1:8081/x', false],
    ['http://127.0.0.1/x', false], // the entry names port 8080 only
    ['http://FEEDS.internal./rss', true],
    ['https://feeds.internal/rss', true],
    ['http://feeds.internal:7000/rss', false], // a bare entry is ports 80 and 443
    ['http://feeds.internal:6379/', false],
    ['http://[::1]:9000/', true],
    ['http://[::1]:9001/', false],
    ['http://10.1.2.3/', true],
    ['https://10.1.2.3/', true],
    ['http://10.1.2.3:6379/', false], // was open on every port before
    ['http://10.1.2.4/', false],
    ['http://[::10.1.2.3]/', false], // IPv4-compatible spelling is not the listed address
  ])('with %s listed entries, %s is allowed: %s', (url, allowed) => {
    const failure = checkUrl(url, policy);
    if (allowed) expect(failure).toBeNull();
    else expect(failure?.kind).toBe('fetch.blocked_address');
  });

  it('a bare entry does not widen the ports of other hosts, nor allowedPorts the entry', () => {
    const wide = { allow: ['127.0.0.1'], allowedPorts: [80, 443, 8080] };
    expect(checkUrl('http://127.0.0.1:8080/', wide)?.kind).toBe('fetch.blocked_address'); // a private IP on an allowed port
    expect(checkUrl('http://127.0.0.1:6379/', wide)?.kind).toBe('fetch.blocked_address');
    expect(checkUrl('http://example.com:8080/', wide)).toBeNull();
  });

  it('never puts credentials in its messages', () => {
    const f = checkUrl('http://bob:hunter2@10.0.0.1/?token=abc', { allow: [] });
    expect(f?.message).not.toMatch(/hunter2|abc/);
  });
});

describe('address classification', () => {
  it('admits only ordinary unicast, IPv4-mapped addresses judged as IPv4, IPv4-compatible ones refused', () => {
    expect(blockedRange('::7f00:1')).toBe('ipv4Compatible'); // [::127.0.0.1] as URLs and resolvers spell it
    expect(blockedRange('::808:808')).toBe('ipv4Compatible');
    expect(blockedRange('::1')).toBe('loopback');
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
  const run = (addresses: string[], all: boolean, privateOk = false) =>
    new Promise<{ err: Error | null; result: string | LookupAddress[] }>((resolve) =>
      new AddressGuard({ allow: ['127.0.0.1:8080'] }).guardLookup(stub(addresses), privateOk)('x.test', { all }, (err, result) =>
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

  it('never admits a name because it resolves to a listed IP (any name can be made to)', async () => {
    expect((await run(['127.0.0.1'], true)).err).toBeInstanceOf(BlockedAddressError);
  });

  // A listed name may resolve to private addresses, and to nothing else that is refused.
  it.each([
    [['10.0.0.5'], true],
    [['127.0.0.1', '::1'], true],
    [['fd00::5'], true],
    [['100.64.0.1'], true],
    [['93.184.216.34'], true],
    [['169.254.169.254'], false], // the metadata service stays out of reach
    [['10.0.0.5', '169.254.169.254'], false],
    [['0.0.0.0'], false],
    [['224.0.0.1'], false],
    [['::7f00:1'], false],
  ])('a listed name resolving to %j is allowed: %s', async (answers, allowed) => {
    const { err } = await run(answers, true, true);
    if (allowed) expect(err).toBeNull();
    else expect(err).toBeInstanceOf(BlockedAddressError);
  });
});
