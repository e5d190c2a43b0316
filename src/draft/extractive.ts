/**
 * The offline engine: a deterministic extractive draft with the same shape as the LLM's, for
 * runs without a model. Every quote is a sentence of the article, so every takeaway is grounded.
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { Draft, DraftInput, Framing } from '../core/types.ts';
import { findClaims, groundQuote, indexSource } from './grounding.ts';
import { readingMinutesOf } from './story.ts';
import { hash16 } from './prompt.ts';
import { LIMITS } from './schema.ts';

/** Bump when the algorithm changes, so drafts from different versions can be told apart. */
export const EXTRACTIVE_ENGINE_VERSION = 'extractive-v2';

const nlp = winkNLP(model);

/** Bounds the work on huge articles; the lead of a news story carries its substance. */
const MAX_TEXT_CHARS = 60_000;
const MIN_WORDS = 6;
const MAX_WORDS = 60;

const STOPWORDS = new Set(
  ('a about above after again against all also am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out over own same she should so some such than that the their theirs them then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours said says say new one two year years according')
    .split(' '),
);

/** AI terms; a bare "model" is left out because "business model" and "role model" are common. */
const AI_TERMS =
  /\bA\.?I\.?\b|\bartificial intelligence\b|\bmachine[- ]learning\b|\bdeep[- ]learning\b|\bneural (?:net|network)s?\b|\bLLMs?\b|\blarge language models?\b|\blanguage models?\b|\bfoundation models?\b|\bAI models?\b|\bchat ?bots?\b|\bGPT(?:-\d+\w*)?\b|\bChatGPT\b|\bgenerative\b|\balgorithms?\b|\bcomputer vision\b/;

/** News-harm words the general sentiment lexicon underrates (it scores "laid off" as neutral). */
const HARM_TERMS =
  /\b(?:lay ?offs?|laid off|layoff|job cuts?|fired|lawsuits?|sued|suing|fraud|scams?|breach(?:es)?|leak(?:ed|s)?|deepfakes?|misinformation|disinformation|surveillance|bias(?:ed)?|discriminat\w*|harm(?:s|ed|ful)?|injur\w*|deaths?|died|kill\w*|ban(?:s|ned)?|outage|failure|failed|errors?|hallucinat\w*|danger\w*|risks?|threat\w*|crisis|victims?|exploit\w*|abuse\w*|stolen|theft)\b/gi;

/** Keywords for common newsletter categories; any category also matches its own name. */
const CATEGORY_HINTS: Record<string, string[]> = {
  health: ['health', 'medical', 'medicine', 'patient', 'patients', 'hospital', 'doctor', 'doctors', 'disease', 'cancer', 'diagnosis', 'clinical', 'drug', 'nurses'],
  climate: ['climate', 'emissions', 'carbon', 'energy', 'weather', 'wildfire', 'flood', 'renewable', 'solar', 'environment'],
  science: ['science', 'research', 'researchers', 'scientists', 'study', 'protein', 'physics', 'biology', 'discovery', 'astronomy'],
  education: ['education', 'students', 'student', 'school', 'schools', 'teachers', 'teacher', 'classroom', 'tutor', 'course', 'courses', 'classes', 'lessons', 'literacy', 'library', 'libraries', 'teach'],
  business: ['business', 'company', 'companies', 'startup', 'revenue', 'investors', 'market', 'customers', 'profit', 'shop', 'bakery', 'firm', 'firms'],
  research: ['research', 'researchers', 'study', 'paper', 'trial', 'benchmark', 'dataset', 'published', 'findings'],
  policy: ['policy', 'regulator', 'regulators', 'regulation', 'law', 'laws', 'government', 'lawmakers', 'congress', 'parliament', 'ban', 'court'],
  products: ['product', 'products', 'launch', 'launches', 'app', 'feature', 'features', 'release', 'device', 'update'],
  accessibility: ['accessibility', 'accessible', 'disability', 'disabilities', 'blind', 'deaf', 'sign language', 'wheelchair', 'captions'],
  work: ['work', 'workers', 'jobs', 'employees', 'productivity', 'workplace'],
  agriculture: ['farm', 'farmers', 'crops', 'agriculture', 'harvest'],
  safety: ['safety', 'rescue', 'disaster', 'earthquake', 'emergency'],
};

interface Sentence {
  text: string;
  index: number;
  words: string[];
  score: number;
}

const wordsOf = (s: string) => (s.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? []);

