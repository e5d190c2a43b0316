/**
 * `npm run demo` leads to the desk: its closing lines give the commands that add an editor to the
 * demo's database and open the desk on it, and those exact commands work (run here from a fresh
 * folder, as a new user would from the checkout), ending with a login.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/project.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aiwins-demo-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command in `dir`; resolves with its output and exit code. */
function run(cmd: string, args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env = { ...process.env };
    for (const k of ['OPENAI_API_KEY', 'AIWINS_CONFIG', 'AIWINS_DB']) delete env[k];
    const child = spawn(cmd, args, { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** `npx aiwins ARGS` as printed, run through this checkout's CLI. */
function aiwinsArgs(line: string): string[] {
  const m = /npx aiwins (.*)$/.exec(line.trim());
  if (!m) throw new Error(`not an aiwins command: ${line}`);
  return m[1]!.split(/\s+/);
}

describe('npm run demo', () => {
  it('ends with the commands that add an editor and open the desk on the demo database, and they work', async () => {
    const demo = await run(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'demo.ts')]);
    expect(demo.code, demo.stderr).toBe(0);
    const lines = demo.stdout.trimEnd().split('\n');
    const addLine = lines.find((l) => l.includes('users add'))!;
    const serveLine = lines.find((l) => / serve$/.test(l))!;
    expect(addLine.trim()).toBe("printf '%s\\n' 'a long passphrase' | npx aiwins --db data/demo.db users add ann --password-stdin");
    expect(serveLine.trim()).toBe('npx aiwins --db data/demo.db --config data/demo.yaml serve');
    // Offline, it says what a model would add.
    expect(lines.at(-1)).toMatch(/^Re-draft .* needs a model: set OPENAI_API_KEY/);

    const cli = join(ROOT, 'bin', 'aiwins.js');
    const added = await run(process.execPath, [cli, ...aiwinsArgs(addLine.split('|')[1]!)], 'a long passphrase\n');
    expect(added.code, added.stderr).toBe(0);

    const desk = spawn(process.execPath, [cli, ...aiwinsArgs(serveLine), '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => desk.once('exit', (code) => done(code)));
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        desk.stdout!.on('data', (d) => {
          out += d;
          const m = /aiwins desk listening on (\S+)\n/.exec(out);
          if (m) ok(m[1]!);
        });
        desk.once('exit', (code) => fail(new Error(`serve exited ${code}`)));
      });
      const login = await fetch(url + '/login', {
        method: 'POST',
        body: new URLSearchParams({ username: 'ann', password: 'a long passphrase' }),
        headers: { origin: url },
        redirect: 'manual',
      });
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe('/');
    } finally {
      desk.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
