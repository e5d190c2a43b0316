/**
 * Prompt files: YAML front matter plus a template, loaded at run time so editors can change the
 * wording without a release, and hashed so every draft says which prompt wrote it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decode, encode, setMergeCacheSize } from 'gpt-tokenizer';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fail, ok, type Outcome } from '../core/failure.ts';
import type { DraftInput } from '../core/types.ts';

// The tokenizer memoizes each word's tokens, 100,000 words by default (~15 MB held for the whole run);
// the words of news text repeat enough that a tenth keeps most of the speed. Shared with llm.ts's counts.
setMergeCacheSize(10_000);

/** A loaded prompt file. */
export interface Prompt {
  id: string;
  /** What this prompt version changes, for people comparing trials; empty when not given. */
  description: string;
  /** sha256 hex of the file content, first 16 chars. */
  hash: string;
  schemaName: string;
  /** Default model, used when the settings name none. */
  model: string | null;
  /** null: leave it to the server. */
  temperature: number | null;
  maxOutputTokens: number;
  /** The article's token budget for this prompt; null: llm.maxInputTokens decides. */
  maxInputTokens: number | null;
  template: string;
  path: string;
}

export type ChatMessage = { role: 'system' | 'user'; content: string };

/** sha256 hex, first 16 chars: the content hash recorded on drafts. */
export const hash16 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

const PLACEHOLDERS = ['title', 'url', 'site', 'feed', 'categories', 'article', 'boundary'] as const;
const PLACEHOLDER_RE = /\{\{\s*([a-zA-Z_]+)\s*\}\}/g;
/** Splits the template into chat messages; without markers the whole template is one user message. */
const ROLE_MARKER_RE = /^<!--\s*role:\s*(system|user)\s*-->\s*$/gm;

const FrontMatter = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"'),
    description: z.string().max(500).nullish(),
    schema: z.literal('draft_story'),
    model: z.string().min(1).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    max_output_tokens: z.number().int().min(64).max(32_000).default(1500),
    max_input_tokens: z.number().int().min(200).max(200_000).nullish(),
  })
  .strict();

const EXPECTED_FORMAT = [
  '---',
  'id: draft-story-v1          # required',
  'description: what changed   # optional',
  'schema: draft_story         # required',
  'model: gpt-4o-mini          # optional default model',
  'temperature: 0.2            # optional',
  'max_output_tokens: 1500     # optional',
  'max_input_tokens: 6000      # optional article budget (else llm.maxInputTokens)',
  '---',
  '<!-- role: system -->',
  '...instructions...',
  '<!-- role: user -->',
  '...{{categories}}... {{article}} (required, once)',
].join('\n');

function invalid(path: string, problem: string, content: string): Outcome<Prompt> {
  const excerpt = content.slice(0, 300).replace(/\n/g, '\n  | ');
  return fail(
    'prompt.invalid',
    `${path}: ${problem}\nExpected format:\n${EXPECTED_FORMAT}\nFile starts with:\n  | ${excerpt}`,
  );
}

