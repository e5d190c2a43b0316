import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from './index.ts';
import { seedStories } from '../../test/helpers/stories.ts';

let dir: string;
let s: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aiwins-trials-'));
  s = await openStore(join(dir, 'a.db'));
});
afterEach(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const NOW = new Date('2026-12-01T09:00:00Z');
const PROMPT = { id: 'p', hash: 'h'.repeat(64), path: 'prompts/p.md' };

describe('trial results reused', () => {
  it('stay reusable however often one trial runs again (a cached copy replaces the paid answer in its own row)', async () => {
    const [item] = await seedStories(s, [{ title: 'Eye scans' }]);
    const trial = await s.trials.open('t', PROMPT, 'm', NOW);
    const paid = { draft: null, failure: { kind: 'llm.invalid_output', message: 'not JSON' }, inputTokens: 900, outputTokens: 40, latencyMs: 1200, cost: 0.01 };
    // The first run calls the model; every later run of the same trial reuses that answer.
    await s.trials.record(trial.id, item!, 'key', paid, false, NOW);
    for (let run = 2; run <= 4; run++) {
      const hit = await s.trials.cached('key');
      expect(hit, `run ${run}`).toMatchObject({ failure: paid.failure, inputTokens: 900, outputTokens: 40 });
      await s.trials.record(trial.id, item!, 'key', hit!, true, NOW);
    }
    expect((await s.trials.results(trial.id)).map((r) => r.fromCache)).toEqual([true]);
  });
});
