/**
 * The offline engine: a deterministic extractive draft with the same shape as the LLM's, for
 * runs without a model. Every quote is a sentence of the article, so every takeaway is grounded.
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { Draft, DraftInput, Framing, FramingVerdict } from '../core/types.ts';
import { checkGrounding } from './grounding.ts';
import { hash16 } from './prompt.ts';
import { LIMITS } from './schema.ts';

/** Bump when the algorithm changes, so drafts from different versions can be told apart. */
export const EXTRACTIVE_ENGINE_VERSION = 'extractive-v1';

const nlp = winkNLP(model);
const its = nlp.its;

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

/** Lexicon estimate of the framing: wink-nlp sentiment plus a count of news-harm words. */
export function estimateFraming(text: string): Framing {
  const sample = text.slice(0, MAX_TEXT_CHARS);
  if (!AI_TERMS.test(sample)) {
    return {
      verdict: 'not_ai',
      score: 0,
      rationale: 'Lexicon estimate: the text never mentions AI, machine learning or related terms.',
      concerns: ['offline estimate: not reviewed by a model'],
    };
  }
  const sentiment = nlp.readDoc(sample).out(its.sentiment) as unknown as number; // -1..1
  const words = Math.max(1, wordsOf(sample).length);
  const harmHits = sample.match(HARM_TERMS)?.length ?? 0;
  const harmDensity = (harmHits * 100) / words; // harm words per 100 words
  const adjusted = Math.max(-1, Math.min(1, sentiment - 0.15 * harmDensity));
  const score = Math.round(((adjusted + 1) / 2) * 100) / 100;
  const verdict: FramingVerdict =
    adjusted >= 0.1 && harmDensity < 1 ? 'positive' : adjusted <= -0.1 || harmDensity >= 2.5 ? 'negative' : 'mixed';
  const concerns = ['offline estimate: not reviewed by a model'];
  if (harmHits > 0) concerns.push(`mentions harms or risks (${harmHits} word${harmHits === 1 ? '' : 's'} such as layoffs, lawsuits, bias): check the framing`);
  return {
    verdict,
    score,
    rationale: `Lexicon estimate (sentiment ${sentiment.toFixed(2)}, ${harmHits} harm term${harmHits === 1 ? '' : 's'}), not a reading of the story.`,
    concerns,
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

const joinCapped = (sentences: Sentence[], max: number) => {
  let out = '';
  for (const s of sentences) {
    const next = out ? `${out} ${s.text}` : s.text;
    if (next.length > max) break;
    out = next;
  }
  return out || sentences[0]?.text.slice(0, max) || '';
};

/** Drafts without a model: ranked sentences of the article, quoted verbatim. Deterministic. */
export function draftExtractive(input: DraftInput, categories: string[]): Draft {
  const started = performance.now();
  const sentences = splitSentences(input.text);
  const ranked = rankSentences(sentences);
  const byPosition = (a: Sentence, b: Sentence) => a.index - b.index;

  // TL;DR: the lead plus the best other sentence, in article order.
  const lead = sentences.find(fitsQuote) ?? sentences[0];
  const second = ranked.find((s) => s !== lead && fitsQuote(s));
  const tldrSentences = [lead, second].filter((s): s is Sentence => !!s).sort(byPosition);

  // Takeaways: the best quotable sentences not already in the TL;DR, when there are enough.
  const quotable = ranked.filter(fitsQuote);
  const fresh = quotable.filter((s) => !tldrSentences.includes(s));
  // Leave one sentence for "why it matters" when that still allows the minimum number of takeaways.
  const keep = Math.min(LIMITS.maxTakeaways, Math.max(LIMITS.minTakeaways, fresh.length - 1));
  let picked = (fresh.length >= LIMITS.minTakeaways ? fresh : quotable).slice(0, keep);
  if (picked.length < LIMITS.minTakeaways) {
    // Short article: accept any sentence that fits the quote cap rather than return too few.
    const extra = ranked.filter((s) => !picked.includes(s) && s.text.length <= LIMITS.quote && s.words.length >= 3);
    picked = [...picked, ...extra].slice(0, LIMITS.minTakeaways);
  }
  picked.sort(byPosition);

  const used = new Set([...tldrSentences, ...picked]);
  const why = ranked.filter((s) => !used.has(s) && fitsQuote(s)).slice(0, 2).sort(byPosition);

  return {
    headline: cleanHeadline(input.title, input.siteName, tldrSentences[0]?.text ?? 'Untitled'),
    tldr: joinCapped(tldrSentences, LIMITS.tldr),
    takeaways: picked.map((s) => ({ text: s.text, quote: s.text, grounded: checkGrounding(s.text, input.text) })),
    whyItMatters: joinCapped(why.length > 0 ? why : ranked.filter((s) => s !== lead).slice(0, 1), LIMITS.whyItMatters),
    category: pickCategory(`${input.title}\n${input.text.slice(0, MAX_TEXT_CHARS)}`, categories),
    framing: estimateFraming(`${input.title}\n${input.text}`),
    engine: 'extractive',
    model: null,
    promptId: 'extractive',
    promptHash: hash16(EXTRACTIVE_ENGINE_VERSION),
    inputTokens: 0,
    outputTokens: 0,
    latencyMs: Math.round(performance.now() - started),
    inputTruncated: input.text.length > MAX_TEXT_CHARS,
    readingMinutes: input.readingMinutes,
  };
}
