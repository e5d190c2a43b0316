import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { BUNDLED_PROMPT_PATH, parseConfig } from './index.ts';

const errorsOf = (yaml: string) => {
  const r = parseConfig(yaml, {});
  return r.config ? [] : r.errors;
};

describe('parseConfig', () => {
  it('fills every default and folds in the environment', () => {
    const r = parseConfig('feeds:\n  - name: A\n    url: https://a.example/feed\n', { OPENAI_API_KEY: ' sk-test ' });
    expect(r.errors).toEqual([]);
    const c = r.config!;
    expect(c.llm).toMatchObject({ model: 'gpt-4o-mini', concurrency: 4, retryAfterCapSeconds: 60 });
    expect(c.network).toMatchObject({ allow: [], allowedPorts: [80, 443], perHostConcurrency: 1, respectRobots: true });
    expect(c.categories).toContain('Health');
    expect(c.apiKey).toBe('sk-test');
    expect(c.llmConfigured).toBe(true);
    expect(Object.isFrozen(c.llm)).toBe(true);
  });

  it('is offline (extractive engine) with neither base URL nor key', () => {
    expect(parseConfig('feeds: []\n', {}).config!.llmConfigured).toBe(false);
    expect(parseConfig('llm:\n  baseURL: http://127.0.0.1:11434/v1\n', {}).config!.llmConfigured).toBe(true);
  });

  it('lists every problem at once, each with its path', () => {
    const errors = errorsOf(`feeds:
  - name: A
    url: https://a.example/feed
  - name: B
    url: ftp://b.example/feed
  - name: C
    url: https://a.example/feed
  - url: https://d.example/feed
    colour: red
llm:
  concurrency: 0
network:
  allow: ["http://127.0.0.1:8080/"]
`);
    expect(errors).toEqual(
      expect.arrayContaining([
        'feeds[1].url: expected an http(s) URL',
        expect.stringMatching(/^feeds\[3\]\.name: /),
        'feeds[3]: unknown key "colour"',
        expect.stringMatching(/^llm\.concurrency: /),
      ]),
    );
  });

  it('takes llm.contextTokens as a whole number of tokens, unset by default', () => {
    expect(parseConfig('feeds: []\n', {}).config!.llm.contextTokens).toBeUndefined();
    expect(parseConfig('llm:\n  contextTokens: 16384\n', {}).config!.llm.contextTokens).toBe(16384);
    expect(errorsOf('llm:\n  contextTokens: 512\n')).toEqual([expect.stringMatching(/^llm\.contextTokens: /)]);
    expect(errorsOf('llm:\n  contextTokens: 8k\n')).toEqual([expect.stringMatching(/^llm\.contextTokens: /)]);
  });

  it('takes llm.maxTokensPerRun and llm.maxTokensPerDay as whole positive numbers of tokens, unset by default', () => {
    const none = parseConfig('feeds: []\n', {}).config!.llm;
    expect([none.maxTokensPerRun, none.maxTokensPerDay]).toEqual([undefined, undefined]);
    const set = parseConfig('llm:\n  maxTokensPerRun: 50000\n  maxTokensPerDay: 2000000\n', {}).config!.llm;
    expect([set.maxTokensPerRun, set.maxTokensPerDay]).toEqual([50_000, 2_000_000]);
    expect(errorsOf('llm:\n  maxTokensPerRun: 0\n  maxTokensPerDay: 1.5\n')).toEqual([
      expect.stringMatching(/^llm\.maxTokensPerRun: /),
      expect.stringMatching(/^llm\.maxTokensPerDay: /),
    ]);
    expect(errorsOf('llm:\n  maxTokensPerDay: lots\n')).toEqual([expect.stringMatching(/^llm\.maxTokensPerDay: /)]);
  });

  it('reports duplicates, URL-shaped allow entries, categories and cron separately after the schema passes', () => {
    expect(errorsOf('feeds:\n  - {name: A, url: "https://a.example/f"}\n  - {name: B, url: "https://a.example/f"}\n')).toEqual([
      'feeds[1].url: https://a.example/f is already feeds[0].url',
    ]);
    expect(errorsOf('network:\n  allow: ["http://x/"]\n')[0]).toMatch(/^network\.allow: /);
    expect(errorsOf('feeds:\n  - {name: A, url: "https://a.example/f", category: Sports}\n')[0]).toMatch(/^feeds\[0\]\.category: "Sports" is not one of/);
    expect(errorsOf('schedule:\n  cron: "every day"\n')[0]).toMatch(/^schedule\.cron: /);
  });

  it('checks allow entries, global and per feed: a host or host:port with a real port', () => {
    const ok = parseConfig(
      'network:\n  allow: ["feeds.internal", "10.0.0.5:8080", "[::1]:9000", "::1"]\nfeeds:\n  - {name: A, url: "http://10.0.0.9/f", allow: ["10.0.0.9"]}\n',
      {},
    );
    expect(ok.errors).toEqual([]);
    expect(ok.config!.feeds[0]!.allow).toEqual(['10.0.0.9']);
    expect(errorsOf('network:\n  allow: ["host:abc", "host:0", "[::1]:70000", "user@host"]\n')).toEqual([
      'network.allow: "host:abc" has no valid port (1-65535)',
      'network.allow: "host:0" has no valid port (1-65535)',
      'network.allow: "[::1]:70000" has no valid port (1-65535)',
      'network.allow: "user@host" must be a host or host:port, not a URL',
    ]);
    expect(errorsOf('feeds:\n  - {name: A, url: "http://a/f", allow: ["http://a/"]}\n')).toEqual([
      'feeds[0].allow: "http://a/" must be a host or host:port, not a URL',
    ]);
  });

  it('uses the prompt that ships with aiwins unless the config names one, relative to the config file', () => {
    const bundled = parseConfig('llm:\n  baseURL: http://127.0.0.1:11434/v1\n', {}, '/srv/aiwins/feeds.yaml').config!;
    expect(bundled.promptPath).toBe(BUNDLED_PROMPT_PATH);
    expect(existsSync(bundled.promptPath)).toBe(true);
    expect(parseConfig('llm:\n  prompt: prompts/mine.md\n', {}, '/srv/aiwins/feeds.yaml').config!.promptPath).toBe('/srv/aiwins/prompts/mine.md');
  });

  it('refuses YAML syntax errors, duplicate keys and alias bombs with a message, never a crash', () => {
    expect(errorsOf('feeds: [\n')[0]).toMatch(/YAML/);
    expect(errorsOf('llm:\n  model: a\n  model: b\n')[0]).toMatch(/YAML/);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    expect(errorsOf(bomb.join('\n')).length).toBeGreaterThan(0);
  });
});

