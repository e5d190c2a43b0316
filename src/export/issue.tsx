/** @jsxImportSource hono/jsx */
/**
 * An issue of the newsletter in the formats newsletter tools take: the issue's header and footer
 * around each story in the shared story layout. Pure functions of their inputs: the same issue
 * gives the same bytes (no clock is read here).
 */
import { raw } from 'hono/html';
import juice from 'juice';
import { stripControlChars as plainText } from '../core/terminal.ts';
import type { Story } from '../store/index.ts';
import { escapeMarkdown, linkTarget, newsletterStory, renderHtml, renderMarkdown, renderText, safeHttpUrl, type NewsletterStory } from '../render/index.ts';

/** How the newsletter presents itself (`newsletter.*` in the config). */
export interface NewsletterSettings {
  name: string;
  tagline?: string | undefined;
  timezone: string;
  sourceName: 'feed' | 'site';
  siteUrl?: string | undefined;
  subscribeLine: string;
  subscribeUrl?: string | undefined;
}

/** What an export renders: an issue, or a set of stories outside any issue (number null). */
export interface IssueDocument {
  number: number | null;
  title: string | null;
  /** The issue's date: when it was sent, else when it was opened; null for stories outside an issue. */
  date: Date | null;
  stories: Story[];
}

/**
 * The stories as readers see them, in the newsletter's one story layout (src/render); a story
 * without a draft has nothing to show and is left out. Editors' notes are never rendered for readers.
 */
export function readerStories(stories: Story[], nl: NewsletterSettings): NewsletterStory[] {
  return stories.map((s) => newsletterStory(s, nl)).filter((s): s is NewsletterStory => s !== null);
}

/** What an export shows readers: never the editors' notes. */
export const FOR_READERS = { editorNotes: false } as const;

export function formatIssueDate(date: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: timezone }).format(date);
}

/** "AI Wins · Issue 3 · Tuesday, December 1, 2026", without the parts the document lacks. */
function headerLine(doc: IssueDocument, nl: NewsletterSettings): string {
  return [doc.number !== null ? `Issue ${doc.number}` : null, doc.date ? formatIssueDate(doc.date, nl.timezone) : null]
    .filter(Boolean)
    .join(' · ');
}

/** The subject line a mail tool shows: the issue's title, else the newsletter's name and number. */
export function issueSubject(doc: IssueDocument, nl: NewsletterSettings): string {
  return plainText(doc.title ?? (doc.number !== null ? `${nl.name} · Issue ${doc.number}` : nl.name));
}

/**
 * The issue as Markdown. Headings nest: the issue (its title, else its subject) is the one
 * top-level heading, each story's headline is one level below and the story's sections below that.
 */
export function renderIssueMarkdown(doc: IssueDocument, nl: NewsletterSettings): string {
  const site = safeHttpUrl(nl.siteUrl);
  const subscribe = safeHttpUrl(nl.subscribeUrl);
  const name = site ? `[${escapeMarkdown(nl.name)}](${linkTarget(site)})` : escapeMarkdown(nl.name);
  const head = [
    `# ${escapeMarkdown(issueSubject(doc, nl))}`,
    nl.tagline ? `${name} · *${escapeMarkdown(nl.tagline)}*` : name,
    headerLine(doc, nl) ? `**${escapeMarkdown(headerLine(doc, nl))}**` : null,
  ].filter((s): s is string => s !== null);
  const footer = subscribe ? `[${escapeMarkdown(nl.subscribeLine)}](${linkTarget(subscribe)})` : `**${escapeMarkdown(nl.subscribeLine)}**`;
  const stories = readerStories(doc.stories, nl).map((s) => renderMarkdown(s, { ...FOR_READERS, headingLevel: 2 }).trimEnd());
  return [head.join('\n\n'), ...stories, footer].join('\n\n---\n\n') + '\n';
}

export function renderIssueText(doc: IssueDocument, nl: NewsletterSettings): string {
  const subscribe = safeHttpUrl(nl.subscribeUrl);
  const head = [nl.name.toUpperCase(), nl.tagline ?? null, headerLine(doc, nl) || null, doc.title].filter(Boolean).join('\n');
  const rule = '\n\n' + '-'.repeat(60) + '\n\n';
  const footer = `${nl.subscribeLine}${subscribe ? `: ${subscribe}` : ''}${nl.siteUrl ? `\n${safeHttpUrl(nl.siteUrl) ?? ''}` : ''}`;
  return plainText([head, ...readerStories(doc.stories, nl).map((s) => renderText(s, FOR_READERS).trimEnd()), footer].join(rule)) + '\n';
}