function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  // Sentences never span paragraphs.
  for (const paragraph of text.slice(0, MAX_TEXT_CHARS).split(/\n\s*\n/)) {
    if (!paragraph.trim()) continue;
    for (const raw of nlp.readDoc(paragraph.replace(/\s+/g, ' ').trim()).sentences().out()) {
      const s = raw.trim();
      if (s) out.push({ text: s, index: out.length, words: wordsOf(s), score: 0 });
    }
  }
  return out;
}

/** Word-frequency centrality, lead weighted: the classic extractive summary score. */
function rankSentences(sentences: Sentence[]): Sentence[] {
  const freq = new Map<string, number>();
  for (const s of sentences) for (const w of new Set(s.words)) if (!STOPWORDS.has(w) && w.length > 2) freq.set(w, (freq.get(w) ?? 0) + 1);
  const max = Math.max(1, ...freq.values());
  for (const s of sentences) {
    const content = [...new Set(s.words)].filter((w) => freq.has(w));
    const centrality = content.reduce((sum, w) => sum + freq.get(w)! / max, 0) / Math.sqrt(Math.max(1, s.words.length));
    const position = s.index === 0 ? 1.6 : 1 + 0.4 / (1 + s.index / 3);
    s.score = centrality * position;
  }
  return [...sentences].sort((a, b) => b.score - a.score || a.index - b.index);
}

const fitsQuote = (s: Sentence) =>
  s.words.length >= MIN_WORDS && s.words.length <= MAX_WORDS && s.text.length <= LIMITS.quote && !s.text.endsWith('?');

/** Picks a category by keyword hits; fallback: a configured "Other", else the first category. */
export function pickCategory(text: string, categories: string[]): string {
  if (categories.length === 0) return 'Other';
  const lower = ` ${text.toLowerCase()} `;
  const count = (kw: string) => lower.split(new RegExp(`\\b${kw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`)).length - 1;
  let best = { category: '', hits: 0 };
  for (const category of categories) {
    const name = category.toLowerCase();
    const keywords = new Set([name, ...name.split(/[^a-z0-9]+/).filter((w) => w.length > 3), ...Object.entries(CATEGORY_HINTS).filter(([k]) => name.includes(k)).flatMap(([, v]) => v)]);
    const hits = [...keywords].reduce((n, kw) => n + count(kw), 0);
    if (hits > best.hits) best = { category, hits };
  }
  if (best.hits > 0) return best.category;
  return categories.find((c) => c.toLowerCase() === 'other') ?? categories[0]!;
}

/**
 * The framing without a model: always `uncertain`, because no word list can tell a constructive
 * story from spin. What the text plainly shows (no AI terms at all, harm words) goes to the
 * concerns as observations for the editor, never into the verdict.
 */
export function offlineFraming(text: string): Framing {
  const sample = text.slice(0, MAX_TEXT_CHARS);
  const concerns = ['offline draft: no model judged this story; an editor must decide the verdict'];
  if (!AI_TERMS.test(sample)) concerns.push('the text never mentions AI, machine learning or related terms: check that AI is involved at all');
  const harmHits = sample.match(HARM_TERMS)?.length ?? 0;
  if (harmHits > 0) concerns.push(`the text mentions harms or risks (${harmHits} word${harmHits === 1 ? '' : 's'} such as layoffs, lawsuits, bias): check the framing`);
  return {
    verdict: 'uncertain',
    score: 0.5,
    rationale: 'Offline draft: without a model the story was not read for its framing, so the verdict is left to an editor (or `aiwins redraft` with a model).',
    concerns,
    angle: null,
    confidence: 0,
    recommendation: 'skip',
  };
}

/** Cleans a page title: whitespace, and a " | Site" or " - Site" suffix naming the site. */
function cleanHeadline(title: string, siteName: string | null, fallback: string): string {
  let t = title.replace(/\s+/g, ' ').trim();
  const parts = t.split(/\s+[|\u2013\u2014-]\s+/);
  if (parts.length > 1) {
    const last = parts[parts.length - 1]!.toLowerCase();
    if ((siteName && last === siteName.toLowerCase().trim()) || parts[parts.length - 1]!.length <= 30) t = parts.slice(0, -1).join(' - ');
  }
  if (!t) t = fallback;
  return t.length > LIMITS.headline ? `${t.slice(0, LIMITS.headline - 1).trimEnd()}…` : t;
}

