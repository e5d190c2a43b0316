import { describe, expect, it } from 'vitest';
import { parseConfig } from './index.ts';
import { addFeedsToConfigText, parseOpml, renderOpml, type OpmlFeed } from './opml.ts';

// Shaped like an Inoreader/Feedly export: folders, nested folders, attributes in odd case.
const EXPORT = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Subscriptions in Reader</title><dateCreated>Sun, 01 Jun 2025 12:00:00 GMT</dateCreated></head>
  <body>
    <outline text="Loose feed" type="rss" xmlUrl="https://loose.example/feed.xml" htmlUrl="https://loose.example/"/>
    <outline text="research" title="research">
      <outline text="arXiv cs.AI" title="arXiv cs.AI" type="rss" xmlUrl="https://arxiv.example/rss/cs.AI"/>
      <outline text="Labs">
        <outline type="rss" text="Lab &amp; Co — Blog" xmlurl="https://lab.example/feed?a=1&amp;b=2"/>
      </outline>
    </outline>
    <outline text="Health">
      <outline text="Just a link" type="link" url="https://bookmark.example/"/>
      <outline text="Med AI" type="rss" xmlUrl="https://med.example/rss"/>
      <outline text="Med AI again" type="rss" xmlUrl="https://med.example/rss"/>
      <outline text="Old gopher" type="rss" xmlUrl="gopher://old.example/feed"/>
    </outline>
    <outline type="rss" xmlUrl="https://nameless.example/atom" category="/Tech/Policy,/Other"/>
  </body>
</opml>`;

const CONFIG = `# aiwins configuration — keep this comment
feeds:
  - name: Existing
    url: https://med.example/rss # already here
    category: Health

categories: [Business, Research, Health, Policy]

llm:
  # Any OpenAI-compatible endpoint.
  model: gpt-4o-mini
