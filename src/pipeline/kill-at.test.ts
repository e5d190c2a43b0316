import { afterEach, describe, expect, it, vi } from 'vitest';
import { KILL_POINTS, killPointOf, killProcessAt } from './kill-at.ts';

describe('killPointOf', () => {
  it('takes the names of the kill points and nothing else', () => {
    for (const p of KILL_POINTS) expect(killPointOf(p)).toBe(p);
    for (const name of [undefined, '', 'after-fetch', 'AFTER-DRAFT', 'after-draft ']) expect(killPointOf(name), String(name)).toBeUndefined();
  });
});

describe('killProcessAt', () => {
  afterEach(() => vi.restoreAllMocks());

  it('SIGKILLs this process at the named point only', () => {
    // process.kill is replaced so the test can see the call without dying of it.
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const hook = killProcessAt('after-extract');
    hook('after-feed-fetch');
    hook('after-draft');
    expect(kill).not.toHaveBeenCalled();
    hook('after-extract');
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGKILL');
  });

  it('does nothing anywhere without a point', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const hook = killProcessAt(undefined);
    for (const p of KILL_POINTS) hook(p);
    expect(kill).not.toHaveBeenCalled();
  });
});
