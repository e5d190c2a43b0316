/** The newsletter story as Markdown. Untrusted text is escaped so it cannot become markup or links. */
import { metaLine, type NewsletterStory } from './story.ts';
import type { RenderOptions } from './text.ts';

/** Escapes what Markdown would read as markup: emphasis, links, HTML, code, tables, and block starts. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#+\-])/, (_, space: string, mark: string) => `${space}\\${mark}`)
    .replace(/^(\s*\d+)([.)])/, (_, number: string, mark: string) => `${number}\\${mark}`);
}

/**
 * A URL as the target of a Markdown link: what could end the link (whitespace, parentheses,
 * angle brackets) is percent-encoded. Not with encodeURIComponent, which leaves ( and ) as they
 * are: a ")" would end the link early.
 */
export const linkTarget = (url: string): string =>
  url.replace(/[\s()<>]/g, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));

export function renderMarkdown(s: NewsletterStory, opts: RenderOptions = {}): string {
  const e = escapeMarkdown;
  const level = Math.min(Math.max(opts.headingLevel ?? 1, 1), 5);
  const h = '#'.repeat(level);
  const sub = '#'.repeat(level + 1);
  const out: string[] = [];
  if (opts.editorNotes ?? true) for (const n of s.editorNotes) out.push(`> **Editor note:** ${e(n)}`, '');
  out.push(e(metaLine(s)), '', `${h} ${e(s.headline)}`, '');
  out.push(`Source: ${s.source.url ? `[${e(s.source.name)}](${linkTarget(s.source.url)})` : e(s.source.name)}`, '');
  out.push(`${sub} TL;DR`, '', e(s.tldr), '', `${sub} Key Takeaways`, '');
  s.takeaways.forEach((t, i) => out.push(`${i + 1}. ${e(t)}`));
  out.push('');
  if (s.deck) out.push(`*${e(s.deck)}*`, '');
  if (s.body.length && s.bodyIsExcerpt) out.push('Excerpt from the article:', '');
  for (const p of s.body) out.push(s.bodyIsExcerpt ? `> ${e(p)}` : e(p), '');
  out.push(`**Why it matters:** ${e(s.whyItMatters)}`, '');
  if (s.implications.length) out.push(...s.implications.map((i) => `- ${e(i)}`), '');
  if (s.readerNote) out.push(`_${e(s.readerNote)}_`, '');
  return out.join('\n');
}
