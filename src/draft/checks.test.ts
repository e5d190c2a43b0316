/**
 * The checks on a model's answer, end to end through the real `openai` client and the local
 * OpenAI-compatible server: claims against the article, the framing rubric's bands, and the JSON
 * schema that goes out with `strict: true`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { completion, startOpenAiServer, validDraftContent, type OpenAiServer } from '../../test/helpers/openai-server.ts';
import { createLlmDrafter, loadPrompt, SCORE_BANDS, FRAMING_VERDICTS, type LlmSettings, type Prompt } from './index.ts';
import { positiveAi } from './__fixtures__/articles.ts';

const PROMPT_PATH = fileURLToPath(new URL('../../prompts/draft-story.md', import.meta.url));
const CATEGORIES = ['Health', 'Climate', 'Other'];

let server: OpenAiServer;
let prompt: Prompt;

const settings = (): LlmSettings => ({
  baseURL: server.url,
  model: 'test-model',
  timeoutMs: 10_000,
  maxRetries: 0,
  maxInputTokens: 6000,
  retryBaseMs: 5,
});

beforeAll(() => {
  const loaded = loadPrompt(PROMPT_PATH);
  if (!loaded.ok) throw new Error(loaded.failure.message);
  prompt = loaded.value;
});
beforeEach(async () => {
  await server?.close();
  server = await startOpenAiServer();
});
afterAll(async () => {
  await server?.close();
});

const reply = (content: object) => ({ body: completion(JSON.stringify(content)) });
const lastUserMessage = (n: number) => server.requests[n]!.messages.at(-1).content as string;

/** A well-behaved answer for the fixture article, with its quotes taken from its paragraphs. */
function goodAnswer(body: any) {
  const content = validDraftContent(body) as any;
  content.takeaways = [
    { text: 'A study of 12,000 patients found 30 percent more early cancers.', quote: 'In a two-year study of 12,000 patients, the tool helped doctors catch 30 percent more early-stage cancers' },
    { text: 'The model flags small nodules overnight.', quote: 'The machine learning model reviews chest scans overnight and flags small nodules' },
    { text: 'Dr. Maria Lopez calls it a tireless second reader.', quote: 'It is like having a tireless second reader who never gets bored," said Dr. Maria Lopez' },
  ];
  return content;
}

/** The same answer with a changed digit, a cut word and an invented name. */
function flawedAnswer(body: any) {
  const content = goodAnswer(body);
  content.takeaways[0].quote = 'In a two-year study of 12,001 patients, the tool helped doctors'; // changed digit
  content.takeaways[1].quote = 'achine learning model reviews chest scans overnight and flags small nodules'; // cut word
  content.body[1] = 'Dr. Priya Shah, who was not involved, called the results promising.'; // invented name
  return content;
}

