/**
 * Prints what the offline engine picks from each demo article (data/demo/articles): the TL;DR and
 * the takeaways with their length, so a change to the engine is measured on the same texts.
 */
import { draftExtractive, explainExtractive } from '../src/draft/extractive.ts';
import { loadDemoArticles } from './demo-site.ts';

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
/** A fact a reader can check: a number (digits or spelled), or a name after the first word. */
const hasFact = (s: string) =>
  /\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion)\b/i.test(s) || /\s\p{Lu}\p{Ll}+/u.test(s.slice(1));
let total = 0;
let withFacts = 0;
let wordSum = 0;
let longest = 0;
for (const a of loadDemoArticles()) {
  const text = a.paragraphs.join('\n\n');
  const input = { title: a.title, url: `https://example.org/${a.slug}`, text, siteName: null, feedName: null, readingMinutes: 2 };
  const d = draftExtractive(input, ['Health', 'Climate', 'Business', 'Education', 'Other']);
  const why = new Map(explainExtractive(input).takeaways.map((t) => [t.text, t.reasons.join('; ')]));
  console.log(`\n${a.slug}: ${d.framing.verdict}`);
  console.log(`  TL;DR (${words(d.tldr)} words): ${d.tldr}`);
  for (const t of d.takeaways) {
    total++;
    wordSum += words(t.text);
    longest = Math.max(longest, words(t.text));
    if (hasFact(t.text)) withFacts++;
    console.log(`  - (${words(t.text)} words${hasFact(t.text) ? ', fact' : ''}) ${t.text}\n      picked for: ${why.get(t.text) || 'rank only'}`);
  }
}
console.log(`\ntakeaways: ${total}, mean ${(wordSum / total).toFixed(1)} words, ${withFacts} with a number or a name; longest ${longest} words`);
