/**
 * Approved stories as a feed (RSS 2.0, Atom 1.0, JSON Feed 1.1) through feedsmith's generators:
 * each entry carries the story in the newsletter layout as HTML, its TL;DR as the summary and a
 * link to the original article. Dates come from the stories, never from the clock, so the same
 * stories give the same bytes.
 *
 * What feed validators (the W3C Feed Validation Service) ask beyond the formats' bare minimum is
 * met here: an author for Atom (the newsletter, on the feed, as RFC 4287 allows for every entry),
 * and a self link (`atom:link rel="self"` in RSS, `link rel="self"` in Atom, JSON Feed's
 * `feed_url`) whenever the feed's own public URL is known.
 */
import { generateAtomFeed, generateJsonFeed, generateRssFeed } from 'feedsmith';
import type { Story } from '../store/index.ts';
import { stripControlChars as plainText } from '../core/terminal.ts';
import { newsletterStory, renderHtml } from '../render/index.ts';
import { FOR_READERS, type IssueDocument, type NewsletterSettings } from './issue.tsx';
import { xmlSafeDeep } from './xml-text.ts';

export type FeedFormat = 'rss' | 'atom' | 'jsonfeed';

/**
 * RSS leaves open whether a title or description is text or HTML, and readers (aiwins' own
 * among them) take it as HTML; entity-encoding the text makes both readings show it as written.
 */
const rssText = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One entry, the same in every feed format. */
interface Entry {
  id: string;
  title: string;
  link: string | null;
  summary: string;
  html: string;
  date: Date;
  category: string;
}

/** A story's identity in every feed: stable across exports and formats. */
export const storyEntryId = (storyId: number): string => `urn:aiwins:story:${storyId}`;

function entries(stories: Story[], nl: NewsletterSettings): Entry[] {
  return stories.flatMap((s) => {
    const shown = newsletterStory(s, nl);
    if (!shown || !s.draft) return [];
    return [
      {
        id: storyEntryId(s.id),
        title: plainText(shown.headline),
        // The story layout's source link: http(s) only, without tracking parameters.
        link: shown.source.url,
        summary: plainText(shown.tldr),
        html: renderHtml(shown, FOR_READERS),
        date: s.published ?? s.draft.createdAt,
        category: shown.category,
      },
    ];
  });
}

/** The feed's title: the newsletter's name, and the issue's number when it is one issue. */
function feedTitle(doc: IssueDocument, nl: NewsletterSettings): string {
  return plainText(doc.number !== null ? `${nl.name} · Issue ${doc.number}` : nl.name);
}

/**
 * Renders the document's stories as a feed. `siteUrl` is the feed's home page (required by
 * RSS and Atom): the newsletter's site. `feedUrl` is where the feed itself is served, its self
 * link; null when nobody said (an export written to a file), and then there is none.
 *
 * Every string the writers get goes through `xmlSafeDeep` here, at the one place feeds are
 * written: characters XML forbids never reach the output, whichever field they came in.
 */
export function renderFeed(format: FeedFormat, doc: IssueDocument, nl: NewsletterSettings, siteUrl: string, feedUrl: string | null = null): string {
  const items = entries(doc.stories, nl);
  const title = feedTitle(doc, nl);
  const description = plainText(nl.tagline ?? `${nl.name}: approved stories`);
  const author = plainText(nl.name);
  // The newest entry's date, or the issue's: the feed changes only when its stories do.
  const updated = new Date(Math.max(doc.date?.getTime() ?? 0, ...items.map((e) => e.date.getTime())));
  if (format === 'rss') {
    return generateRssFeed(
      xmlSafeDeep({
        title: rssText(title),
        link: siteUrl,
        description: rssText(description),
        lastBuildDate: updated,
        ...(feedUrl ? { atom: { links: [{ href: feedUrl, rel: 'self', type: 'application/rss+xml' }] } } : {}),
        items: items.map((e) => ({
          title: rssText(e.title),
          ...(e.link ? { link: e.link } : {}),
          description: rssText(e.summary),
          guid: { value: e.id, isPermaLink: false },
          pubDate: e.date,
          categories: [{ name: rssText(e.category) }],
          content: { encoded: e.html },
        })),
      }),
    );
  }
  if (format === 'atom') {
    return generateAtomFeed(
      xmlSafeDeep({
        id: siteUrl,
        title: { value: title, type: 'text' },
        subtitle: { value: description, type: 'text' },
        updated,
        authors: [{ name: author, uri: siteUrl }],
        links: [
          { href: siteUrl, rel: 'alternate', type: 'text/html' },
          ...(feedUrl ? [{ href: feedUrl, rel: 'self', type: 'application/atom+xml' }] : []),
        ],
        entries: items.map((e) => ({
          id: e.id,
          title: { value: e.title, type: 'text' },
          updated: e.date,
          published: e.date,
          ...(e.link ? { links: [{ href: e.link, rel: 'alternate', type: 'text/html' }] } : {}),
          summary: { value: e.summary, type: 'text' },
          content: { value: e.html, type: 'html' },
          categories: [{ term: e.category }],
        })),
      }),
    );
  }
  // JSON has an escape for every character, but a lone surrogate is not Unicode and many
  // readers choke on it: the JSON Feed gets the same clean text as the XML feeds.
  const feed = generateJsonFeed(
    xmlSafeDeep({
      title,
      home_page_url: siteUrl,
      ...(feedUrl ? { feed_url: feedUrl } : {}),
      description,
      authors: [{ name: author, url: siteUrl }],
      items: items.map((e) => ({
        id: e.id,
        ...(e.link ? { url: e.link } : {}),
        title: e.title,
        content_html: e.html,
        summary: e.summary,
        date_published: e.date,
        tags: [e.category],
      })),
    }),
  );
  return JSON.stringify(feed, null, 2) + '\n';
}
