/**
 * The fetch policy and the address guard: which URLs, ports and addresses may be fetched.
 * Checked twice: on the URL before connecting (IP literals never reach a DNS lookup) and on
 * every resolved address at connect time (so DNS rebinding gets no check-then-fetch window).
 *
 * An allow entry opens exactly what it says: `host` that host on ports 80 and 443, `host:port`
 * that one port. An IP entry admits URLs naming that IP; a name entry lets that name's DNS
 * answers be private (loopback, private, unique-local, CGNAT) addresses, and nothing more: other
 * names resolving there are still refused, and link-local (the metadata service), multicast and
 * reserved answers are refused for every name.
 */
import { isIP } from 'node:net';
import type { LookupAddress, LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import type { Failure } from '../core/failure.ts';
import { redactUrl } from './redact.ts';

/** Same shape as the callback form of `dns.lookup` with options; injectable for tests. */
export type LookupFn = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/** What the client may fetch, and its limits. */
export interface FetchPolicy {
  /**
   * Hosts or host:port that may be fetched although private/loopback (config `network.allow`),
   * case-insensitive, IPv6 in brackets. A bare host means its ports 80 and 443.
   */
  allow: readonly string[];
  /** Ports fetched on hosts no entry names. Default [80, 443]; a host:port listed in `allow` is allowed too. */
  allowedPorts?: readonly number[];
  /** Default `DEFAULT_USER_AGENT`. */
  userAgent?: string;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Default 15 s; also the longest silence allowed between body chunks. */
  headersTimeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Default `dns.lookup`. */
  lookup?: LookupFn;
}

/** The User-Agent sent when the policy names none. */
export const DEFAULT_USER_AGENT = 'aiwins/0.1 (+https://github.com/aiwins/aiwins)';
const DEFAULT_PORTS = [80, 443];
/** The ports an entry without a port opens. */
const BARE_ENTRY_PORTS = new Set([80, 443]);
/** The ranges a name entry's DNS answers may fall in beyond public unicast. */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);

interface AllowEntry {
  /** Canonical host: an IP in one spelling, or a lower-case name. */
  host: string;
  /** Null: ports 80 and 443. */
  port: number | null;
}

/** Lower-cased, brackets and trailing dot removed; IPs in one canonical spelling (IPv4-mapped IPv6 as IPv4). */
export function canonicalHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (isIP(h)) return toComparableAddress(ipaddr.parse(h)).toString();
  return h;
}

function toComparableAddress(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()
    ? (addr as ipaddr.IPv6).toIPv4Address()
    : addr;
}

function parseAllowEntry(entry: string): AllowEntry {
  const e = entry.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(e);
  if (bracketed) return { host: canonicalHost(bracketed[1]!), port: bracketed[2] ? Number(bracketed[2]) : null };
  const colons = e.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = e.split(':');
    return { host: canonicalHost(host!), port: Number(port) };
  }
  return { host: canonicalHost(e), port: null }; // a bare host, or a bare IPv6 address
}

/**
 * Why an IP address may not be fetched (its ipaddr.js range, e.g. 'loopback'), or null when it is
 * ordinary public unicast. Only 'unicast' passes: private, loopback, link-local (metadata),
 * unique-local, CGNAT, unspecified, reserved, 6to4/NAT64 embeddings... are all refused.
 */
export function blockedRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  const addr = toComparableAddress(ipaddr.parse(address));
  // ::a.b.c.d, the deprecated IPv4-compatible form (::/96): ipaddr.js calls it unicast, but it names an IPv4 host.
  if (addr.kind() === 'ipv6') {
    const parts = (addr as ipaddr.IPv6).parts;
    if (parts.slice(0, 6).every((p) => p === 0) && (parts[6] !== 0 || parts[7]! > 1)) return 'ipv4Compatible';
  }
  const range = addr.range();
  return range === 'unicast' ? null : range;
}

/** The policy with defaults applied and the allow list parsed once. */
export class AddressGuard {
  private readonly entries: AllowEntry[];
  private readonly ports: Set<number>;

