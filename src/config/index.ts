import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cron } from 'croner';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
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

/** One thing wrong with a config file, and where it is. */
export interface ConfigProblem {
  /** `feeds[2].url`, or the file's path for a YAML syntax error. */
  path: string;
  message: string;
  /** 1-based line and column in the config text; null when the problem has no place in it (a missing file). */
  line: number | null;
  column: number | null;
  /** The text of that line (at most 200 characters), to show under the message; null without a line. */
  source: string | null;
}

/**
 * The config, or every problem at once. `errors` are the problems as `path: message` lines (the
 * README's contract); `problems` the same with their places, in the order of the file. `warnings`
 * are things a valid config does that are likely not meant (a model named, with no key to call it).
 */
export type ConfigResult =
  | { config: Config; errors: []; problems: []; warnings: string[] }
  | { config: null; errors: string[]; problems: ConfigProblem[]; warnings: []; unread: ConfigUnread | null };

/** Why a config file could not be read at all (null: it was read, and is invalid). */
export type ConfigUnread = 'not_found' | 'unreadable';

const failed = (problems: ConfigProblem[], unread: ConfigUnread | null = null): ConfigResult => {
  // In the order of the file, so a list of problems reads from top to bottom (the unplaced first).
  const sorted = problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || (a.p.column ?? 0) - (b.p.column ?? 0) || a.i - b.i)
    .map(({ p }) => p);
  return { config: null, errors: sorted.map((p) => `${p.path}: ${p.message}`), problems: sorted, warnings: [], unread };
};

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
    const message =
      code === 'ENOENT' ? 'config file not found (pass --config PATH or set AIWINS_CONFIG)' : `cannot read config file (${code ?? String(err)})`;
    return failed([{ path, message, line: null, column: null, source: null }], code === 'ENOENT' ? 'not_found' : 'unreadable');
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
  const lines = new LineCounter();
  // yaml's default maxAliasCount stops alias bombs; uniqueKeys reports duplicate keys.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  const textLines = text.split(/\r?\n/);
  const at = (offset: number | undefined) => {
    if (offset === undefined) return { line: null, column: null, source: null };
    const { line, col } = lines.linePos(offset);
    return { line, column: col, source: (textLines[line - 1] ?? '').slice(0, 200) };
  };
  if (doc.errors.length > 0) {
    return failed(
      doc.errors.map((e) => {
        const place = at(e.pos[0]);
        return { path: 'YAML', message: `${e.code} at line ${place.line}, column ${place.column}: ${e.message}`, ...place };
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    return failed([{ path: where, message: (err as Error).message, line: null, column: null, source: null }]);
  }
  const problems: ConfigProblem[] = [];
  const problem = (path: readonly PropertyKey[], message: string, opts: { key?: string; at?: readonly PropertyKey[] } = {}) =>
    problems.push({ path: formatPath(path), message, ...at(offsetOf(doc, opts.at ?? path, opts.key)) });
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
      problem(issue.path, issueMessage(issue), { key: keys?.[0] });
    }
  }
  // The checks across keys run on what was written even when the schema found problems, so one
  // pass lists everything.
  for (const p of crossCheck(raw)) problem(p.path, p.message, { at: p.at });
  if (!parsed.success || problems.length > 0) return failed(problems);
  const file = parsed.data;

  const apiKey = env.OPENAI_API_KEY?.trim() || undefined;
  const base = path ? dirname(path) : process.cwd();
  const config: Config = {
    ...file,
    path,
    promptPath: file.llm.prompt ? resolve(base, file.llm.prompt) : BUNDLED_PROMPT_PATH,
    apiKey,
    llmConfigured: Boolean(file.llm.baseURL || apiKey),
  };
  const warnings: string[] = [];
  const namedModel = (raw as { llm?: { model?: unknown } }).llm?.model;
  if (typeof namedModel === 'string' && !config.llmConfigured) {
    warnings.push(
      `llm.model is ${file.llm.model} but OPENAI_API_KEY is not set: drafting with the offline extractive engine; set OPENAI_API_KEY (or llm.baseURL for a local server) to use the model`,
    );
  }
  return { config: deepFreeze(config), errors: [], problems: [], warnings };
}

/** A problem at `path`, found in the text at `at` (default: the path). */
type Problem = { path: readonly PropertyKey[]; message: string; at?: readonly PropertyKey[] };

/**
 * The checks that span keys (duplicate feed URLs, allow entries, a feed's category among
 * `categories`, the cron expression), on the raw YAML value: each looks only at the values of the
 * right type, so it runs beside the schema's own errors instead of after they are fixed.
 */
function crossCheck(raw: unknown): Problem[] {
  const out: Problem[] = [];
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : undefined);
  const top = obj(raw);
  const feeds = Array.isArray(top.feeds) ? top.feeds.map(obj) : [];
  const seen = new Map<string, number>();
  feeds.forEach((feed, i) => {
    const url = str(feed.url);
    if (!url) return;
    const first = seen.get(url);
    if (first !== undefined) out.push({ path: ['feeds', i, 'url'], message: `${url} is already feeds[${first}].url` });
    else seen.set(url, i);
  });
  const checkAllow = (entries: unknown, path: PropertyKey[]) => {
    (Array.isArray(entries) ? entries : []).forEach((entry, j) => {
      const text = str(entry);
      const problem = text === undefined ? null : allowEntryProblem(text);
      if (problem) out.push({ path, message: `"${text}" ${problem}`, at: [...path, j] });
    });
  };
  checkAllow(obj(top.network).allow, ['network', 'allow']);
  feeds.forEach((feed, i) => checkAllow(feed.allow, ['feeds', i, 'allow']));
  // Categories the schema refuses are reported there; a feed's category is checked against valid ones only.
  const categories = ConfigSchema.shape.categories.safeParse(top.categories);
  if (categories.success) {
    feeds.forEach((feed, i) => {
      const category = str(feed.category);
      if (category && !categories.data.includes(category)) {
        out.push({ path: ['feeds', i, 'category'], message: `"${category}" is not one of categories (${categories.data.join(', ')})` });
      }
    });
  }
  const cron = str(obj(top.schedule).cron);
  if (cron) {
    try {
      new Cron(cron, { paused: true }).stop();
    } catch (err) {
      out.push({ path: ['schedule', 'cron'], message: (err as Error).message });
    }
  }
  return out;
}

/**
 * Where `path` is in the YAML text: the start of its value, else of its key, else of the deepest
 * part of the path that exists (a missing key points at the object it is missing from). With
 * `key`, the start of that key inside the object at `path` (an unknown key).
 */
function offsetOf(doc: Document, path: readonly PropertyKey[], key?: string): number | undefined {
  let node: unknown = doc.contents;
  let offset = isNode(node) ? node.range?.[0] : undefined;
  for (const seg of key === undefined ? path : [...path, key]) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      const keyStart = isNode(pair.key) ? pair.key.range?.[0] : undefined;
      const valueStart = isNode(pair.value) ? pair.value.range?.[0] : undefined;
      // The unknown key itself, not its value.
      offset = seg === key && key !== undefined ? keyStart : (valueStart ?? keyStart ?? offset);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!isNode(item)) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
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