describe('claims checked against the article, repaired once', () => {
  it('catches a changed digit, a cut word and an invented name, names each in one repair turn, and accepts the fix', async () => {
    server.setHandler(({ body, n }) => reply(n === 1 ? flawedAnswer(body) : goodAnswer(body)));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(server.calls).toBe(2);
    const repair = lastUserMessage(1);
    expect(repair).toContain('takeaways[0].quote does not occur in the article word for word');
    expect(repair).toContain('12,001');
    expect(repair).toContain('takeaways[1].quote does not occur');
    expect(repair).toContain('body[1] says "Priya", which does not occur in the article');
    expect(repair).toContain('body[1] says "Shah"');
    // The repair turn keeps the conversation: the rejected answer, then the request.
    expect(server.requests[1].messages.at(-2).role).toBe('assistant');
    const d = out.value;
    expect(d.takeaways.map((t) => [t.grounded, t.supported])).toEqual([[true, true], [true, true], [true, true]]);
    expect(d.unsupportedClaims).toEqual([]);
    expect(d.needsReview).toBe(false);
  });

  it('marks what still fails after the one repair turn and flags the story', async () => {
    server.setHandler(({ body }) => reply(flawedAnswer(body)));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(server.calls).toBe(2); // one repair, never a loop
    const d = out.value;
    expect(d.takeaways.map((t) => t.grounded)).toEqual([false, false, true]);
    expect(d.takeaways.map((t) => t.supported)).toEqual([false, false, true]);
    expect(d.unsupportedClaims).toEqual([
      { field: 'body[1]', claim: 'Priya' },
      { field: 'body[1]', claim: 'Shah' },
    ]);
    expect(d.needsReview).toBe(true);
  });

  it('marks a takeaway that says more than its quote as unsupported', async () => {
    server.setHandler(({ body }) => {
      const content = goodAnswer(body);
      content.takeaways[1].text = 'The model flags small nodules overnight in 40 hospitals.';
      return reply(content);
    });
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(out.ok && out.value.takeaways.map((t) => [t.grounded, t.supported])).toEqual([[true, true], [true, false], [true, true]]);
    expect(lastUserMessage(1)).toContain('takeaways[1].text says "40", which its quote does not');
    expect(out.ok && out.value.needsReview).toBe(true);
  });

  it('keeps the valid first answer, marked, when the repair answer breaks the schema', async () => {
    server.setHandler(({ body, n }) => (n === 1 ? reply(flawedAnswer(body)) : { body: completion('not json at all') }));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(out.ok).toBe(true);
    expect(out.ok && out.value.needsReview).toBe(true);
    expect(out.ok && out.value.takeaways[0]!.grounded).toBe(false);
  });

  it('does not ask for a repair when every check passes', async () => {
    server.setHandler(({ body }) => reply(goodAnswer(body)));
    const out = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(out.ok && out.value.needsReview).toBe(false);
    expect(server.calls).toBe(1);
  });
});

describe('the framing rubric: a score outside its verdict band goes to the repair turn', () => {
  /** A consistent recommendation and reader note for each verdict, so only the score can be wrong. */
  const framingFor = (verdict: (typeof FRAMING_VERDICTS)[number], score: number) => ({
    angle: verdict === 'positive' || verdict === 'mixed' ? 'Doctors find cancer sooner.' : null,
    concerns: verdict === 'mixed' ? ['single hospital network'] : [],
    verdict,
    score,
    confidence: 0.7,
    recommendation: verdict === 'positive' ? 'include' : verdict === 'mixed' ? 'include_with_note' : 'skip',
    rationale: 'Judged on the article.',
  });
  const inside = { positive: 0.8, mixed: 0.5, negative: 0.1, not_ai: 0.05, uncertain: 0.5 } as const;
  const outside = { positive: 0.05, mixed: 0.9, negative: 0.6, not_ai: 0.5, uncertain: 0.95 } as const;

  it.each(FRAMING_VERDICTS)('%s: a score in its band is accepted; one outside it is repaired, then rejected', async (verdict) => {
    const [low, high] = SCORE_BANDS[verdict];
    expect(inside[verdict]).toBeGreaterThanOrEqual(low);
    expect(inside[verdict]).toBeLessThanOrEqual(high);
    expect(outside[verdict] < low || outside[verdict] > high).toBe(true);
    const answer = (body: any, score: number) => ({ ...goodAnswer(body), framing: framingFor(verdict, score), readerNote: verdict === 'mixed' ? 'One hospital network reported these results.' : null });

    server.setHandler(({ body }) => reply(answer(body, inside[verdict])));
    const accepted = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(accepted.ok && accepted.value.framing).toMatchObject({ verdict, score: inside[verdict] });
    expect(server.calls).toBe(1);

    // Inconsistent first, then fixed: the repair turn names the band.
    let calls = 0;
    server.setHandler(({ body }) => reply(answer(body, ++calls === 1 ? outside[verdict] : inside[verdict])));
    const repaired = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(repaired.ok && repaired.value.framing.score).toBe(inside[verdict]);
    expect(server.calls).toBe(3);
    expect(lastUserMessage(2)).toContain(`framing.score: ${outside[verdict]} is outside the "${verdict}" band ${low}-${high}`);

    // Inconsistent twice: invalid output, never stored as a contradiction.
    server.setHandler(({ body }) => reply(answer(body, outside[verdict])));
    const rejected = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(!rejected.ok && rejected.failure.kind).toBe('llm.invalid_output');
  });

  it('rejects a recommendation the verdict does not allow, and include_with_note without a reader note', async () => {
    server.setHandler(({ body }) => reply({ ...goodAnswer(body), framing: { ...framingFor('negative', 0.1), recommendation: 'include' } }));
    const spun = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(!spun.ok && spun.failure.message).toMatch(/framing\.recommendation: "include" is not allowed with the verdict "negative"/);

    server.setHandler(({ body }) => reply({ ...goodAnswer(body), framing: framingFor('mixed', 0.5), readerNote: null }));
    const noNote = await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    expect(!noNote.ok && noNote.failure.message).toMatch(/readerNote: include_with_note needs a reader note/);
  });
});