/** A takeaway is short: a reader takes it in at a glance. */
const MAX_TAKEAWAY_WORDS = 25;
/** A clause shorter than this is rarely a fact on its own. */
const MIN_CLAUSE_WORDS = 8;
/** Two picks sharing this much of their content words say the same thing. */
const DUPLICATE_OVERLAP = 0.5;

const NUMBER_WORDS =
  /\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|half|dozen|doubled|tripled)\b/i;
/** Verbs that report what happened, as opposed to background or opinion. */
const OUTCOME_WORDS =
  /\b(?:found|finds|identified|detected|flagged|diagnosed|cut|cuts|reduced|rose|fell|doubled|saved|issued|finished|won|wins|launched|released|approved|matched|improved|eligible|handles|sending|started|plans?|rehired|replaced)\b/i;

/** A candidate takeaway: a sentence, or its first clause when the sentence is long, and why it scored. */
interface Candidate {
  text: string;
  sentence: Sentence;
  facts: number;
  reasons: string[];
}

/** The sentence itself when short; else its longest leading clause of at most 25 words, if any. */
function shortForm(s: Sentence): string | null {
  if (s.words.length <= MAX_TAKEAWAY_WORDS) return s.text;
  let best: string | null = null;
  // A comma ends a clause only before a conjunction: "The bakery, run by two sisters" is not a statement.
  for (const m of s.text.matchAll(/[;:\u2013\u2014]|,(?=\s+(?:and|but|with|although|though|while|even|which|after|as|so|because|when|according|since|whereas|who|where)\b)/g)) {
    const clause = s.text.slice(0, m.index).trim();
    const n = wordsOf(clause).length;
    if (n > MAX_TAKEAWAY_WORDS) break;
    if (n >= MIN_CLAUSE_WORDS && !/["\u201C]/.test(clause.replace(/^["\u201C]/, ''))) best = clause;
  }
  return best ? `${best.replace(/[,;:\s]+$/, '')}.` : null;
}

/** Facts in a piece of text: numbers, named actors and reported outcomes, each with its reason. */
function scoreFacts(text: string): { facts: number; reasons: string[] } {
  const reasons: string[] = [];
  const claims = findClaims(text);
  const numbers = claims.filter((c) => /^\p{N}/u.test(c.text)).map((c) => c.text);
  const names = claims.filter((c) => !/^\p{N}/u.test(c.text)).map((c) => c.text);
  const spelled = NUMBER_WORDS.exec(text)?.[0];
  if (numbers.length > 0) reasons.push(`numbers ${numbers.join(', ')}`);
  else if (spelled) reasons.push(`quantity "${spelled}"`);
  if (names.length > 0) reasons.push(`names ${names.join(', ')}`);
  const outcome = OUTCOME_WORDS.exec(text)?.[0];
  if (outcome) reasons.push(`outcome "${outcome}"`);
  const facts = 2 * Math.min(numbers.length, 3) + (spelled && numbers.length === 0 ? 1 : 0) + Math.min(names.length, 2) + (outcome ? 1 : 0);
  return { facts, reasons };
}

const contentWords = (text: string) => new Set(wordsOf(text).filter((w) => !STOPWORDS.has(w) && w.length > 2));

function overlap(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / Math.min(a.size, b.size);
}

/** What the offline engine picked from an article, and why: for measuring changes to it. */
export interface ExtractivePicks {
  tldr: string;
  takeaways: { text: string; reasons: string[] }[];
}

/**
 * Takeaways: short, fact-bearing passages (numbers, named actors, outcomes over background),
 * de-duplicated against each other and the TL;DR, in article order. Direct speech is left to
 * the article: a takeaway states a fact, not a voice.
 */
