import type { Change } from 'diff';
import { describe, expect, it } from 'vitest';
import { versionDiff, versionText } from './version-text.ts';
import { maxEdit } from '../../test/helpers/max-edit.ts';

const side = (changes: Change[], drop: 'added' | 'removed') => changes.filter((c) => !c[drop]).map((c) => c.value).join('');

/** Whitespace as one space: jsdiff's word diff shows whitespace around a change once, on one side. */
const words = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Every diff, however bounded, must give back both texts (their words, in order). */
function expectFaithful(before: string, after: string): Change[] {
  const changes = versionDiff(before, after);
  expect(words(side(changes, 'added'))).toBe(words(before));
  expect(words(side(changes, 'removed'))).toBe(words(after));
  return changes;
}

describe('versionDiff', () => {
  it('an edit of a few words is shown word by word', () => {
    const v = maxEdit(7);
    const before = versionText(v);
    const after = versionText({ ...v, headline: `Brand new ${v.headline}`, body: [v.body[0]!, `${v.body[1]} And one more sentence.`, ...v.body.slice(2)] });
    const changes = expectFaithful(before, after);
    const added = changes.filter((c) => c.added).map((c) => c.value.trim());
    expect(added).toEqual(['Brand new', 'And one more sentence.']);
    expect(changes.filter((c) => c.removed)).toEqual([]);
  });

  it('two versions as long as the form admits, differing throughout: whole changed blocks, both texts kept', () => {
    const a = maxEdit(1);
    const b = maxEdit(2);
    const changes = expectFaithful(versionText(a), versionText(b));
    const removed = changes.filter((c) => c.removed).map((c) => c.value);
    expect(removed.some((r) => r.includes(`  ${a.body[0]}\n`) && r.includes(`  ${a.body[5]}\n`))).toBe(true);
    // Unchanged labels stay common text between the blocks.
    expect(changes.filter((c) => !c.added && !c.removed).map((c) => c.value)).toContain('Body:\n');
  });

  it('past the line diff bound too (thousands of changed lines): the common first and last lines, one block between', () => {
    const lines = (seed: string) => Array.from({ length: 3000 }, (_, i) => `${seed}${i}`).join('\n');
    const before = `first\n${lines('a')}\nlast`;
    const after = `first\n${lines('b')}\nlast`;
    const changes = expectFaithful(before, after);
    expect(changes.map((c) => (c.added ? '+' : c.removed ? '-' : '='))).toEqual(['=', '-', '+', '=']);
    expect(changes[0]!.value).toBe('first\n');
    expect(changes[3]!.value).toBe('last');
  });

  it('identical and empty texts', () => {
    expect(expectFaithful('same\ntext', 'same\ntext').every((c) => !c.added && !c.removed)).toBe(true);
    expectFaithful('', 'new');
    expectFaithful('old', '');
  });
});

describe('versionDiff on a busy machine', () => {
  it('a small edit is a word diff even when the clock jumps past the time budget (a GC pause, a loaded machine)', () => {
    let t = 0;
    const stalling = () => (t += 100);
    const changes = versionDiff('Headline: Ann wrote this\nTL;DR: same', 'Headline: Bob wrote this\nTL;DR: same', stalling);
    expect(changes.filter((c) => c.added).map((c) => c.value)).toEqual(['Bob']);
    expect(changes.filter((c) => c.removed).map((c) => c.value)).toEqual(['Ann']);
  });
});
