import { describe, expect, it } from 'vitest';
import type { Decision } from '../store/index.ts';
import { undoRefusal, undoSecondsLeft } from './undo.ts';

const T = Date.parse('2026-12-01T09:00:00Z');
const decision = (id: number, action: Decision['action'], atMs: number): Decision => ({
  id,
  storyId: 1,
  versionId: 7,
  action,
  reason: action === 'reject' ? 'spin' : null,
  note: null,
  snoozedUntil: null,
  by: 'ann',
  at: new Date(atMs),
});

describe('undoRefusal', () => {
  it('allows the latest approval or rejection within a minute', () => {
    expect(undoRefusal([decision(1, 'approve', T)], 1, new Date(T + 59_000), 'ann')).toBeNull();
    expect(undoRefusal([decision(1, 'approve', T), decision(2, 'reject', T + 1000)], 2, new Date(T + 2000), 'ann')).toBeNull();
  });

  it('refuses after a minute, saying when it was made and what to do instead', () => {
    expect(undoRefusal([decision(1, 'approve', T)], 1, new Date(T + 60_000), 'ann')).toBe(
      'too late to undo: the approval was made at 2026-12-01T09:00:00.000Z, more than 60 seconds ago. Open the story and use Reopen to make it a candidate again',
    );
  });

  it('refuses a decision that is no longer the latest, another story\'s, or a snooze', () => {
    expect(undoRefusal([decision(1, 'approve', T), decision(2, 'reopen', T + 1000)], 1, new Date(T + 2000), 'ann')).toMatch(/^the story was decided again since \(reopen by ann at /);
    expect(undoRefusal([decision(1, 'approve', T)], 9, new Date(T), 'ann')).toMatch(/^decision 9 is not one of this story's/);
    expect(undoRefusal([decision(1, 'snooze', T)], 1, new Date(T), 'ann')).toBe('only an approval or a rejection can be undone, not a snooze');
  });

  it("refuses another editor's decision: Undo is for one's own", () => {
    expect(undoRefusal([decision(1, 'approve', T)], 1, new Date(T + 1000), 'bob')).toBe('the approval was made by ann: only they can undo it. Open the story and use Reopen to make it a candidate again');
  });

  it('counts the seconds left down to zero', () => {
    expect(undoSecondsLeft(decision(1, 'approve', T), new Date(T + 15_500))).toBe(44);
    expect(undoSecondsLeft(decision(1, 'approve', T), new Date(T + 90_000))).toBe(0);
  });
});
