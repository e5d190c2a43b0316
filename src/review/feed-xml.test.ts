import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { createDeskApp } from './app.tsx';
import { deskDb } from '../../test/helpers/desk.ts';
import { seedStories } from '../../test/helpers/stories.ts';
import { randomText, seededRandom, xmlProblems } from '../../test/helpers/xml-fuzz.ts';
import { feedLint } from '../../test/helpers/feed-lint.ts';

/**
 * `/feed.xml` as a strict feed reader sees it, through app.request() on a real database: the
 * characters XML forbids never reach it, and it names its own URL (atom:link rel="self").
 */
const NOW = new Date('2026-12-01T09:00:00Z');
const NEWSLETTER = { name: 'AI Wins', timezone: 'UTC', sourceName: 'feed', subscribeLine: 'Get AI Wins in your inbox', siteUrl: 'https://aiwins.example/' } as const;

let env: Awaited<ReturnType<typeof deskDb>>;
beforeEach(async () => {
  env = await deskDb({ ann: 'ann-password-1' });
});
afterEach(() => env.remove());

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });

describe('/feed.xml', () => {
  it('stays well-formed XML whatever the stories hold: random text with controls, U+FFFE/U+FFFF and surrogates', async () => {
    const rnd = seededRandom(20261207);
    const t = () => randomText(rnd);
    const stories = Array.from({ length: 12 }, () => ({
      title: t(),
      draft: {
        headline: `MARK😀 ${t()}`,
        tldr: t(),
        takeaways: [{ text: t(), quote: 'found early signs of diabetic eye disease in 94 percent of cases', grounded: true, supported: true }],
        deck: t(),
        body: [t(), t()],
        whyItMatters: t(),
        implications: [t()],
        readerNote: t(),
        category: t(),
      },
    }));
    const ids = await seedStories(env.store, stories);
    for (const id of ids) await env.store.editorial.decide(id, { action: 'approve', by: 'ann', now: NOW });
    const app = createDeskApp({ store: env.store, now: () => NOW, newsletter: { ...NEWSLETTER, name: `AI \u0001Wins\uFFFE ${t()}`, tagline: t() } });
    const r = await app.request('/feed.xml');
    expect(r.status).toBe(200);
    const xml = await r.text();
    expect(xmlProblems(xml)).toEqual([]);
    expect(feedLint(xml)).toEqual([]);
    const items = parser.parse(xml).rss.channel.item;
    expect(items).toHaveLength(12);
    expect(xml.split('MARK😀').length - 1).toBeGreaterThanOrEqual(12);
  });

  it('links to itself: at the public origin when one is set, else where it was asked for', async () => {
    const [id] = await seedStories(env.store, [{ title: 'Eye scans' }]);
    await env.store.editorial.decide(id!, { action: 'approve', by: 'ann', now: NOW });
    const selfOf = async (app: ReturnType<typeof createDeskApp>, url: string) => {
      const channel = parser.parse(await (await app.request(url)).text()).rss.channel;
      return channel['atom:link'];
    };
    const local = createDeskApp({ store: env.store, now: () => NOW, newsletter: NEWSLETTER });
    expect(await selfOf(local, 'http://127.0.0.1:8080/feed.xml')).toEqual({ '@href': 'http://127.0.0.1:8080/feed.xml', '@rel': 'self', '@type': 'application/rss+xml' });
    const proxied = createDeskApp({ store: env.store, now: () => NOW, newsletter: NEWSLETTER, publicOrigin: 'https://desk.example.org' });
    expect((await selfOf(proxied, 'http://127.0.0.1:8080/feed.xml'))['@href']).toBe('https://desk.example.org/feed.xml');
  });
});
