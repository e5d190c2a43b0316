import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.ts';
import { listenProblem } from '../review/server.ts';
import { configProblemsJson, formatConfigProblems } from './output.ts';

describe('formatConfigProblems', () => {
  it('shows each problem with its line and a caret, secrets in URLs on that line hidden', () => {
    const secret = 'https://ann:hunter2@a.example/feed?token=s3cret';
    const r = parseConfig(`feeds:\n  - name: A\n    url: ${secret}\n    category: Gossip\n  - name: B\n    url: ${secret}\n`, {});
    const text = formatConfigProblems(r.problems);
    expect(text).toContain('  feeds[1].url: https://***@a.example/feed?token=REDACTED is already feeds[0].url\n     6 |     url: https://***@a.example/feed?token=REDACTED\n');
    expect(text).toContain('  feeds[0].category: "Gossip" is not one of categories');
    expect(text).toContain('     4 |     category: Gossip\n       |               ^');
    expect(text).not.toMatch(/hunter2|s3cret/);
    expect(JSON.stringify(configProblemsJson(r.problems))).not.toMatch(/hunter2|s3cret/);
  });

  it('keeps tabs under the caret, and a problem with no place is its line alone', () => {
    const text = formatConfigProblems([
      { path: 'llm.model', message: 'bad', line: 12, column: 4, source: '\t\tx: y' },
      { path: 'feeds.yaml', message: 'config file not found', line: null, column: null, source: null },
    ]);
    expect(text).toBe('  llm.model: bad\n    12 | \t\tx: y\n       | \t\t ^\n  feeds.yaml: config file not found');
  });
});

describe('listenProblem', () => {
  it('names a taken port, a privileged one and a foreign host in a sentence that says what to change', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(listenProblem(err('EADDRINUSE'), '127.0.0.1', 8080).message).toBe('port 8080 is in use: choose another with --port');
    expect(listenProblem(err('EACCES'), '127.0.0.1', 80).message).toMatch(/^port 80 needs privileges .*--port$/);
    expect(listenProblem(err('EADDRNOTAVAIL'), '10.9.9.9', 8080).message).toBe('10.9.9.9 is not an address of this machine: check --host');
    expect(listenProblem(err('EMFILE'), '127.0.0.1', 8080).message).toBe('cannot listen on 127.0.0.1:8080: EMFILE');
  });
});
