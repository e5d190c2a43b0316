/**
 * Newsletter exports: an issue (or a set of approved stories) in the formats newsletter tools
 * take. Pure: values in, text out; the CLI and the desk read the store and write the result.
 */
import { fail, ok, type Outcome } from '../core/failure.ts';
import type { Issue, Story } from '../store/index.ts';
import { renderFeed } from './feeds.ts';
import { renderIssueHtml, renderIssueMarkdown, renderIssueText, type IssueDocument, type NewsletterSettings } from './issue.tsx';

export { proposeIssueOrder } from './propose.ts';
export { renderFeed, storyEntryId, type FeedFormat } from './feeds.ts';
export { formatIssueDate, issueSubject, renderIssueHtml, renderIssueMarkdown, renderIssueText } from './issue.tsx';
export type { IssueDocument, NewsletterSettings } from './issue.tsx';

export const EXPORT_FORMATS = ['markdown', 'html', 'text', 'json', 'rss', 'atom', 'jsonfeed'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * The document an issue renders as: dated when it was sent, else when it was opened. A story
 * showing no text (in a draft issue, its approval withdrawn: see IssueWithStories) is left out,
 * so no reader's output names it.
 */
export function issueDocument(issue: Issue, stories: Story[]): IssueDocument {
  return { number: issue.number, title: issue.title, date: issue.sentAt ?? issue.createdAt, stories: stories.filter((s) => s.draft !== null) };
}

/** The export's JSON: the issue (null for stories outside one) and its stories as the story JSON. */
export function renderIssueJson(issue: Issue | null, stories: Story[]): string {
  const head = issue && {
    number: issue.number,
    title: issue.title,
    status: issue.status,
    createdAt: issue.createdAt.toISOString(),
    sentAt: issue.sentAt?.toISOString() ?? null,
  };
  return JSON.stringify({ issue: head, stories }, null, 2) + '\n';
}

/** How an export is published: where a feed is served from, for its self link (none when unknown). */
export interface ExportOptions {
  feedUrl?: string | null;
}

/**
 * Renders an issue or a set of stories in one format. Feeds need the newsletter's home page
 * (`newsletter.siteUrl`), and carry a self link when `opts.feedUrl` says where they are served.
 */
export function renderExport(
  format: ExportFormat,
  issue: Issue | null,
  doc: IssueDocument,
  nl: NewsletterSettings,
  opts: ExportOptions = {},
): Outcome<string> {
  switch (format) {
    case 'markdown':
      return ok(renderIssueMarkdown(doc, nl));
    case 'html':
      return ok(renderIssueHtml(doc, nl));
    case 'text':
      return ok(renderIssueText(doc, nl));
    case 'json':
      return ok(renderIssueJson(issue, doc.stories));
    default:
      if (!nl.siteUrl) {
        return fail('config.invalid', 'newsletter.siteUrl: a feed needs the newsletter\'s home page as its link; set it in the config');
      }
      return ok(renderFeed(format, doc, nl, nl.siteUrl, opts.feedUrl ?? null));
  }
}