/**
 * The subset of JSON Schema OpenAI documents for strict structured outputs ("Supported schemas"):
 * the types, object and array structure, enum/const, anyOf, $ref/$defs and descriptions, plus
 * string pattern/format, number ranges and multipleOf, and array minItems/maxItems. String lengths
 * (minLength, maxLength) are not in it; they are checked with zod after the answer.
 */
const DOCUMENTED_KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'anyOf', '$ref', '$defs', 'definitions',
  'description', 'title', 'pattern', 'format', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'minItems', 'maxItems',
]);

/** Every keyword of a schema, with its path; the names under `properties` and `$defs` are not keywords. */
function walk(schema: unknown, path: string, visit: (keyword: string, value: unknown, path: string, node: Record<string, unknown>) => void): void {
  if (Array.isArray(schema)) return schema.forEach((s, i) => walk(s, `${path}[${i}]`, visit));
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as Record<string, unknown>;
  for (const [keyword, value] of Object.entries(node)) {
    visit(keyword, value, path, node);
    if (keyword === 'properties' || keyword === '$defs' || keyword === 'definitions') {
      for (const [name, sub] of Object.entries(value as object)) walk(sub, `${path}.${name}`, visit);
    } else if (keyword === 'items' || keyword === 'anyOf') {
      walk(value, `${path}.${keyword}`, visit);
    }
  }
}

describe('the JSON schema sent with strict: true', () => {
  it('uses only keywords OpenAI documents for strict structured outputs, closes every object and requires every field', async () => {
    await createLlmDrafter(settings(), prompt, CATEGORIES).draft(positiveAi);
    const format = server.requests[0].response_format;
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.strict).toBe(true);
    const schema = format.json_schema.schema;
    expect(schema.type).toBe('object'); // the root is an object, not anyOf
    const outside: string[] = [];
    let objects = 0;
    walk(schema, '$', (keyword, value, path, node) => {
      if (!DOCUMENTED_KEYWORDS.has(keyword)) outside.push(`${path}: ${keyword}`);
      if (keyword === 'properties') {
        objects++;
        expect(node.additionalProperties, `${path} must set additionalProperties: false`).toBe(false);
        expect([...(node.required as string[])].sort(), `${path}: every field required`).toEqual(Object.keys(value as object).sort());
      }
    });
    expect(outside).toEqual([]);
    expect(objects).toBe(3); // the draft, framing, a takeaway
    // The assessment comes first, so the model judges before it writes.
    expect(Object.keys(schema.properties)[0]).toBe('framing');
    expect(Object.keys(schema.properties.framing.properties)).toEqual(['angle', 'concerns', 'verdict', 'score', 'confidence', 'recommendation', 'rationale']);
  });

  it('fails the walk on a keyword outside the subset (the walker itself works)', () => {
    const seen: string[] = [];
    walk({ type: 'object', properties: { a: { type: 'string', maxLength: 3 } } }, '$', (k, _v, p) => {
      if (!DOCUMENTED_KEYWORDS.has(k)) seen.push(`${p}: ${k}`);
    });
    expect(seen).toEqual(['$.a: maxLength']);
  });
});
