/**
 * What the CLI says when something is wrong, through the real CLI: usage errors exit 2 (the
 * parser's own too), a taken port, config problems all at once with their lines, a story that is
 * not in the database named, the offline engine announced, and redraft telling what happened.
 */
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { errorReply, startOpenAiServer, type OpenAiServer } from './helpers/openai-server.ts';
import { fixtureConfig, lastJsonLine, runCli, tempProject, type TempProject } from './helpers/project.ts';
import { seedStories } from './helpers/stories.ts';

let project: TempProject;
beforeEach(() => {
  project = tempProject();
});
afterEach(() => project.remove());

// Errors as people read them on a terminal (the log is JSON off a terminal by default).
const cli = (...args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, '--log-format', 'text', ...args]);

describe("the parser's own usage errors", () => {
  it('an unknown option and a missing required option exit 2, as aiwins\' own usage errors do', async () => {
    const unknown = await cli('stories', '--bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--bogus'/);
    const missing = await cli('reject', '1');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--reason <code>' not specified/);
    const unknownCommand = await cli('stoires');
    expect(unknownCommand.code).toBe(2);
    const badChoice = await cli('show', '1', '--format', 'pdf');
    expect(badChoice.code).toBe(2);
  });

  it('--help and --version exit 0', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: aiwins/);
    const sub = await cli('redraft', '--help');
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: aiwins redraft/);
    const version = await cli('--version');
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('a port that is taken', () => {
  let holder: Server;
  afterEach(() => new Promise<void>((done) => holder.close(() => done())));

  it('says so in a sentence, in text and in the JSON log, and exits 1', async () => {
    holder = createServer();
    const port = await new Promise<number>((ok) => holder.listen(0, '127.0.0.1', () => ok((holder.address() as { port: number }).port)));
    project.writeConfig('feeds: []\n');
    const text = await cli('serve', '--port', String(port));
    expect(text.code).toBe(1);
    expect(text.stderr).toBe(`aiwins: port ${port} is in use: choose another with --port\n`);
    const json = await runCli(['--config', project.configPath, '--db', project.dbPath, 'serve', '--port', String(port)]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr.trim())).toMatchObject({ level: 'error', msg: `port ${port} is in use: choose another with --port` });
  });
});

