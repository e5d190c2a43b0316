/**
 * `aiwins extract` through the real CLI, as a harness or an interactive tool drives it: requests are
 * sent one at a time on a stdin that stays open, and each answer is awaited before the next request.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/project.ts';

const story = (title: string): string =>
  `<!DOCTYPE html><html><head><title>${title}</title></head><body><article><h1>${title}</h1>${
    '<p>An ordinary paragraph of an ordinary article, long enough to be read as the story by anyone.</p>'.repeat(12)
  }</article></body></html>`;

/** A running `aiwins extract --batch` whose answers are read one line at a time. */
interface BatchChild {
  child: ChildProcessWithoutNullStreams;
  send(request: object): void;
  /** The next answer line, parsed; rejects if the process ends first. */
  next(): Promise<any>;
  stderr(): string;
}

function startBatch(): BatchChild {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'aiwins.js'), 'extract', '--batch'], { cwd: ROOT });
  let buffered = '';
  let stderr = '';
  let ended = false;
  const waiting: Array<{ resolve: (line: any) => void; reject: (err: Error) => void }> = [];
  const lines: string[] = [];
  const deliver = (): void => {
    while (waiting.length > 0 && lines.length > 0) waiting.shift()!.resolve(JSON.parse(lines.shift()!));
    if (ended) for (const w of waiting.splice(0)) w.reject(new Error(`aiwins exited before answering; stderr: ${stderr}`));
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let at: number;
    while ((at = buffered.indexOf('\n')) !== -1) {
      lines.push(buffered.slice(0, at));
      buffered = buffered.slice(at + 1);
    }
    deliver();
  });
  child.stderr.on('data', (d) => (stderr += d));
  child.on('close', () => {
    ended = true;
    deliver();
  });
  return {
    child,
    send: (request) => child.stdin.write(`${JSON.stringify(request)}\n`),
    next: () =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        deliver();
      }),
    stderr: () => stderr,
  };
}

describe('aiwins extract --batch, interactively', () => {
  let dir: string;
  let running: BatchChild | null = null;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aiwins-extract-cli-'));
    writeFileSync(join(dir, 'a.html'), story('First story'));
    writeFileSync(join(dir, 'b.html'), story('Second story'));
  });
  afterEach(() => {
    running?.child.kill();
    running = null;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a request while stdin stays open, then the next one', async () => {
    running = startBatch();
    running.send({ id: 'a', url: 'https://news.example/a', path: join(dir, 'a.html') });
    // Before the fix this waited for more input (a full window or end of input) and never came.
    expect(await running.next()).toMatchObject({ id: 'a', title: 'First story' });
    running.send({ id: 'b', url: 'https://news.example/b', path: join(dir, 'b.html') });
    expect(await running.next()).toMatchObject({ id: 'b', title: 'Second story' });
    running.child.stdin.end();
    const code = await new Promise((resolve) => running!.child.once('exit', resolve));
    expect(code, running.stderr()).toBe(0);
  });

  it.skipIf(process.platform === 'win32')('keeps input order when a slow request precedes a fast one', async () => {
    // The slow page is a named pipe: reading it waits until the test writes the page into it, so the
    // fast request behind it is done first, whatever the machine's load.
    const fifo = join(dir, 'slow.html');
    execFileSync('mkfifo', [fifo]);
    running = startBatch();
    running.send({ id: 'slow', url: 'https://news.example/slow', path: fifo });
    running.send({ id: 'fast', url: 'https://news.example/fast', path: join(dir, 'b.html') });
    const first = running.next();
    const second = running.next();
    await writeFile(fifo, story('Slow story'));
    expect(await first).toMatchObject({ id: 'slow', title: 'Slow story' });
    expect(await second).toMatchObject({ id: 'fast', title: 'Second story' });
  });
});
