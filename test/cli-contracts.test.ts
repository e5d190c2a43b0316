import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/project.ts';

/** Runs `aiwins ARGS` with `input` on stdin; resolves with stdout lines and the exit code. */
function pipeCli(args: string[], input: string): Promise<{ code: number | null; lines: any[]; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'aiwins.js'), ...args], { cwd: ROOT });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stderr, lines: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) }));
    child.stdin.end(input);
  });
}

describe('line protocols other tools use', () => {
  it('aiwins extract --batch answers each request in order, errors included', async () => {
    const page = join(ROOT, 'src/extract/testdata/news-article/source.html');
    const input = [
      JSON.stringify({ id: 'ok', url: 'https://example.com/a', path: page }),
      JSON.stringify({ id: 'missing', url: 'https://example.com/b', path: '/no/such/file.html' }),
      'not json',
    ].join('\n');
    const r = await pipeCli(['extract', '--batch'], input + '\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.map((l) => l.id)).toEqual(['ok', 'missing', null]);
    expect(r.lines[0].title).toBeTruthy();
    expect(r.lines[0].text).toContain('\n\n');
    expect(r.lines[1].error).toBeTruthy();
    expect(r.lines[2].error).toBeTruthy();
  });

  it('aiwins parse --batch answers each request in order', async () => {
    const feed = join(ROOT, 'src/parse/testdata/rss2.xml');
    const input = [JSON.stringify({ file: feed, url: 'https://example.com/' }), JSON.stringify({ file: '/no/such.xml', url: null })].join('\n');
    const r = await pipeCli(['parse', '--batch'], input + '\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toHaveLength(2);
    expect(r.lines[0]).toMatchObject({ file: feed, ok: true, format: 'rss' });
    expect(r.lines[0].items.length).toBeGreaterThan(0);
    expect(Object.keys(r.lines[0].items[0]).sort()).toEqual(['date', 'guid', 'link', 'title']);
    expect(r.lines[1]).toMatchObject({ ok: false });
  });
});
