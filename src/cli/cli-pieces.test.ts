/**
 * The pure pieces of the CLI: the argument parsers commander calls, the config loader's typed
 * failures, and withStore closing the database however the command ends. The commands
 * themselves are tested through the real CLI (test/cli-*.test.ts and the e2e tests).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { calendarDate, each, fraction, oneOf, positiveInt, positiveWhole, storyId, storyIdList } from './args.ts';
import { Command, CommanderError, InvalidArgumentError } from './commander.ts';
import { loadCliConfig } from './config.ts';
import { EXIT_INVALID, UsageError } from './errors.ts';
import { withStore } from './store.ts';

/** What a parser refused with, as commander sees it. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).code).toBe('commander.invalidArgument');
    return (err as Error).message;
  }
  throw new Error('the parser accepted it');
}

describe('argument parsers', () => {
  it('a positive whole number is digits only: no zero, sign, fraction, exponent or hex', () => {
    expect(positiveWhole('12')).toBe(12);
    expect(positiveWhole(' 7 ')).toBe(7);
    for (const raw of ['0', '-3', '+3', '1.5', '1e3', '0x10', '', 'abc', '9007199254740993']) expect(positiveWhole(raw), raw).toBeNull();
  });

  it('ids and positions name the argument and say what they got', () => {
    expect(positiveInt('issue')('3')).toBe(3);
    expect(refusal(() => positiveInt('issue')('abc'))).toBe('issue: expected a positive whole number, got "abc"');
    expect(refusal(() => positiveInt('--sample', 'expected a positive number')('0'))).toBe('--sample: expected a positive number, got "0"');
    expect(storyId('42')).toBe(42);
    expect(refusal(() => storyId('1e2'))).toBe('ID: expected a story number, got "1e2"');
  });

  it('each() collects the values of a variadic argument in order', () => {
    const parse = each(positiveInt('ID'));
    expect(parse('2', parse('1', undefined))).toEqual([1, 2]);
    expect(refusal(() => parse('x', [1]))).toBe('ID: expected a positive whole number, got "x"');
  });

  it('story ids separated by commas', () => {
    expect(storyIdList('--stories')('1, 2,3')).toEqual([1, 2, 3]);
    expect(refusal(() => storyIdList('--stories')('1,x'))).toBe('--stories: expected story numbers separated by commas, got "1,x"');
    expect(refusal(() => storyIdList('--stories')('1,,2'))).toMatch(/^--stories: /);
  });

  it('dates: a day or an ISO 8601 time; anything else refused with an example', () => {
    expect(calendarDate('--since', '2026-11-01')('2026-11-01').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(calendarDate('--since', '2026-11-01')('2026-11-01T10:30:00Z').toISOString()).toBe('2026-11-01T10:30:00.000Z');
    expect(refusal(() => calendarDate('--since', '2026-11-01')('yesterday'))).toBe('--since: expected a date such as 2026-11-01, got "yesterday"');
  });

  it('one of a set of words', () => {
    const reason = oneOf('--reason', ['spin', 'other'] as const);
    expect(reason('spin')).toBe('spin');
    expect(refusal(() => reason('Spin'))).toBe('--reason: expected one of spin, other, got "Spin"');
  });

  it('a rate from 0 to 1', () => {
    expect(fraction('--min-f1')('0')).toBe(0);
    expect(fraction('--min-f1')('0.75')).toBe(0.75);
    expect(fraction('--min-f1')('1')).toBe(1);
    for (const raw of ['2', '-0.1', 'abc', '', 'NaN']) expect(refusal(() => fraction('--min-f1')(raw)), raw).toMatch(/^--min-f1: expected a number from 0 to 1, got /);
  });

  it('given to commander, a refused value is its usage error (the program exits 2 on it) and the action never runs', async () => {
    let ran = false;
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    program
      .command('show')
      .argument('<id>', 'story id', storyId)
      .action(() => {
        ran = true;
      });
    const err = await program.parseAsync(['node', 'aiwins', 'show', 'abc']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommanderError);
    expect((err as CommanderError).code).toBe('commander.invalidArgument');
    expect((err as CommanderError).message).toContain('ID: expected a story number, got "abc"');
    expect(ran).toBe(false);
  });
});

describe('loadCliConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aiwins-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a valid config, with its warnings', async () => {
    writeFileSync(join(dir, 'feeds.yaml'), 'feeds: []\n');
    const r = await loadCliConfig(join(dir, 'feeds.yaml'), {});
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.feeds).toEqual([]);
  });

  it('a missing file is config.not_found, told by the error code and not by the message', async () => {
    const r = await loadCliConfig(join(dir, 'nope.yaml'), {});
    expect(r).toMatchObject({ ok: false, failure: { kind: 'config.not_found' } });
    if (!r.ok) expect(r.failure.message).toMatch(/config file not found/);
  });

  it('a file that cannot be read is config.unreadable', async () => {
    mkdirSync(join(dir, 'a-directory.yaml'));
    const r = await loadCliConfig(join(dir, 'a-directory.yaml'), {});
    expect(r).toMatchObject({ ok: false, failure: { kind: 'config.unreadable' } });
  });

  it('an invalid config is config.invalid, with every problem and its line', async () => {
    writeFileSync(join(dir, 'feeds.yaml'), 'feeds:\n  - name: A\n    url: not a url\nbogus: 1\n');
    const r = await loadCliConfig(join(dir, 'feeds.yaml'), {});
    expect(r).toMatchObject({ ok: false, failure: { kind: 'config.invalid' } });
    if (r.ok) return;
    expect(r.failure.errors.length).toBeGreaterThanOrEqual(2);
    expect(r.failure.problems.every((p) => p.line !== null)).toBe(true);
    expect(r.failure.message).toBe(r.failure.errors.join('; '));
  });
});

describe('withStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aiwins-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("returns what the command returns, and closes the store after", async () => {
    let used: Store | null = null;
    const n = await withStore('write', join(dir, 'a.db'), async (db) => {
      used = db;
      return (await db.stories.list({})).length;
    });
    expect(n).toBe(0);
    await expect(used!.stories.list({})).rejects.toThrow();
  });

  it('closes the store when the command throws, and passes the error on', async () => {
    let used: Store | null = null;
    const failure = new UsageError('no story 9', EXIT_INVALID);
    await expect(
      withStore('write', join(dir, 'a.db'), async (db) => {
        used = db;
        await db.stories.list({});
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(used).not.toBeNull();
    await expect(used!.stories.list({})).rejects.toThrow();
  });

  it('a command that only reads never creates a database: a missing one is a usage error (exit 2) naming it', async () => {
    const err = await withStore('read', join(dir, 'missing.db'), async () => 'ran').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(EXIT_INVALID);
    expect((err as UsageError).message).toContain(join(dir, 'missing.db'));
  });
});
