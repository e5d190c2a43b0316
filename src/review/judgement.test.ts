import { describe, expect, it } from 'vitest';
import { judgementOfEdit } from './judgement.ts';
import { isSetAside } from '../store/stories.ts';

const offline = { framing: { verdict: 'uncertain', recommendation: 'skip' }, judgement: null } as const;
const judged = { framing: offline.framing, judgement: { verdict: 'positive', recommendation: 'include', by: 'ann', at: new Date('2026-12-01T09:00:00Z') } } as const;

describe("judgementOfEdit: an edit's verdict and recommendation against the version edited", () => {
  it('records nothing when both fields keep the standing values, or are left out', () => {
    expect(judgementOfEdit(offline as any, { verdict: 'uncertain', recommendation: 'skip' })).toEqual({ ok: true, judgement: null });
    expect(judgementOfEdit(offline as any, {})).toEqual({ ok: true, judgement: null });
    // The standing values are an earlier editor's judgement, not the model's framing.
    expect(judgementOfEdit(judged as any, { verdict: 'positive', recommendation: 'include' })).toEqual({ ok: true, judgement: null });
  });

  it("records the editor's judgement when either changes; a field left out keeps its standing value", () => {
    expect(judgementOfEdit(offline as any, { verdict: 'positive', recommendation: 'include' })).toEqual({ ok: true, judgement: { verdict: 'positive', recommendation: 'include' } });
    expect(judgementOfEdit(judged as any, { recommendation: 'skip' })).toEqual({ ok: true, judgement: { verdict: 'positive', recommendation: 'skip' } });
    // Back to the model's values is a judgement too: the editor's word, on record.
    expect(judgementOfEdit(judged as any, { verdict: 'uncertain', recommendation: 'skip' })).toEqual({ ok: true, judgement: { verdict: 'uncertain', recommendation: 'skip' } });
  });

  it('refuses a pair the framing rubric forbids, and a verdict without a recommendation, naming the field', () => {
    expect(judgementOfEdit(offline as any, { verdict: 'uncertain', recommendation: 'include' })).toEqual({
      ok: false,
      message: 'recommendation: "include" is not allowed with the verdict "uncertain" (allowed: skip)',
    });
    expect(judgementOfEdit(offline as any, { verdict: 'positive' })).toEqual({ ok: true, judgement: { verdict: 'positive', recommendation: 'skip' } });
    expect(judgementOfEdit(judged as any, { verdict: 'not_ai' })).toEqual({ ok: false, message: 'recommendation: "include" is not allowed with the verdict "not_ai" (allowed: skip)' });
    const beforeRubric = { framing: { verdict: 'positive', recommendation: null }, judgement: null };
    expect(judgementOfEdit(beforeRubric as any, { verdict: 'positive' })).toEqual({ ok: true, judgement: null });
    expect(judgementOfEdit(beforeRubric as any, { verdict: 'mixed' })).toEqual({ ok: false, message: 'recommendation: required with a verdict (this draft has none)' });
  });
});

describe('isSetAside: which stories are listed after the ready candidates', () => {
  it('sets aside a skip, uncertain, not_ai or negative draft that is not approved', () => {
    expect(isSetAside('candidate', offline as any)).toBe(true);
    expect(isSetAside('rejected', offline as any)).toBe(true);
    expect(isSetAside('candidate', { framing: { verdict: 'positive', recommendation: 'skip' }, judgement: null } as any)).toBe(true);
    expect(isSetAside('candidate', { framing: { verdict: 'negative', recommendation: null }, judgement: null } as any)).toBe(true);
    expect(isSetAside('candidate', { framing: { verdict: 'positive', recommendation: 'include' }, judgement: null } as any)).toBe(false);
    expect(isSetAside('candidate', null)).toBe(false);
  });

  it('never sets aside an approved story', () => {
    expect(isSetAside('approved', offline as any)).toBe(false);
    expect(isSetAside('approved', { framing: { verdict: 'not_ai', recommendation: 'skip' }, judgement: null } as any)).toBe(false);
  });

  it("reads an editor's judgement over the model's framing", () => {
    expect(isSetAside('candidate', judged as any)).toBe(false);
    expect(isSetAside('candidate', { framing: { verdict: 'positive', recommendation: 'include' }, judgement: { verdict: 'mixed', recommendation: 'skip', by: 'ann', at: new Date() } } as any)).toBe(true);
  });
});
