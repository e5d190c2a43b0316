/**
 * The fetch policy and the address guard: which URLs, ports and addresses may be fetched.
 * Checked twice: on the URL before connecting (IP literals never reach a DNS lookup) and on
 * every resolved address at connect time (so DNS rebinding gets no check-then-fetch window).
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
   * case-insensitive, IPv6 in brackets. An IP entry also admits host names that resolve to it.
   */
  allow: string[];
  /** Default [80, 443]; a host:port listed in `allow` is always allowed. */
  allowedPorts?: number[];
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

interface AllowEntry {
  host: string;
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
  const range = toComparableAddress(ipaddr.parse(address)).range();
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

  /** Whether host (a name or an IP) at port is listed in `allow`. */
  isAllowListed(host: string, port: number): boolean {
    const h = canonicalHost(host);
    return this.entries.some((e) => e.host === h && (e.port === null || e.port === port));
  }

  isPortAllowed(port: number): boolean {
    return this.ports.has(port);
  }

  /** A reason the resolved address may not be connected to, or null. */
  addressProblem(address: string, port: number): string | null {
    if (this.isAllowListed(address, port)) return null;
    const range = blockedRange(address);
    return range === null ? null : `${range} address ${address}`;
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
    if (this.isAllowListed(u.hostname, port)) return null;
    const blocked = (why: string): Failure => ({
      kind: 'fetch.blocked_address',
      message: `blocked address: ${shown} (${why}); add the host to network.allow only if you trust it`,
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
   */
  guardLookup(lookup: LookupFn, port: number): LookupFn {
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
          const problem = this.addressProblem(a.address, port);
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
