import { describe, expect, it } from 'vitest';
import { costPhrase, provenance, type DraftOrigin } from './provenance.ts';

const draft: DraftOrigin = {
  engine: 'llm',
  model: 'gpt-4o-mini-2024-07-18',
  prompt: { id: 'draft', hash: '0123456789abcdef' },
  inputTokens: 1000,
  outputTokens: 250,
  origin: 'model',
  editedBy: null,
};
const pricing = { 'gpt-4o-mini': { input: 0.5, output: 6 } };

describe('provenance', () => {
  it('a model-made draft: engine, model, prompt, tokens, and its cost priced as the configured model when the reported name has no price', () => {
    const p = provenance(draft, { pricing, model: 'gpt-4o-mini' });
    expect(p).toEqual({
      engine: 'llm',
      model: 'gpt-4o-mini-2024-07-18',
      prompt: { id: 'draft', hash: '0123456789abcdef' },
      inputTokens: 1000,
      outputTokens: 250,
      editedBy: null,
      cost: { estimated: 0.002, model: 'gpt-4o-mini' },
    });
    expect(costPhrase(p.cost!)).toBe('cost est. $0.0020');
  });

  it('the reported model is priced first', () => {
    const p = provenance(draft, { pricing: { ...pricing, 'gpt-4o-mini-2024-07-18': { input: 1, output: 2 } }, model: 'gpt-4o-mini' });
    expect(p.cost!.estimated).toBeCloseTo(0.0015);
  });

  it('without a price the cost is unknown, naming the model, never 0', () => {
    expect(costPhrase(provenance(draft, { pricing: {}, model: 'gpt-4o-mini' }).cost!)).toBe('cost unknown (no llm.pricing for gpt-4o-mini)');
    expect(costPhrase(provenance({ ...draft, model: null }, { pricing: {}, model: null }).cost!)).toBe('cost unknown (no llm.pricing for the model)');
  });

  it("an editor's version and an offline draft called no model: no cost", () => {
    const edited = provenance({ ...draft, origin: 'editor', editedBy: 'ann' }, { pricing, model: 'gpt-4o-mini' });
    expect(edited).toMatchObject({ editedBy: 'ann', inputTokens: 1000, cost: null });
    expect(provenance({ ...draft, engine: 'extractive', model: null }, { pricing, model: 'gpt-4o-mini' }).cost).toBeNull();
  });
});
