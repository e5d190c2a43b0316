import { describe, expect, it } from 'vitest';
import { hostAllowed, loginDelayMs, MAX_LOGIN_DELAY_MS } from './security.ts';

describe('hostAllowed', () => {
  const listen = { names: ['127.0.0.1'], port: 8080 };
  it('answers the listen address and loopback names with the listening port', () => {
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'LocalHost:8080', '[::1]:8080']) expect(hostAllowed(host, listen), host).toBe(true);
  });
  it('refuses other names, other ports, and Hosts that are not a plain host[:port]', () => {
    for (const host of ['evil.example:8080', 'localhost:8081', 'localhost', '127.0.0.2:8080', 'evil@localhost:8080', 'localhost:8080/x', '', 'localhost.:8080', '[::2]:8080']) {
      expect(hostAllowed(host, listen), host).toBe(false);
    }
  });
  it('the address a connection arrived at counts, IPv4-mapped and IPv6 as browsers write them', () => {
    expect(hostAllowed('192.168.1.5:8080', { names: ['0.0.0.0', '::ffff:192.168.1.5'], port: 8080 })).toBe(true);
    expect(hostAllowed('[fe80::1]:8080', { names: ['fe80::1'], port: 8080 })).toBe(true);
    expect(hostAllowed('desk.lan:8080', { names: ['desk.lan'], port: 8080 })).toBe(true);
  });
  it('port 80 may be left out; without a known port (app.request) any port of a loopback name is answered', () => {
    expect(hostAllowed('localhost', { names: [], port: 80 })).toBe(true);
    expect(hostAllowed('localhost:80', { names: [], port: 80 })).toBe(true);
    expect(hostAllowed('localhost', { names: [], port: null })).toBe(true);
    expect(hostAllowed('evil.example', { names: [], port: null })).toBe(false);
  });
});

describe('loginDelayMs', () => {
  it('no delay below the per-account limit, then doubling from 250 ms, capped at a few seconds', () => {
    expect([0, 4, 5, 6, 7, 8, 9, 50, 1e9].map((n) => loginDelayMs(n, 5))).toEqual([0, 0, 250, 500, 1000, 2000, MAX_LOGIN_DELAY_MS, MAX_LOGIN_DELAY_MS, MAX_LOGIN_DELAY_MS]);
    expect(MAX_LOGIN_DELAY_MS).toBeLessThanOrEqual(5000);
  });
});
