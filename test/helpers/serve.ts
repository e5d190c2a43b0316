import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, type TempProject } from './project.ts';

/** A desk started as an editor starts it (`aiwins serve` on a free port), for the browser tests. */
export interface ServedDesk {
  url: string;
  process: ChildProcess;
  /** Stops the desk with SIGTERM and waits for it to exit. */
  stop(): Promise<void>;
}

/** Runs `aiwins serve --port 0` on the project's config and database (dbPath: a file, or a postgres:// URL); resolves once it listens. */
export function serveDesk(project: TempProject): Promise<ServedDesk> {
  const desk = spawn(process.execPath, [join(ROOT, 'bin', 'aiwins.js'), '--config', project.configPath, '--db', project.dbPath, 'serve', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OPENAI_API_KEY: undefined },
  });
  const stop = async () => {
    if (desk.exitCode !== null || desk.signalCode !== null) return;
    const exited = new Promise((r) => desk.once('exit', r));
    desk.kill('SIGTERM');
    await exited;
  };
  let err = '';
  desk.stderr!.on('data', (d) => (err += d));
  return new Promise((ok, fail) => {
    let out = '';
    desk.stdout!.on('data', (d) => {
      out += d;
      const m = /^aiwins desk listening on (http:\/\/127\.0\.0\.1:\d+)\n/m.exec(out);
      if (m) ok({ url: m[1]!, process: desk, stop });
    });
    desk.once('exit', (code) => fail(new Error(`aiwins serve exited ${code}: ${err}`)));
  });
}