// The email's look, inlined onto each element by juice (mail clients strip <style> and <link>).
// Class names beyond the wrapper's are the story layout's; plain element selectors cover the rest.
const EMAIL_CSS = `
body{margin:0;padding:0;background-color:#f4f4f5}
.outer{background-color:#f4f4f5}
.container{width:100%;max-width:600px;table-layout:fixed;background-color:#ffffff;border-collapse:collapse}
td{font-family:Helvetica,Arial,sans-serif;color:#18181b;word-wrap:break-word;overflow-wrap:anywhere}
.header{padding:28px 32px 20px;border-bottom:3px solid #16a34a}
.name{margin:0;font-family:Georgia,'Times New Roman',serif;font-size:30px;line-height:1.2;color:#14532d}
.name a{color:#14532d;text-decoration:none}
.tagline{margin:4px 0 0;font-size:14px;color:#52525b}
.issue-line{margin:10px 0 0;font-size:13px;color:#71717a;text-transform:uppercase;letter-spacing:1px}
.issue-title{margin:8px 0 0;font-size:20px;line-height:1.3;color:#18181b}
.story-cell{padding:24px 32px;border-bottom:1px solid #e4e4e7;font-size:16px;line-height:1.55}
.story-cell h2{margin:4px 0 6px;font-size:22px;line-height:1.3;color:#09090b}
.story-cell h3{margin:18px 0 6px;font-size:13px;text-transform:uppercase;letter-spacing:1px;color:#15803d}
.story-cell p{margin:0 0 12px}
.story-cell ol,.story-cell ul{margin:0 0 12px;padding-left:24px}
.story-cell li{margin:0 0 6px}
.story-cell a{color:#1d4ed8}
.story-cell .meta{margin:0;font-size:13px;color:#71717a}
.story-cell .source{font-size:14px;color:#52525b}
.story-cell .deck{font-size:18px;font-style:italic;color:#3f3f46}
.story-cell blockquote{margin:0 0 12px;padding:0 0 0 16px;border-left:3px solid #d4d4d8;color:#3f3f46}
.story-cell .excerpt-label{font-size:13px;color:#71717a}
.story-cell .reader-note{font-size:14px;font-style:italic;color:#52525b}
.footer{padding:24px 32px;font-size:14px;color:#52525b;text-align:center}
.footer p{margin:0 0 8px}
.footer a{color:#15803d;font-weight:bold}
.preheader{display:none;max-height:0;overflow:hidden;font-size:1px;line-height:1px;color:#f4f4f5}
`;

// The fluid-hybrid pattern: the container is as wide as the screen up to 600 px (width 100%,
// max-width 600px), so a phone never scrolls sideways. Its fixed table layout keeps a long word
// or URL from widening it, and cells break such words (`anywhere` where supported, `break-word`
// elsewhere). Outlook's Word engine ignores max-width: it gets a ghost table of 600 px in
// conditional comments, which every other client skips.
const OUTLOOK_OPEN = '<!--[if mso]><table role="presentation" width="600" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->';
const OUTLOOK_CLOSE = '<!--[if mso]></td></tr></table><![endif]-->';

function EmailIssue(props: { doc: IssueDocument; nl: NewsletterSettings }) {
  const { doc, nl } = props;
  const site = safeHttpUrl(nl.siteUrl);
  const subscribe = safeHttpUrl(nl.subscribeUrl);
  const line = headerLine(doc, nl);
  const preheader = doc.stories[0]?.draft?.tldr ?? nl.tagline ?? '';
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{issueSubject(doc, nl)}</title>
        <style>{raw(EMAIL_CSS)}</style>
      </head>
      <body>
        <div class="preheader">{preheader}</div>
        <table role="presentation" class="outer" width="100%" cellpadding="0" cellspacing="0" border={0}>
          <tr>
            <td align="center">
              {raw(OUTLOOK_OPEN)}
              <table role="presentation" class="container" width="100%" align="center" cellpadding="0" cellspacing="0" border={0}>
                <tr>
                  <td class="header">
                    <h1 class="name">{site ? <a href={site}>{nl.name}</a> : nl.name}</h1>
                    {nl.tagline ? <p class="tagline">{nl.tagline}</p> : null}
                    {line ? <p class="issue-line">{line}</p> : null}
                    {doc.title ? <p class="issue-title">{doc.title}</p> : null}
                  </td>
                </tr>
                {readerStories(doc.stories, nl).map((s) => (
                  <tr>
                    {/* The story layout is built with escaping JSX; its HTML goes in as it is. */}
                    <td class="story-cell">{raw(renderHtml(s, FOR_READERS))}</td>
                  </tr>
                ))}
                <tr>
                  <td class="footer">
                    <p>{subscribe ? <a href={subscribe}>{nl.subscribeLine}</a> : <strong>{nl.subscribeLine}</strong>}</p>
                    {site ? (
                      <p>
                        <a href={site}>{site}</a>
                      </p>
                    ) : null}
                  </td>
                </tr>
              </table>
              {raw(OUTLOOK_CLOSE)}
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

/**
 * The issue as an email body: a fluid-hybrid table layout (full width on a phone, 600 px at
 * most) with every style inline (no <style>, <link> or script) and nothing external needed to read it.
 */
export function renderIssueHtml(doc: IssueDocument, nl: NewsletterSettings): string {
  const page = '<!DOCTYPE html>' + String(<EmailIssue doc={doc} nl={nl} />);
  return juice(page, {
    removeStyleTags: true,
    preserveMediaQueries: false,
    preserveFontFaces: false,
    preserveImportant: false,
    applyWidthAttributes: true,
    applyHeightAttributes: false,
    insertPreservedExtraCss: false,
  });
}