function pickTakeaways(sentences: Sentence[], ranked: Sentence[], lead: Sentence | undefined): Candidate[] {
  const candidates: Candidate[] = [];
  for (const s of ranked) {
    if (s === lead || !fitsQuote(s) || /^["\u201C]/.test(s.text)) continue;
    const text = shortForm(s);
    if (!text) continue;
    const { facts, reasons } = scoreFacts(text);
    candidates.push({ text, sentence: s, facts, reasons });
  }
  // Fact-bearing first; among equals, the extractive rank (centrality, lead-weighted) decides.
  const order = [...candidates].sort((a, b) => b.facts - a.facts || ranked.indexOf(a.sentence) - ranked.indexOf(b.sentence));
  const seen = lead ? [contentWords(lead.text)] : [];
  const picked: Candidate[] = [];
  for (const c of order) {
    if (picked.length >= LIMITS.maxTakeaways - 1) break;
    const words = contentWords(c.text);
    if (seen.some((w) => overlap(w, words) >= DUPLICATE_OVERLAP)) continue;
    if (c.facts === 0 && picked.length >= LIMITS.minTakeaways) continue;
    seen.push(words);
    picked.push(c);
  }
  if (picked.length < LIMITS.minTakeaways) {
    // Short article: any remaining sentence that fits, rather than too few takeaways.
    // The lead goes last: repeating the TL;DR is better than too few takeaways.
    for (const s of [...sentences.filter((x) => x !== lead), ...(lead ? [lead] : [])]) {
      if (picked.length >= LIMITS.minTakeaways) break;
      if (picked.some((p) => p.sentence === s) || s.words.length < 3 || s.text.length > LIMITS.quote) continue;
      picked.push({ text: s.text, sentence: s, facts: 0, reasons: ['filler: the article has too few sentences'] });
    }
  }
  return picked.sort((a, b) => a.sentence.index - b.sentence.index);
}

/** The article's own lead paragraphs, verbatim: the offline body is an excerpt, never rewritten. */
function leadParagraphs(text: string): string[] {
  return text
    .slice(0, MAX_TEXT_CHARS)
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0 && p.length <= LIMITS.bodyParagraph)
    .slice(0, LIMITS.minBody);
}

/** What the engine picks from an article, with the reasons: the TL;DR and takeaways. */
export function explainExtractive(input: DraftInput): ExtractivePicks {
  const sentences = splitSentences(input.text);
  const ranked = rankSentences(sentences);
  const lead = sentences.find(fitsQuote) ?? sentences[0];
  return {
    tldr: lead?.text ?? '',
    takeaways: pickTakeaways(sentences, ranked, lead).map((c) => ({ text: c.text, reasons: c.reasons })),
  };
}

/**
 * Drafts without a model, and says so: the TL;DR is the lead sentence, takeaways are short
 * verbatim passages, the body is the article's own lead paragraphs (an excerpt), and what only a
 * writer can add (deck, implications, reader note) is left empty. Deterministic.
 */
export function draftExtractive(input: DraftInput, categories: string[]): Draft {
  const started = performance.now();
  const sentences = splitSentences(input.text);
  const ranked = rankSentences(sentences);
  const lead = sentences.find(fitsQuote) ?? sentences[0];
  const picked = pickTakeaways(sentences, ranked, lead);
  const source = indexSource({ title: input.title, text: input.text });

  const body = leadParagraphs(input.text);
  // Why it matters: the best remaining statement outside the excerpt, so the story never says a thing twice.
  const used = new Set([lead, ...picked.map((p) => p.sentence)]);
  const fresh = (s: Sentence) => !used.has(s) && !body.some((p) => p.includes(s.text));
  const why = ranked.find((s) => fresh(s) && fitsQuote(s) && !/^["\u201C]/.test(s.text)) ?? ranked.find(fresh) ?? ranked.find((s) => s !== lead);

  const content = {
    headline: cleanHeadline(input.title, input.siteName, lead?.text ?? 'Untitled'),
    tldr: (lead?.text ?? '').slice(0, LIMITS.tldr),
    takeaways: picked.map((c) => {
      const grounded = groundQuote(c.text, source).grounded;
      return { text: c.text, quote: c.text, grounded, supported: grounded, missingFromQuote: [] };
    }),
    deck: '',
    body,
    whyItMatters: (why?.text ?? '').slice(0, LIMITS.whyItMatters),
    implications: [],
    readerNote: null,
    category: pickCategory(`${input.title}\n${input.text.slice(0, MAX_TEXT_CHARS)}`, categories),
    framing: offlineFraming(`${input.title}\n${input.text}`),
    unsupportedClaims: [],
  };
  return {
    ...content,
    engine: 'extractive',
    model: null,
    promptId: 'extractive',
    promptHash: hash16(EXTRACTIVE_ENGINE_VERSION),
    inputTokens: 0,
    outputTokens: 0,
    latencyMs: Math.round(performance.now() - started),
    inputTruncated: input.text.length > MAX_TEXT_CHARS,
    readingMinutes: readingMinutesOf(content),
    // Every quote is the article's own words, so nothing is flagged; the engine itself is marked in `show`.
    needsReview: content.takeaways.some((t) => !t.supported),
  };
}
