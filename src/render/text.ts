/** The newsletter story as plain text, for terminals and plain-text email. */
import { metaLine, type NewsletterStory } from './story.ts';

export interface RenderOptions {
  /** Show the editors' notes (offline draft, failed checks); an export for readers leaves them out. */
  editorNotes?: boolean;
  /** Markdown: the headline's heading level (1 for a story alone, 2 inside an issue); its sections are one below. */
  headingLevel?: number;
}

export function renderText(s: NewsletterStory, opts: RenderOptions = {}): string {
  const out: string[] = [];
  if (opts.editorNotes ?? true) for (const n of s.editorNotes) out.push(`[${n}]`);
  if (out.length) out.push('');
  out.push(metaLine(s), s.headline, `Source: ${s.source.name}${s.source.url ? ` <${s.source.url}>` : ''}`, '');
  out.push('TL;DR', s.tldr, '', 'Key Takeaways');
  s.takeaways.forEach((t, i) => out.push(`  ${i + 1} ${t}`));
  out.push('');
  if (s.deck) out.push(s.deck, '');
  if (s.body.length) {
    if (s.bodyIsExcerpt) out.push('Excerpt from the article:');
    for (const p of s.body) out.push(s.bodyIsExcerpt ? `  > ${p}` : p, '');
  }
  out.push(`Why it matters: ${s.whyItMatters}`);
  for (const i of s.implications) out.push(`  • ${i}`);
  if (s.readerNote) out.push('', s.readerNote);
  return out.join('\n') + '\n';
}