describe('config problems', () => {
  it('lists every problem in one pass, the category cross-check with the schema errors, each with its line and a caret', async () => {
    project.writeConfig(`feeds:
  - name: A
    url: ftp://a.example/feed
  - name: B
    url: https://b.example/feed
    category: Gossip
llm:
  modle: typo
`);
    const r = await cli('run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`aiwins: invalid config ${project.configPath}:\n`);
    expect(r.stderr).toContain(['  feeds[0].url: expected an http(s) URL', '     3 |     url: ftp://a.example/feed', '       |          ^'].join('\n'));
    expect(r.stderr).toMatch(/\n {2}feeds\[1\]\.category: "Gossip" is not one of categories \([^)]*\)\n {5}6 \| {5}category: Gossip\n {7}\| {15}\^\n/);
    expect(r.stderr).toContain(['  llm: unknown key "modle"', '     8 |   modle: typo', '       |   ^'].join('\n'));

    // The JSON log keeps the paths and messages, with each problem's line and column.
    const json = await runCli(['--config', project.configPath, '--db', project.dbPath, 'run']);
    const event = JSON.parse(json.stderr.trim().split('\n')[0]!);
    expect(event.errors).toEqual(['feeds[0].url: expected an http(s) URL', expect.stringMatching(/^feeds\[1\]\.category: "Gossip"/), 'llm: unknown key "modle"']);
    expect(event.problems.map((p: { line: number; column: number }) => [p.line, p.column])).toEqual([
      [3, 10],
      [6, 15],
      [8, 3],
    ]);
  });

  it('a YAML syntax error shows the line and a caret under the column, every one of them', async () => {
    project.writeConfig('feeds:\n  - name: A\n url: https://a.example/feed\nllm: { model: x\n');
    const r = await cli('run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n {2}YAML: BAD_INDENT at line 3, column 1: [^\n]+\n/);
    expect(r.stderr).toContain('     3 |  url: https://a.example/feed\n');
    expect(r.stderr).toMatch(/\n {7}\| +\^/);
    // The unclosed flow map further down is listed too, not only the first error.
    expect(r.stderr).toMatch(/at line [45], column \d+/);
  });
});

describe('a command that finds nothing', () => {
  it('names the database it looked in', async () => {
    const store = await openStore(project.dbPath);
    await store.close();
    const show = await cli('show', '999');
    expect(show.code).toBe(1);
    expect(show.stderr).toContain(`no story 999 in ${resolve(project.dbPath)}`);
    const issue = await cli('issue', 'show', '7');
    expect(issue.code).toBe(2);
    expect(issue.stderr).toContain(`no issue 7 in ${resolve(project.dbPath)}`);
  });
});

describe('a model named without a key', () => {
  it('warns once per run that drafts are offline, naming the variable to set', async () => {
    project.writeConfig('feeds: []\nllm:\n  model: gpt-4o\n');
    const r = await cli('run');
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('OPENAI_API_KEY'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/llm\.model is gpt-4o but OPENAI_API_KEY is not set/);
    // Nothing to say when the key is there, or when no model was named.
    project.writeConfig('feeds: []\n');
    expect((await cli('run')).stderr).not.toContain('OPENAI_API_KEY');
  });
});

describe('redraft says what happened', () => {
  let llm: OpenAiServer;
  let id: number;
  beforeEach(async () => {
    llm = await startOpenAiServer(() => errorReply(401, 'Incorrect API key provided', { code: 'invalid_api_key' }));
    const store = await openStore(project.dbPath);
    [id] = (await seedStories(store, [{}])) as [number];
    await store.close();
  });
  afterEach(() => llm.close());

  it('a refused key: its failure kind and message, exit 1, never "an editor decided on them"', async () => {
    project.writeConfig(fixtureConfig({ feeds: [{ name: 'X', url: 'https://feeds.example/x.xml' }], allow: [], llmBaseURL: llm.url }));
    const r = await cli('redraft', '--id', String(id), '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('llm.auth');
    expect(r.stderr).toContain('Incorrect API key provided');
    expect(r.stderr).not.toContain('an editor decided');
    expect(r.stderr).toMatch(new RegExp(`not redrafted, the redraft stopped first: ${id}`));
    expect(lastJsonLine(r.stdout)).toMatchObject({ status: 'failed', redrafted: 0, skipped: [], notReached: [id], stop: { kind: 'llm.auth' } });
  });

  it('an unreachable model server: the failure, and exit 1', async () => {
    const closed = await freePort();
    project.writeConfig(fixtureConfig({ feeds: [{ name: 'X', url: 'https://feeds.example/x.xml' }], allow: [], llmBaseURL: `http://127.0.0.1:${closed}/v1`, extra: '  maxRetries: 0\n' }));
    const r = await cli('redraft', '--id', String(id), '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`story ${id}: llm\\.\\w+: `));
    expect(r.stderr).not.toContain('an editor decided');
    expect(lastJsonLine(r.stdout)).toMatchObject({ redrafted: 0, failed: [{ id }] });
  });

  it('an unknown id is named as such, not as decided on', async () => {
    project.writeConfig(fixtureConfig({ feeds: [{ name: 'X', url: 'https://feeds.example/x.xml' }], allow: [], llmBaseURL: llm.url }));
    const r = await cli('redraft', '--id', '999');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no story 999 in ${resolve(project.dbPath)}`);
    expect(r.stderr).not.toContain('an editor decided');
    expect(llm.calls).toBe(0);
  });
});

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const s = createServer();
  const port = await new Promise<number>((ok) => s.listen(0, '127.0.0.1', () => ok((s.address() as { port: number }).port)));
  await new Promise<void>((done) => s.close(() => done()));
  return port;
}
