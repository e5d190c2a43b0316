/**
 * Approved stories as a feed (RSS 2.0, Atom 1.0, JSON Feed 1.1) through feedsmith's generators:
 * each entry carries the story in the newsletter layout as HTML, its TL;DR as the summary and a
 * link to the original article. Dates come from the stories, never from the clock, so the same
 * stories give the same bytes.
 */
import { generateAtomFeed, generateJsonFeed, generateRssFeed } from 'feedsmith';
import type { Story } from '../store/index.ts';
import { stripControlChars as plainText } from '../core/terminal.ts';
import { newsletterStory, renderHtml, safeHttpUrl } from '../render/index.ts';
import { FOR_READERS, type IssueDocument, type NewsletterSettings } from './issue.tsx';

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
        link: safeHttpUrl(s.url),
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
 * RSS and Atom): the newsletter's site.
 */
export function renderFeed(format: FeedFormat, doc: IssueDocument, nl: NewsletterSettings, siteUrl: string): string {
  const items = entries(doc.stories, nl);
  const title = feedTitle(doc, nl);
  const description = plainText(nl.tagline ?? `${nl.name}: approved stories`);
  // The newest entry's date, or the issue's: the feed changes only when its stories do.
  const updated = new Date(Math.max(doc.date?.getTime() ?? 0, ...items.map((e) => e.date.getTime())));
  if (format === 'rss') {
    return generateRssFeed({
      title: rssText(title),
      link: siteUrl,
      description: rssText(description),
      lastBuildDate: updated,
      items: items.map((e) => ({
        title: rssText(e.title),
        ...(e.link ? { link: e.link } : {}),
        description: rssText(e.summary),
        guid: { value: e.id, isPermaLink: false },
        pubDate: e.date,
        categories: [{ name: rssText(e.category) }],
        content: { encoded: e.html },
      })),
    });
  }
  if (format === 'atom') {
    return generateAtomFeed({
      id: siteUrl,
      title: { value: title, type: 'text' },
      subtitle: { value: description, type: 'text' },
      updated,
      links: [{ href: siteUrl, rel: 'alternate' }],
      entries: items.map((e) => ({
        id: e.id,
        title: { value: e.title, type: 'text' },
        updated: e.date,
        published: e.date,
        ...(e.link ? { links: [{ href: e.link, rel: 'alternate' }] } : {}),
        summary: { value: e.summary, type: 'text' },
        content: { value: e.html, type: 'html' },
        categories: [{ term: e.category }],
      })),
    });
  }
  const feed = generateJsonFeed({
    title,
    home_page_url: siteUrl,
    description,
    items: items.map((e) => ({
      id: e.id,
      ...(e.link ? { url: e.link } : {}),
      title: e.title,
      content_html: e.html,
      summary: e.summary,
      date_published: e.date,
      tags: [e.category],
    })),
  });
  return JSON.stringify(feed, null, 2) + '\n';
}
