import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFile, runExtractBatch, type BatchLine } from './batch.ts';

const story = (title: string): string =>
  `<!DOCTYPE html><html><head><title>${title}</title></head><body><article><h1>${title}</h1>${
    '<p>An ordinary paragraph of an ordinary article, long enough to be read as the story by anyone.</p>'.repeat(12)
  }</article></body></html>`;

describe('runExtractBatch', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'extract-batch-'));
    await writeFile(join(dir, 'a.html'), story('First story'));
    await writeFile(join(dir, 'deep.html'), `<html><body>${'<div>'.repeat(20_000)}x</body></html>`);
    await writeFile(join(dir, 'b.html'), story('Second story'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every request in order, one JSON line each, and goes on past bad items', async () => {
    const requests = [
      { id: 'a', url: 'https://news.example/a', path: join(dir, 'a.html') },
      { id: 'deep', url: 'https://news.example/deep', path: join(dir, 'deep.html') },
      'this is not JSON',
      { id: 'missing', url: 'https://news.example/m', path: join(dir, 'nope.html') },
      { id: 'b', url: 'https://news.example/b', path: join(dir, 'b.html') },
    ];
    const input = Readable.from(requests.map((r) => `${typeof r === 'string' ? r : JSON.stringify(r)}\n`));
    const output = new PassThrough();
    let written = '';
    output.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    const summary = await runExtractBatch(input, output, { workers: 2, timeoutMs: 10_000 });

    const lines = written.trimEnd().split('\n').map((l) => JSON.parse(l) as BatchLine);
    expect(lines.map((l) => l.id)).toEqual(['a', 'deep', null, 'missing', 'b']);
    expect(lines[0]).toMatchObject({ title: 'First story' });
    expect('text' in lines[0]! && lines[0].text.split('\n\n').length).toBeGreaterThan(5);
    expect(lines[1]).toMatchObject({ error: 'extract.too_large' });
    expect(lines[2]).toMatchObject({ error: 'internal' });
    expect(lines[3]).toMatchObject({ error: 'internal' });
    expect(lines[4]).toMatchObject({ title: 'Second story' });
    expect(summary).toEqual({ requests: 5, ok: 2, refused: 0, failed: 3 });
  });

  it('extracts a single saved page with its metadata', async () => {
    const result = await extractFile(join(dir, 'a.html'), 'https://news.example/a');
    expect(result.ok && result.value).toMatchObject({ title: 'First story', method: 'readability' });
  });
});