describe('parseConfig: every problem in one pass, with its place', () => {
  it('checks categories, duplicates and cron beside the schema errors, in the order of the file, each with line, column and text', () => {
    const r = parseConfig(`feeds:
  - name: A
    url: ftp://a.example/feed
  - name: B
    url: https://b.example/feed
    category: Gossip
  - name: C
    url: https://b.example/feed
schedule:
  cron: "every day"
network:
  allow: ["ok.example", "http://bad/"]
llm:
  modle: typo
`, {});
    expect(r.config).toBeNull();
    expect(r.problems.map((p) => [p.path, p.line, p.column])).toEqual([
      ['feeds[0].url', 3, 10],
      ['feeds[1].category', 6, 15],
      ['feeds[2].url', 8, 10],
      ['schedule.cron', 10, 9],
      ['network.allow', 12, 25],
      ['llm', 14, 3],
    ]);
    expect(r.errors[2]).toBe('feeds[2].url: https://b.example/feed is already feeds[1].url');
    expect(r.problems[1]!.source).toBe('    category: Gossip');
  });

  it('a missing key points at the object it is missing from', () => {
    const r = parseConfig('feeds:\n  - url: https://a.example/feed\n', {});
    expect(r.problems).toEqual([expect.objectContaining({ path: 'feeds[0].name', line: 2, column: 5 })]);
  });

  it('lists every YAML syntax error with its line and column', () => {
    const r = parseConfig('feeds:\n  - name: A\n url: https://a.example/feed\nllm: { model: x\n', {});
    expect(r.problems.map((p) => [p.path, p.line, p.column])).toEqual([
      ['YAML', 3, 1],
      ['YAML', 5, 1],
    ]);
    expect(r.errors[0]).toBe('YAML: BAD_INDENT at line 3, column 1: All mapping items must start at the same column');
    expect(r.problems[0]!.source).toBe(' url: https://a.example/feed');
  });

  it('warns when llm.model is named but neither a key nor a base URL is there to call it', () => {
    const warned = parseConfig('llm:\n  model: gpt-4o\n', {});
    expect(warned.warnings).toEqual([expect.stringMatching(/^llm\.model is gpt-4o but OPENAI_API_KEY is not set: drafting with the offline extractive engine/)]);
    expect(parseConfig('llm:\n  model: gpt-4o\n', { OPENAI_API_KEY: 'sk-x' }).warnings).toEqual([]);
    expect(parseConfig('llm:\n  model: llama3\n  baseURL: http://127.0.0.1:11434/v1\n', {}).warnings).toEqual([]);
    expect(parseConfig('feeds: []\n', {}).warnings).toEqual([]);
  });
});