/** Reads and validates a prompt file; errors show the expected format and an excerpt of the file. */
export function loadPrompt(path: string): Outcome<Prompt> {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    return fail('prompt.invalid', `${path}: cannot read the prompt file (${(err as Error).message})`);
  }
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/.exec(content);
  if (!m) return invalid(path, 'missing YAML front matter (a first line "---", the keys, then "---")', content);
  let meta: unknown;
  try {
    meta = parseYaml(m[1]!);
  } catch (err) {
    return invalid(path, `front matter is not valid YAML: ${(err as Error).message.split('\n')[0]}`, content);
  }
  const parsed = FrontMatter.safeParse(meta ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'front matter'}: ${i.message}`);
    return invalid(path, `invalid front matter: ${problems.join('; ')}`, content);
  }
  const template = m[2]!.trim();
  // Every problem of the template at once, so one edit fixes them all.
  const problems: string[] = [];
  const unknown = [...template.matchAll(PLACEHOLDER_RE)]
    .map((x) => x[1]!)
    .filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    problems.push(`unknown placeholder(s) {{${unknown.join('}}, {{')}}}; known: ${PLACEHOLDERS.join(', ')}`);
  }
  const articleCount = [...template.matchAll(PLACEHOLDER_RE)].filter((x) => x[1] === 'article').length;
  if (articleCount !== 1) {
    problems.push(`the template must contain {{article}} exactly once (found ${articleCount})`);
  }
  if (problems.length > 0) return invalid(path, problems.join('; '), content);
  const fm = parsed.data;
  return ok({
    id: fm.id,
    description: fm.description ?? '',
    hash: hash16(content),
    schemaName: fm.schema,
    model: fm.model ?? null,
    temperature: fm.temperature ?? null,
    maxOutputTokens: fm.max_output_tokens,
    maxInputTokens: fm.max_input_tokens ?? null,
    template,
    path,
  });
}

/** Cuts text to at most `maxTokens` tokens, at a word boundary when one is near. */
export function truncateToTokens(text: string, maxTokens: number): { text: string; tokens: number; truncated: boolean } {
  const tokens = encode(text);
  if (tokens.length <= maxTokens) return { text, tokens: tokens.length, truncated: false };
  let cut = decode(tokens.slice(0, Math.max(0, maxTokens))).replace(/\uFFFD+$/, '');
  const lastSpace = cut.search(/\s\S*$/);
  if (lastSpace > cut.length - 200 && lastSpace > 0) cut = cut.slice(0, lastSpace);
  cut = cut.trimEnd();
  return { text: cut, tokens: encode(cut).length, truncated: true };
}

/** Untrusted one-line values (titles, URLs) cannot start a new line inside the data block. */
const oneLine = (s: string | null, max = 500): string => (s ?? '').replace(/\s+/g, ' ').trim().slice(0, max);

/** A fresh boundary per request, so an article quoting an old one cannot close the block. */
function newBoundary(untrusted: string): string {
  for (;;) {
    const b = randomBytes(12).toString('hex');
    if (!untrusted.includes(b)) return b;
  }
}

/** The delimited data block; its format is fixed in code so no prompt edit can weaken it. */
export function articleBlock(input: DraftInput, text: string, truncated: boolean, boundary: string): string {
  return [
    `<<<UNTRUSTED_ARTICLE boundary=${boundary}>>>`,
    `Title: ${oneLine(input.title)}`,
    `URL: ${oneLine(input.url, 2000)}`,
    `Site: ${oneLine(input.siteName) || 'unknown'}`,
    `Feed: ${oneLine(input.feedName) || 'unknown'}`,
    `Truncated: ${truncated ? 'yes, only the beginning of the article is included' : 'no'}`,
    'Text:',
    text,
    `<<<END_UNTRUSTED_ARTICLE boundary=${boundary}>>>`,
  ].join('\n');
}

/** The rendered request: messages, plus what the drafter needs to check the answer. */
export interface RenderedPrompt {
  messages: ChatMessage[];
  inputTruncated: boolean;
  articleTokens: number;
  /** The article text exactly as the model saw it (after truncation), for the grounding check. */
  articleText: string;
  boundary: string;
}

/** Fills the template: the article goes in as a delimited, untrusted block cut to `maxInputTokens`. */
export function renderPrompt(prompt: Prompt, input: DraftInput, categories: string[], maxInputTokens: number): RenderedPrompt {
  const cut = truncateToTokens(input.text, maxInputTokens);
  const boundary = newBoundary(`${input.title}\n${input.url}\n${input.siteName}\n${input.feedName}\n${cut.text}`);
  const values: Record<(typeof PLACEHOLDERS)[number], string> = {
    title: oneLine(input.title),
    url: oneLine(input.url, 2000),
    site: oneLine(input.siteName) || 'unknown',
    feed: oneLine(input.feedName) || 'unknown',
    categories: categories.map((c) => `- ${c}`).join('\n'),
    article: articleBlock(input, cut.text, cut.truncated, boundary),
    boundary,
  };
  const fill = (part: string) =>
    // One pass: text inserted for a placeholder is never scanned again, so an article containing "{{boundary}}" stays literal.
    part.replace(PLACEHOLDER_RE, (_, name: string) => values[name as keyof typeof values]);
  const messages: ChatMessage[] = [];
  const markers = [...prompt.template.matchAll(ROLE_MARKER_RE)];
  if (markers.length === 0) {
    messages.push({ role: 'user', content: fill(prompt.template) });
  } else {
    const preamble = prompt.template.slice(0, markers[0]!.index).trim();
    if (preamble) messages.push({ role: 'system', content: fill(preamble) });
    markers.forEach((mk, i) => {
      const end = i + 1 < markers.length ? markers[i + 1]!.index : prompt.template.length;
      const body = prompt.template.slice(mk.index! + mk[0].length, end).trim();
      if (body) messages.push({ role: mk[1] as 'system' | 'user', content: fill(body) });
    });
  }
  return { messages, inputTruncated: cut.truncated, articleTokens: cut.tokens, articleText: cut.text, boundary };
}
