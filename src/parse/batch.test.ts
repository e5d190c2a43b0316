import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runParseBatch, type BatchResult } from './batch.ts';

const fixturePath = (name: string) => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

async function runBatch(lines: string[]): Promise<BatchResult[]> {
  const input = new PassThrough();
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  input.end(lines.join('\n') + '\n');
  await runParseBatch(input, output);
  return chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as BatchResult);
}

describe('runParseBatch', () => {
  it('answers each request line in order, one JSON line each, bad lines included', async () => {
    const results = await runBatch([
      JSON.stringify({ file: fixturePath('atom10.xml'), url: 'https://atom.example/blog/feed.atom' }),
      'not json',
      JSON.stringify({ url: 'https://x.example/' }),
      JSON.stringify({ file: fixturePath('does-not-exist.xml'), url: null }),
      JSON.stringify({ file: fixturePath('not-a-feed.html'), url: null }),
      JSON.stringify({ file: fixturePath('rdf.xml') }),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, false, false, true]);
    expect(results[0]).toMatchObject({ format: 'atom', title: 'Atom Blog' });
    expect(results[0]!.items![0]).toEqual({
      title: 'Relative entry', link: 'https://atom.example/blog/posts/one.html', date: '2025-05-31T10:00:00.000Z', guid: 'urn:uuid:entry-1',
    });
    expect(results[1]!.error).toMatch(/not JSON/);
    expect(results[2]!.error).toMatch(/"file"/);
    expect(results[3]!.error).toMatch(/read failed/);
    expect(results[4]!.error).toMatch(/^parse\.not_a_feed/);
    expect(results[5]).toMatchObject({ format: 'rdf', file: fixturePath('rdf.xml') });
    for (const r of results) expect(typeof r.ms).toBe('number');
    expect(results[0]!.warnings).toEqual([]);
  });
});
