/**
 * The newsletter story through the real CLI: drafts from the local OpenAI-compatible server, then
 * `stories` (verdict, recommendation, set-aside and flagged stories marked) and `show --format`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SiteServer } from './helpers/site-server.ts';
import { articleFromRequest, completion, validDraftContent, type OpenAiServer } from './helpers/openai-server.ts';
import { fixtureConfig, lastJsonLine, runCli, tempProject, type TempProject } from './helpers/project.ts';
import { startDemoWorld, type DemoWorld } from './helpers/demo-world.ts';

let site: SiteServer;
let llm: OpenAiServer;
let project: TempProject;
let world: DemoWorld | undefined;

/** The model's answer per demo article: a full positive story, a flagged one, a negative and an off-topic one. */
function answerFor(body: any): object {
  const article = articleFromRequest(body);
  const base = validDraftContent(body) as any;
  const framing = (verdict: string, score: number, recommendation: string) => ({ ...base.framing, verdict, score, recommendation, angle: verdict === 'positive' || verdict === 'mixed' ? base.framing.angle : null });
  if (article.includes('sourdough')) return { ...base, framing: framing('not_ai', 0, 'skip') };
  if (article.includes('telecom')) return { ...base, framing: framing('negative', 0.1, 'skip') };
  if (article.includes('flood warnings')) return { ...base, body: [base.body[0], 'Dr. Priya Shah called it a breakthrough <script>alert(1)</script>.'] };
  if (article.includes('pancreatic')) {
    return {
      ...base,
      framing: framing('mixed', 0.6, 'include_with_note'),
      headline: 'Screening software finds pancreatic tumours months sooner',
      deck: 'A look at a trial that put an AI model to work on scans hospitals already had',
      readerNote: 'About four in five flagged patients did not have cancer, and the model did worse on older machines.',
    };
  }
  return base;
}

beforeAll(async () => {
  ({ site, llm, project } = world = await startDemoWorld({ llmHandler: ({ body }) => ({ body: completion(JSON.stringify(answerFor(body))) }) }));
  project.writeConfig(
    fixtureConfig({
      feeds: [{ name: 'Demo Gazette', url: `${site.origin}/feed.xml` }],
      allow: [site.hostPort],
      llmBaseURL: llm.url,
      extra: 'newsletter:\n  timezone: Pacific/Kiritimati\n  sourceName: site\n',
    }),
  );
  const run = await cli(['run', '--json']);
  if (run.code !== 0) throw new Error(run.stderr);
  // The flood story's invented name survives the repair turn: one draft flagged in the run summary.
  expect(lastJsonLine(run.stdout).drafts).toMatchObject({ made: 5, flagged: 1 });
}, 180_000); // a whole run with five drafts: generous, the machine may be shared

afterAll(() => world?.close());

const cli = (args: string[]) => runCli(['--config', project.configPath, '--db', project.dbPath, ...args]);