`;

describe('parseOpml', () => {
  it('reads a realistic export: nested folders, names, decoded entities, links ignored', () => {
    const r = parseOpml(EXPORT);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual([
      { name: 'Loose feed', url: 'https://loose.example/feed.xml' },
      { name: 'arXiv cs.AI', url: 'https://arxiv.example/rss/cs.AI', category: 'research' },
      { name: 'Lab & Co — Blog', url: 'https://lab.example/feed?a=1&b=2', category: 'Labs' },
      { name: 'Med AI', url: 'https://med.example/rss', category: 'Health' },
      { name: 'Med AI again', url: 'https://med.example/rss', category: 'Health' },
      { name: 'Old gopher', url: 'gopher://old.example/feed', category: 'Health' },
      { name: 'nameless.example', url: 'https://nameless.example/atom', category: 'Policy' },
    ]);
  });

  it('refuses entity declarations (XXE, entity bombs) without reading anything', () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://x.example/feed"/></body></opml>`;
    const r = parseOpml(xxe);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.message).toMatch(/entities/);
    const bomb = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><opml><body/></opml>`;
    expect(parseOpml(bomb).ok).toBe(false);
  });

  it('leaves undeclared entity references as text', () => {
    const r = parseOpml('<opml version="2.0"><body><outline text="A &unknown; B" xmlUrl="https://x.example/f"/></body></opml>');
    expect(r.ok && r.value[0]!.name).toBe('A &unknown; B');
  });

  it('says what is wrong with broken XML or a non-OPML file', () => {
    const broken = parseOpml('<opml><body><outline text="x"></body></opml>');
    expect(!broken.ok && broken.failure.message).toMatch(/not well-formed XML at line 1/);
    const rss = parseOpml('<rss version="2.0"><channel/></rss>');
    expect(!rss.ok && rss.failure.message).toMatch(/not an OPML file/);
  });
});

describe('renderOpml', () => {
  it('round-trips through parseOpml, escaping what needs it', () => {
    const feeds: OpmlFeed[] = [
      { name: 'Top <level> "feed"', url: 'https://a.example/feed?x=1&y=2' },
      { name: "It's research", url: 'https://b.example/rss', category: 'Research' },
      { name: 'C', url: 'https://c.example/atom', category: 'Health & Care' },
      { name: 'D', url: 'https://d.example/rss', category: 'Research' },
    ];
    const text = renderOpml(feeds, 'My & feeds');
    expect(text).toMatch(/<title>\s*(<!\[CDATA\[My & feeds\]\]>|My &amp; feeds)\s*<\/title>/);
    const back = parseOpml(text);
    expect(back.ok && back.value).toEqual([feeds[0], feeds[1], feeds[3], feeds[2]]);
  });
});

describe('renderOpml with characters XML forbids', () => {
  it('removes them (lone surrogates too) with the same sanitizer as the feeds, keeping astral characters', async () => {
    const { forbiddenXmlChars } = await import('../core/xml-text.ts');
    const text = renderOpml([{ name: 'Bad \u0001\uD800 name 😀', url: 'https://a.example/feed', category: 'Cat\uDFFF' }], 'T\uFFFE');
    expect(forbiddenXmlChars(text)).toEqual([]);
    const back = parseOpml(text);
    expect(back.ok && back.value).toEqual([{ name: 'Bad name 😀', url: 'https://a.example/feed', category: 'Cat' }]);
  });
});

describe('addFeedsToConfigText', () => {
  it('appends new feeds, keeps comments and other keys, skips duplicates and non-http URLs', () => {
    const parsed = parseOpml(EXPORT);
    if (!parsed.ok) throw new Error(parsed.failure.message);
    const r = addFeedsToConfigText(CONFIG, parsed.value);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { text, added, skipped, uncategorized } = r.value;
    expect(added).toBe(4);
    expect(skipped).toEqual([
      { url: 'https://med.example/rss', reason: 'already in the config' },
      { url: 'https://med.example/rss', reason: 'already in the config' },
      { url: 'gopher://old.example/feed', reason: 'not an http(s) URL' },
    ]);
    expect(uncategorized).toEqual([{ url: 'https://lab.example/feed?a=1&b=2', folder: 'Labs' }]);
    for (const comment of ['# aiwins configuration — keep this comment', '# already here', '# Any OpenAI-compatible endpoint.']) {
      expect(text).toContain(comment);
    }
    expect(text).toContain('categories: [Business, Research, Health, Policy]');
    const config = parseConfig(text, {});
    expect(config.errors).toEqual([]);
    expect(config.config?.feeds.map((f) => [f.url, f.category])).toEqual([
      ['https://med.example/rss', 'Health'],
      ['https://loose.example/feed.xml', undefined],
      ['https://arxiv.example/rss/cs.AI', 'Research'], // folder "research" mapped to the configured spelling
      ['https://lab.example/feed?a=1&b=2', undefined],
      ['https://nameless.example/atom', 'Policy'],
    ]);
    expect(config.config?.llm.model).toBe('gpt-4o-mini');
  });

  it('creates the feeds list when the config has none, or an empty flow list', () => {
    const feed = [{ name: 'A', url: 'https://a.example/feed' }];
    for (const start of ['# only a comment\n', 'feeds: []\nrun:\n  maxAttempts: 3\n', 'feeds:\n']) {
      const r = addFeedsToConfigText(start, feed);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(parseConfig(r.value.text, {}).config?.feeds).toEqual(feed);
    }
  });

  it('returns an error instead of text when the result would not validate', () => {
    const r = addFeedsToConfigText('feeds: []\nnot_a_key: 1\n', [{ name: 'A', url: 'https://a.example/feed' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.failure.kind).toBe('config.invalid');
      expect(r.failure.message).toMatch(/unknown key "not_a_key"/);
    }
    expect(addFeedsToConfigText('feeds: {a: 1}\n', []).ok).toBe(false);
    expect(addFeedsToConfigText('feeds: [\n', []).ok).toBe(false);
  });
});
