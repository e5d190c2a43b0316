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
import { escapeText } from 'entities';
import { generateAtomFeed, generateJsonFeed, generateRssFeed } from 'feedsmith';
import type { Story } from '../store/index.ts';
import { stripControlChars as plainText } from '../core/terminal.ts';
import { newsletterStory, renderHtml } from '../render/index.ts';
import { FOR_READERS, type IssueDocument, type NewsletterSettings } from './issue.tsx';
import { xmlSafeDeep, xmlSafeText } from '../core/xml-text.ts';
import { feedUri } from './feed-uri.ts';

export type FeedFormat = 'rss' | 'atom' | 'jsonfeed';

/**
 * Text as HTML. RSS leaves open whether a title or description is text or HTML, and readers
 * (aiwins' own among them) take it as HTML; entity-encoding the text makes both readings show it
 * as written. Atom's text constructs are sent as `type="html"` the same way: as `type="text"` a
 * headline that mentions a tag ("</b>") is reported by validators as undeclared HTML.
 */
const htmlText = escapeText;

/** Whether text is still there once what XML cannot hold is removed: validators report empty elements. */
const hasText = (text: string): boolean => xmlSafeText(text).trim() !== '';

/** One entry, the same in every feed format. */
interface Entry {
  id: string;
  title: string;
  link: string | null;
  summary: string;
  html: string;
  date: Date;
  /** When the entry's text changed after `date` (an edit or re-draft approved later); else null. */
  modified: Date | null;
  category: string;
}

/**
 * An entry's dates: published is the item's date (the draft's when the item has none); it was
 * modified when the text shown (the approved version) was made after that, as an editor's edit is.
 */
export function entryDates(published: Date | null, versionCreatedAt: Date): { date: Date; modified: Date | null } {
  const date = published ?? versionCreatedAt;
  return { date, modified: versionCreatedAt.getTime() > date.getTime() ? versionCreatedAt : null };
}

/** A story's identity in every feed: stable across exports and formats. */
export const storyEntryId = (storyId: number): string => `urn:aiwins:story:${storyId}`;

function entries(stories: Story[], nl: NewsletterSettings): Entry[] {
  return stories.flatMap((s) => {
    const shown = newsletterStory(s, nl);
    if (!shown || !s.draft) return [];
    const title = plainText(shown.headline);
    // An RSS item with content but no description is reported by validators (and an empty
    // TL;DR, offline drafts can have one, would be dropped by the writer): the headline stands in.
    const tldr = plainText(shown.tldr);
    return [
      {
        id: storyEntryId(s.id),
        title,
        // The story layout's source link (http(s) only, without tracking parameters), as a URI.
        link: shown.source.url && feedUri(shown.source.url),
        summary: hasText(tldr) ? tldr : title,
        html: renderHtml(shown, FOR_READERS),
        ...entryDates(s.published, s.draft.createdAt),
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
  // RSS requires a description: the tagline, or a line made of the name when it has none.
  const tagline = plainText(nl.tagline ?? '');
  const description = hasText(tagline) ? tagline : plainText(`${nl.name}: approved stories`);
  const author = plainText(nl.name);
  const site = feedUri(siteUrl);
  const self = feedUrl && feedUri(feedUrl);
  // The newest entry's date, or the issue's: the feed changes only when its stories do. Null
  // for an empty set of stories outside an issue: there is no date to give.
  const newest = Math.max(doc.date?.getTime() ?? 0, ...items.map((e) => (e.modified ?? e.date).getTime()));
  const updated = newest > 0 ? new Date(newest) : null;
  if (format === 'rss') {
    return generateRssFeed(
      xmlSafeDeep({
        title: htmlText(title),
        link: site,
        description: htmlText(description),
        ...(updated ? { lastBuildDate: updated } : {}),
        ...(self ? { atom: { links: [{ href: self, rel: 'self', type: 'application/rss+xml' }] } } : {}),
        items: items.map((e) => ({
          title: htmlText(e.title),
          ...(e.link ? { link: e.link } : {}),
          description: htmlText(e.summary),
          guid: { value: e.id, isPermaLink: false },
          pubDate: e.date,
          // A category only when it has text.
          categories: hasText(e.category) ? [{ name: htmlText(e.category) }] : [],
          content: { encoded: e.html },
        })),
      }),
    );
  }
  if (format === 'atom') {
    return generateAtomFeed(
      xmlSafeDeep({
        id: site,
        title: { value: htmlText(title), type: 'html' },
        subtitle: { value: htmlText(description), type: 'html' },
        // Atom requires a date here; an empty export outside an issue has none, and says 1970.
        updated: updated ?? new Date(0),
        authors: [{ name: author, uri: site }],
        links: [
          { href: site, rel: 'alternate', type: 'text/html' },
          ...(self ? [{ href: self, rel: 'self', type: 'application/atom+xml' }] : []),
        ],
        entries: items.map((e) => ({
          id: e.id,
          title: { value: htmlText(e.title), type: 'html' },
          updated: e.modified ?? e.date,
          published: e.date,
          ...(e.link ? { links: [{ href: e.link, rel: 'alternate', type: 'text/html' }] } : {}),
          summary: { value: htmlText(e.summary), type: 'html' },
          content: { value: e.html, type: 'html' },
          categories: hasText(e.category) ? [{ term: e.category }] : [],
        })),
      }),
    );
  }
  // JSON has an escape for every character, but a lone surrogate is not Unicode and many
  // readers choke on it: the JSON Feed gets the same clean text as the XML feeds.
  const feed = generateJsonFeed(
    xmlSafeDeep({
      title,
      home_page_url: site,
      ...(self ? { feed_url: self } : {}),
      description,
      authors: [{ name: author, url: site }],
      items: items.map((e) => ({
        id: e.id,
        ...(e.link ? { url: e.link } : {}),
        title: e.title,
        content_html: e.html,
        summary: e.summary,
        date_published: e.date,
        ...(e.modified ? { date_modified: e.modified } : {}),
        tags: hasText(e.category) ? [e.category] : [],
      })),
    }),
  );
  return JSON.stringify(feed, null, 2) + '\n';
}
