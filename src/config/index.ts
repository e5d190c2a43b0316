import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cron } from 'croner';
import { parseDocument } from 'yaml';
import { ConfigSchema, type ConfigFile } from './schema.ts';

export { ConfigSchema, DEFAULT_CATEGORIES, type ConfigFile, type FeedConfig, type NewsletterConfig } from './schema.ts';

/** The validated, frozen configuration, with the environment folded in. Passed in, never global. */
export interface Config extends ConfigFile {
  /** Absolute path of the config file (or null when built in code). */
  path: string | null;
  /** Absolute path of the prompt file. */
  promptPath: string;
  /** From OPENAI_API_KEY; never printed. */
  apiKey: string | undefined;
  /** True when a base URL or an API key is set: drafts use the LLM, else the extractive engine. */
  llmConfigured: boolean;
}

/**
 * The prompt that ships with aiwins, found from this module's own location (not the config's or
 * the working directory), so a config kept anywhere can use a model without copying the prompt.
 */
export const BUNDLED_PROMPT_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'prompts', 'draft-story.md');

export type ConfigResult = { config: Config; errors: [] } | { config: null; errors: string[] };

/** Formats a zod/yaml path the way people write it: `feeds[2].url`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

/** Reads and validates a config file, returning every problem at once with its path. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      config: null,
      errors: [
        code === 'ENOENT'
          ? `${path}: config file not found (pass --config PATH or set AIWINS_CONFIG)`
          : `${path}: cannot read config file (${code ?? String(err)})`,
      ],
    };
  }
  return parseConfig(text, env, resolve(path));
}

/** Validates config text. `path` anchors the relative paths the config sets (a prompt file). */
export function parseConfig(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
  path: string | null = null,
): ConfigResult {
  const where = path ?? 'config';
  // yaml's default maxAliasCount stops alias bombs; uniqueKeys reports duplicate keys.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      config: null,
      errors: doc.errors.map((e) => `${where}: YAML ${e.code}: ${e.message.split('\n')[0]}`),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    return { config: null, errors: [`${where}: ${(err as Error).message}`] };
  }
  const parsed = ConfigSchema.safeParse(raw);
  const errors: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push(`${formatPath(issue.path)}: ${issueMessage(issue)}`);
    }
    return { config: null, errors };
  }
  const file = parsed.data;
  const seen = new Map<string, number>();
  file.feeds.forEach((feed, i) => {
    const key = feed.url;
    const first = seen.get(key);
    if (first !== undefined) errors.push(`feeds[${i}].url: duplicate of feeds[${first}].url (${key})`);
    else seen.set(key, i);
  });
  const checkAllow = (entries: readonly string[], where: string) => {
    for (const entry of entries) {
      const problem = allowEntryProblem(entry);
      if (problem) errors.push(`${where}: "${entry}" ${problem}`);
    }
  };
  checkAllow(file.network.allow, 'network.allow');
  file.feeds.forEach((feed, i) => checkAllow(feed.allow ?? [], `feeds[${i}].allow`));
  file.feeds.forEach((feed, i) => {
    if (feed.category && !file.categories.includes(feed.category)) {
      errors.push(`feeds[${i}].category: "${feed.category}" is not one of categories (${file.categories.join(', ')})`);
    }
  });
  try {
    new Cron(file.schedule.cron, { paused: true }).stop();
  } catch (err) {
    errors.push(`schedule.cron: ${(err as Error).message}`);
  }
  if (errors.length > 0) return { config: null, errors };

  const apiKey = env.OPENAI_API_KEY?.trim() || undefined;
  const base = path ? dirname(path) : process.cwd();
  const config: Config = {
    ...file,
    path,
    promptPath: file.llm.prompt ? resolve(base, file.llm.prompt) : BUNDLED_PROMPT_PATH,
    apiKey,
    llmConfigured: Boolean(file.llm.baseURL || apiKey),
  };
  return { config: deepFreeze(config), errors: [] };
}

/** Why an allow entry is not `host`, `host:port`, `[ipv6]` or `[ipv6]:port`; null when it is. */
function allowEntryProblem(entry: string): string | null {
  if (/[/\s@?#]/.test(entry)) return 'must be a host or host:port, not a URL';
  const bracketed = /^\[[^\]]*\](?::(.*))?$/.exec(entry);
  const colons = entry.split(':').length - 1;
  const port = bracketed ? bracketed[1] : colons === 1 ? entry.split(':')[1] : undefined;
  if (port !== undefined && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) return 'has no valid port (1-65535)';
  return null;
}

function issueMessage(issue: { code: string; message: string; keys?: string[] }): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return issue.message;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