  constructor(policy: Pick<FetchPolicy, 'allow' | 'allowedPorts'>) {
    this.entries = policy.allow.map(parseAllowEntry);
    this.ports = new Set(policy.allowedPorts ?? DEFAULT_PORTS);
  }

  /** Whether an entry names host (a name or an IP, as the URL spells it) at port. */
  isAllowListed(host: string, port: number): boolean {
    const h = canonicalHost(host);
    return this.entries.some((e) => e.host === h && (e.port === null ? BARE_ENTRY_PORTS.has(port) : e.port === port));
  }

  isPortAllowed(port: number): boolean {
    return this.ports.has(port);
  }

  /**
   * A reason a resolved address may not be connected to, or null. `privateOk`: the name looked
   * up is allow-listed, so its private answers are fine (and only those).
   */
  addressProblem(address: string, privateOk = false): string | null {
    const range = blockedRange(address);
    if (range === null || (privateOk && PRIVATE_RANGES.has(range))) return null;
    return `${range} address ${address}`;
  }

  /** The pre-connect check of one URL: scheme, port, IP literal, localhost names. */
  checkUrl(url: string): Failure | null {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { kind: 'fetch.invalid_url', message: `not a valid URL: ${redactUrl(url)}` };
    }
    const shown = redactUrl(u.href);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      return {
        kind: 'fetch.invalid_url',
        message: `only http and https URLs can be fetched, not ${u.protocol.slice(0, -1)}: ${shown}`,
      };
    }
    if (u.hostname === '') return { kind: 'fetch.invalid_url', message: `URL has no host: ${shown}` };
    const port = effectivePort(u);
    // Listed: an IP literal is the address itself; a name is still checked on its DNS answers.
    if (this.isAllowListed(u.hostname, port)) return null;
    const blocked = (why: string): Failure => ({
      kind: 'fetch.blocked_address',
      message: `blocked address: ${shown} (${why}); add the host (or host:port) to network.allow, or to the feed's allow, only if you trust it`,
    });
    if (!this.isPortAllowed(port)) return blocked(`port ${port} is not allowed`);
    const host = canonicalHost(u.hostname);
    if (isIP(host)) {
      const range = blockedRange(host);
      if (range !== null) return blocked(`${range} address ${host}`);
    } else if (host === 'localhost' || host.endsWith('.localhost')) {
      return blocked('localhost');
    }
    return null;
  }

  /**
   * Wraps a resolver so that every answer is checked before the socket connects; one bad answer
   * among several blocks the whole lookup (so a mixed or rebinding answer never gets through).
   * `privateOk` for a name an entry lists: its private answers pass, nothing else does.
   */
  guardLookup(lookup: LookupFn, privateOk: boolean): LookupFn {
    return (hostname, options, callback) => {
      lookup(hostname, { ...options, all: true }, (err, result) => {
        if (err) return callback(err, options.all ? [] : '');
        const answers: LookupAddress[] = typeof result === 'string' ? [{ address: result, family: isIP(result) }] : result;
        if (answers.length === 0) {
          const e: NodeJS.ErrnoException = new Error(`DNS lookup of ${hostname} returned no address`);
          e.code = 'ENOTFOUND';
          return callback(e, options.all ? [] : '');
        }
        for (const a of answers) {
          const problem = this.addressProblem(a.address, privateOk);
          if (problem) return callback(new BlockedAddressError(`${hostname} resolves to ${problem}`), options.all ? [] : '');
        }
        if (options.all) callback(null, answers);
        else callback(null, answers[0]!.address, answers[0]!.family);
      });
    };
  }
}

/** Raised inside the connector when an address is refused; mapped to `fetch.blocked_address`. */
export class BlockedAddressError extends Error {
  readonly code = 'AIWINS_BLOCKED_ADDRESS';
}

/** The URL's port, or the scheme's default. */
export function effectivePort(u: URL): number {
  if (u.port !== '') return Number(u.port);
  return u.protocol === 'https:' ? 443 : 80;
}

/** Pre-connect check of a URL's scheme, IP literal and port; null when it may be fetched. */
export function checkUrl(url: string, policy: FetchPolicy): Failure | null {
  return new AddressGuard(policy).checkUrl(url);
}
