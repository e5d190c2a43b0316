/**
 * The one way the CLI loads its config. The config module (yaml, zod) is imported here, on the
 * first load, so `--help` and the commands that need no config never pay for it.
 */
import type { Config, ConfigProblem } from '../config/index.ts';

/**
 * Why there is no config: the file is not there (commands that only read use defaults then), it
 * could not be read, or it is invalid. `errors` are the README's `path: message` lines, `problems`
 * the same with their places.
 */
export interface CliConfigFailure {
  kind: 'config.not_found' | 'config.unreadable' | 'config.invalid';
  message: string;
  errors: string[];
  problems: ConfigProblem[];
}

export type CliConfigResult = { ok: true; config: Config; warnings: string[] } | { ok: false; failure: CliConfigFailure };

/** Loads and validates the config at `path`: the config and its warnings, or a typed failure. */
export async function loadCliConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<CliConfigResult> {
  const { loadConfig } = await import('../config/index.ts');
  const loaded = loadConfig(path, env);
  if (loaded.config) return { ok: true, config: loaded.config, warnings: loaded.warnings };
  const kind = loaded.unread === 'not_found' ? 'config.not_found' : loaded.unread === 'unreadable' ? 'config.unreadable' : 'config.invalid';
  return { ok: false, failure: { kind, message: loaded.errors.join('; '), errors: loaded.errors, problems: loaded.problems } };
}