async function storiesJson(): Promise<any[]> {
  const listed = await cli(['stories', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout);
}

describe('stories: verdict, recommendation, set aside and flagged', () => {
  it('lists the not_ai and negative drafts after the others, marked, and flags the story whose claim failed twice', async () => {
    const stories = await storiesJson();
    const byTopic = (word: string) => stories.find((s) => s.url.includes(word))!;
    expect(stories.map((s) => s.setAside)).toEqual([false, false, false, true, true]);
    expect(stories.slice(3).map((s) => s.draft.framing.verdict).sort()).toEqual(['negative', 'not_ai']);
    expect(byTopic('bakery').draft.framing).toMatchObject({ verdict: 'not_ai', recommendation: 'skip', confidence: 0.8 });
    const flood = byTopic('flood');
    expect(flood.needsReview).toBe(true);
    expect(flood.draft.needsReview).toBe(true);
    expect(flood.draft.unsupportedClaims).toEqual(
      expect.arrayContaining([
        { field: 'body[1]', claim: 'Priya' },
        { field: 'body[1]', claim: 'Shah' },
      ]),
    );
    const pancreatic = byTopic('pancreatic');
    expect(pancreatic.needsReview).toBe(false);
    expect(pancreatic.canonicalUrl).not.toContain('utm_source');
    expect(pancreatic.siteName).toBe('The Demo Gazette');
    expect(pancreatic.draft).toMatchObject({
      deck: expect.stringContaining('A look at a trial'),
      body: expect.any(Array),
      implications: expect.any(Array),
      readerNote: expect.stringContaining('four in five'),
      framing: { verdict: 'mixed', recommendation: 'include_with_note', angle: expect.any(String) },
    });
    expect(pancreatic.draft.prompt.id).toBe('draft-story-v2');

    const table = await cli(['stories']);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/\(llm, \w+, (positive|mixed)\/include/);
    expect(lines.filter((l) => l.includes('[needs review]'))).toHaveLength(1);
    expect(lines.slice(3).every((l) => l.includes('[set aside]'))).toBe(true);
    expect(lines.slice(0, 3).some((l) => l.includes('[set aside]'))).toBe(false);
    expect(table.stdout).toMatch(/not_ai\/skip/);
  });
});

describe('show --format', () => {
  it('markdown: every section of the newsletter layout, in order, with the date in newsletter.timezone', async () => {
    const pancreatic = (await storiesJson()).find((s) => s.url.includes('pancreatic'))!;
    const shown = await cli(['show', String(pancreatic.id), '--format', 'markdown']);
    expect(shown.code, shown.stderr).toBe(0);
    const md = shown.stdout;
    // Published 2026-11-20T09:00Z, which is the 20th in Kiritimati (UTC+14) too; reading time of the story itself.
    const sections = [
      `${pancreatic.draft.category} · Friday, November 20, 2026 · ${pancreatic.draft.readingMinutes} min read`,
      '# Screening software finds pancreatic tumours months sooner',
      `Source: [The Demo Gazette](${pancreatic.canonicalUrl})`,
      '## TL;DR',
      '## Key Takeaways',
      '1. ',
      '*A look at a trial that put an AI model to work on scans hospitals already had*',
      'The hospital used the tool on scans it already had.',
      '**Why it matters:**',
      '- Earlier treatment for some patients.',
      '_About four in five flagged patients did not have cancer, and the model did worse on older machines._',
    ];
    let at = -1;
    for (const section of sections) {
      const found = md.indexOf(section, at + 1);
      expect(found, `"${section}" after position ${at} in:\n${md}`).toBeGreaterThan(at);
      at = found;
    }
    expect(md).not.toContain('utm_source');
    expect(md).not.toContain('Editor note');
  });

  it('uses the date in the configured time zone, not UTC', async () => {
    const bakery = (await storiesJson()).find((s) => s.url.includes('bakery'))!;
    // Published 2026-11-16T16:00Z: Monday in UTC, Tuesday 06:00 in Kiritimati.
    const text = (await cli(['show', String(bakery.id), '--format', 'text'])).stdout;
    expect(text).toContain('Tuesday, November 17, 2026');
    expect(text).toContain('[set aside: verdict not_ai, recommendation skip]');
  });

  it('html: escapes model text, links the source, and shows the editor notes of a flagged story', async () => {
    const flood = (await storiesJson()).find((s) => s.url.includes('flood'))!;
    const shown = await cli(['show', String(flood.id), '--format', 'html']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).not.toContain('<script>');
    expect(shown.stdout).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(shown.stdout).toContain(`<a href="${flood.canonicalUrl}">The Demo Gazette</a>`);
    expect(shown.stdout).toMatch(/needs review: checks failed after the repair turn \(not in the article: body\[1\]: &quot;Priya&quot;/);
  });

  it('rejects an unknown format', async () => {
    const bad = await cli(['show', '1', '--format', 'pdf']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/markdown, html, text/);
  });
});

describe('drafts stored before the whole story existed', () => {
  it('migrate, and show their new fields as empty or unknown', async () => {
    // The binding this Node version runs (better-sqlite3 13 aborts on Node 20; db.ts picks).
    const Database = (await import('../src/store/db.ts')).sqliteBinding();
    const { MIGRATIONS } = await import('../src/store/migrations.ts');
    const old = tempProject();
    try {
      // A database as the previous release left it: the first two migrations and one draft.
      const db = new Database(old.dbPath);
      db.exec(MIGRATIONS[0]!);
      db.exec(MIGRATIONS[1]!);
      db.pragma('user_version = 2');
      const now = '2026-11-20T10:00:00.000Z';
      db.prepare(`INSERT INTO feeds (id, url, name, created_at) VALUES (1, 'https://news.example/feed', 'Old Feed', ?)`).run(now);
      db.prepare(`INSERT INTO items (id, feed_id, item_key, url, status, discovered_at, updated_at) VALUES (1, 1, 'k', 'https://news.example/a', 'candidate', ?, ?)`).run(now, now);
      db.prepare(
        `INSERT INTO drafts (item_id, engine, prompt_id, prompt_hash, headline, tldr, takeaways, why_it_matters, category, framing,
           input_tokens, output_tokens, latency_ms, input_truncated, reading_minutes, created_at)
         VALUES (1, 'llm', 'draft-story-v1', 'h', 'Old headline', 'Old tldr', ?, 'Why', 'Health', ?, 1, 1, 1, 0, 3, ?)`,
      ).run(
        JSON.stringify([{ text: 't', quote: 'q q q q q', grounded: false }]),
        JSON.stringify({ verdict: 'negative', score: 0.1, rationale: 'r', concerns: [] }),
        now,
      );
      db.close();
      const listed = await runCli(['--config', old.configPath, '--db', old.dbPath, 'stories', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      const [story] = JSON.parse(listed.stdout);
      expect(story).toMatchObject({ needsReview: false, setAside: true, canonicalUrl: null });
      expect(story.draft).toMatchObject({
        headline: 'Old headline',
        takeaways: [{ grounded: false, supported: false }],
        deck: '',
        body: [],
        implications: [],
        readerNote: null,
        unsupportedClaims: [],
        needsReview: false,
        framing: { verdict: 'negative', angle: null, confidence: null, recommendation: null },
      });
      const shown = await runCli(['--config', old.configPath, '--db', old.dbPath, 'show', '1', '--format', 'text']);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain('Health · 3 min read');
      expect(shown.stdout).toContain('Source: Old Feed <https://news.example/a>');
    } finally {
      old.remove();
    }
  });
});
