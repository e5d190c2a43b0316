import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { promptfooCommand, promptfooExport, promptfooFor } from './promptfoo.ts';

describe('promptfooFor: the promptfoo release that runs on a Node version', () => {
  it('is the latest from Node 22.22 on, 0.121.20 on Node 20.20 to 22.21', () => {
    expect(promptfooFor('24.1.0')).toEqual({ spec: 'promptfoo@latest', note: null });
    expect(promptfooFor('22.22.0')).toEqual({ spec: 'promptfoo@latest', note: null });
    expect(promptfooFor('v23.0.0')).toEqual({ spec: 'promptfoo@latest', note: null });
    expect(promptfooFor('22.21.1')).toEqual({ spec: 'promptfoo@0.121.20', note: null });
    expect(promptfooFor('20.20.2')).toEqual({ spec: 'promptfoo@0.121.20', note: null });
  });
  it('says to update a Node older than 20.20, which no promptfoo release supports', () => {
    expect(promptfooFor('20.19.5')).toEqual({ spec: 'promptfoo@0.121.20', note: expect.stringMatching(/Node 20\.20 or later \(this is Node 20\.19\.5\)/) });
  });
  it('runs eval, then the viewer even when eval exits 100 because a test failed', () => {
    expect(promptfooCommand('promptfoo@0.121.20', 'a b/promptfooconfig.yaml')).toBe('npx promptfoo@0.121.20 eval -c a b/promptfooconfig.yaml; npx promptfoo@0.121.20 view');
  });
});

describe('promptfooExport', () => {
  const exported = promptfooExport({
    setName: 'gold',
    setDir: '/home/ed/news/prompts/evals/gold',
    outDir: '/home/ed/news/prompts/evals/gold/promptfoo',
    stories: [{ id: 7, title: 'T' }],
    labels: [{ storyId: 7, decision: 'approve', reason: null, approved: null }],
    prompts: [
      { path: '/home/ed/news/prompts/draft-story.md', id: 'draft', hash: '0123456789abcdef' },
      { path: '/home/ed/news/prompts/evals/gold/try.md', id: 'draft', hash: 'fedcba9876543210' },
    ],
    aiwinsBin: '/home/ed/news/node_modules/aiwins/bin/aiwins.js',
    configPath: '/home/ed/news/feeds.yaml',
  });
  const config = parse(exported.files['promptfooconfig.yaml']!);

  it('gives each provider its own trial and label in its config, since promptfoo gives them all the file path as id', () => {
    expect(config.providers.map((p: any) => [p.id, p.label, p.config.label, p.config.trial])).toEqual([
      ['file://provider.mjs', 'draft 01234567', 'draft 01234567', 'promptfoo-1-01234567'],
      ['file://provider.mjs', 'draft fedcba98', 'draft fedcba98', 'promptfoo-2-fedcba98'],
    ]);
  });

  it('writes paths relative to the folder it is written to, so the set runs wherever it is checked out', () => {
    expect(config.providers[0].config).toMatchObject({ promptFile: '../../../draft-story.md', set: '..', config: '../../../../feeds.yaml', aiwins: '../../../../node_modules/aiwins/bin/aiwins.js' });
    expect(config.providers[1].config.promptFile).toBe('../try.md');
    expect(exported.files['promptfooconfig.yaml']).not.toContain('/home/ed');
  });
});
