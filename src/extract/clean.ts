/**
 * Precision work on what Readability returns. Readability finds the right part of the page well
 * (recall ~0.98) but keeps boilerplate inside it: share bars, bylines and datelines, captions, lists of
 * related links, comment threads, "Advertisement" labels and copyright footers. Two passes remove it:
 * one on the content DOM (where class names and link density are visible), one on the text's
 * paragraphs (where short label lines and legal footers are recognisable). Each rule has a name so the
 * benchmark can switch it off and measure what it buys (scripts/bench-extract.ts --skip-rules).
 */

/** The names of the cleaning rules, for ExtractLimits.skipRules. */
export type CleanRule =
  | 'page-captions'
  | 'alt-captions'
  | 'boilerplate-attr'
  | 'side-columns'
  | 'comments'
  | 'captions'
  | 'link-dense'
  | 'boilerplate-lines'
  | 'edge-lines'
  | 'headline'
  | 'credit-lines'
  | 'fact-lines'
  | 'related-tail'
  | 'header-lines';

/** class/id words that mark page furniture rather than story text. */
const BOILERPLATE_ATTR =
  /(?:^|[\s_-])(?:share|sharing|social|sociable|addthis|newsletter|signup|subscribe|related|byline|bylines|author|bio|bios|biography|authorbio|dateline|timestamp|posted|postmeta|breadcrumbs?|crumbs?|tags|tagline|toolbar|tools|promo|advert|advertisement|ads?|sponsor(?:ed)?|print|email|rating|ratings|pagination|pager|footer|disclaimer|copyright|(?:more|most|also|other)-?(?:news|stories|read|popular|headlines))(?:$|[\s_-])/i;
/**
 * class/id words of a page's side column. A side column sits beside the story, so it may be as long
 * as the story itself and still not be it.
 */
const SIDE_COLUMN_ATTR = /(?:^|[\s_-])(?:side-?bar|rail|right[_-]?col(?:umn)?\d*)(?:$|[\s_-])/i;
const COMMENT_ATTR = /(?:^|[\s_-])(?:comments?|commentlist|discussion|talkback|respond|replies|reply|disqus)(?:$|[\s_-])/i;
const CAPTION_ATTR = /(?:^|[\s_-])(?:caption|captions|credit|credits|photo-?credit|wp-caption-text|image-?caption)(?:$|[\s_-])/i;

/**
 * Blocks judged by link density: the unit a list of related headlines or a nav bar is made of. A list
 * is judged as a whole, not item by item: one linked item in a list of prose items is content.
 */
const LINK_DENSITY_TAGS = new Set(['p', 'dd', 'dt', 'td', 'th', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'div', 'span', 'font', 'tr', 'ul', 'ol', 'table']);

const textLength = (el: Element): number => (el.textContent ?? '').replace(/\s+/g, ' ').trim().length;

function attrs(el: Element): string {
  return `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`;
}

/** A caption's class or id, also run together with other words ("CaptionFont", "imgCaption"). */
const CAPTION_MARK = /caption|photo-?credit|image-?credit/i;
/** Longer than this, an element marked as a caption is more likely a wrapper: it is kept. */
const MAX_CAPTION_WORDS = 80;

/** An image description this long reads like a caption; shorter ones are labels ("photo", a name). */
const MIN_ALT_CAPTION_WORDS = 5;

/**
 * Removes captions from the page before Readability sees it: Readability rewrites the elements it
 * keeps (a div becomes a p, without its class), so afterwards a caption looks like any paragraph.
 * Returns the images' descriptions (alt, title) long enough to be captions: a paragraph that repeats
 * one is the caption printed beside its image (see cleanParagraphs).
 */
export function removePageCaptions(doc: Document, skip: ReadonlySet<string> = new Set()): string[] {
  if (!doc.body) return [];
  if (!skip.has('page-captions')) {
    const captions = Array.from(doc.body.querySelectorAll('figcaption, [class], [id]')).filter(
      (el) => el.localName === 'figcaption' || CAPTION_MARK.test(attrs(el)),
    );
    for (const el of captions) {
      if (!el.parentNode || el.localName === 'body' || el.localName === 'html') continue;
      const text = (el.textContent ?? '').trim();
      if (text.split(/\s+/).length <= MAX_CAPTION_WORDS) el.remove();
    }
  }
  if (skip.has('alt-captions')) return [];
  const descriptions = new Set<string>();
  for (const img of doc.body.querySelectorAll('img[alt], img[title]')) {
    for (const value of [img.getAttribute('alt'), img.getAttribute('title')]) {
      const key = letters(value ?? '');
      if (key.split(' ').length >= MIN_ALT_CAPTION_WORDS) descriptions.add(key);
    }
  }
  return [...descriptions];
}

/** Whether a paragraph is an image's caption: its description, perhaps followed by a photo credit. */
function repeatsCaption(paragraph: string, captions: readonly string[]): boolean {
  const key = letters(paragraph);
  return captions.some((caption) => key === caption || (key.startsWith(caption) && key.length <= caption.length + 60));
}

/**
 * Removes furniture from Readability's content element, in place. A matching element is only removed
 * when what is left is still a story (at least `minKeptChars`), so a wrapper whose class happens to
 * match never takes the article with it.
 */
export function cleanContentDom(root: Element, skip: ReadonlySet<string> = new Set()): void {
  const total = textLength(root);
  const minKept = Math.min(500, total * 0.5);
  let removed = 0;
  const removeIfSafe = (el: Element, maxShare: number): void => {
    const len = textLength(el);
    if (len > total * maxShare || total - removed - len < minKept) return;
    removed += len;
    el.remove();
  };
  // Snapshot: removal while iterating a live list would skip elements.
  const elements = Array.from(root.querySelectorAll('*'));
  for (const el of elements) {
    if (!el.parentNode || !root.contains(el)) continue; // inside something already removed
    const tag = el.localName;
    const marks = attrs(el);
    if (!skip.has('captions') && (tag === 'figcaption' || tag === 'figure' || CAPTION_ATTR.test(marks))) {
      removeIfSafe(el, 0.3);
    } else if (!skip.has('comments') && COMMENT_ATTR.test(marks)) {
      // A comment thread can be far longer than the story it follows.
      removeIfSafe(el, 1);
    } else if (!skip.has('boilerplate-attr') && BOILERPLATE_ATTR.test(marks)) {
      removeIfSafe(el, 0.3);
    } else if (!skip.has('side-columns') && SIDE_COLUMN_ATTR.test(marks)) {
      removeIfSafe(el, 0.5);
    }
  }
  if (!skip.has('link-dense')) removeLinkDenseBlocks(root, total, minKept);
}

/**
 * Removes blocks whose text is mostly link text (related headlines, nav bars, tag lists). Innermost
 * blocks first, so one link-dense list inside a prose div goes and the div stays.
 */
function removeLinkDenseBlocks(root: Element, total: number, minKept: number): void {
  let kept = total;
  const blocks = Array.from(root.querySelectorAll('*')).filter((el) => LINK_DENSITY_TAGS.has(el.localName)).reverse();
  for (const block of blocks) {
    if (!block.parentNode || !root.contains(block)) continue;
    const len = textLength(block);
    if (len === 0) continue;
    let linkLen = 0;
    for (const a of block.querySelectorAll('a')) linkLen += textLength(a);
    // One short linked word in a long paragraph is prose; a line that is nearly all link is not.
    if (linkLen / len >= 0.6 && kept - len >= minKept) {
      kept -= len;
      block.remove();
    }
  }
}

/** The label of a list of other stories: "Related Articles", "More Washington news", "Most emailed". */
const RELATED_LIST_LABEL = /^(?:related|more|other|latest|top|most)\b.{0,30}\b(?:stories|news|articles|links|headlines|popular|read|viewed|emailed)\b/i;

/** Lines that are never story text when they stand alone as a paragraph. */
const BOILERPLATE_LINE = new RegExp(
  [
    /^(?:copyright\b|©|\(c\)\s*\d{4})/.source,
    /all rights reserved/.source,
    // An ad slot's label, also as a heading of a block of ads ("Advertisement Links", "Sponsored content").
    /^(?:advertisements?|advertising|sponsored)(?: (?:links?|features?|content))?$|^(?:story|article) continues (?:below|after)\b/.source,
    /^(?:posted|published|updated|last updated|filed|submitted|created)\b.{0,60}\d/.source,
    /^(?:share|email|e-mail|print|save|send)\b(?:\s*(?:this|to a friend|article|story|page|\||,))*/.source,
    /^(?:click|sign up|subscribe|register|log in|login)\b/.source,
    RELATED_LIST_LABEL.source,
    /^(?:comments?|(?:leave|add|post|write|submit) (?:a |your )?comments?|\d+ comments?)\b/.source,
    /^tags?:|^categor(?:y|ies):|^filed under|^this (?:entry|post|article|story) was (?:posted|tagged|filed)\b|\btrackbacks?\b/.source,
    // A text-size tool ("Font Scale: A A A", "Text size").
    /^(?:font|text)[ -]?(?:size|scale)\b/.source,
    /contributed (?:to )?(?:this|the) (?:report|story|article)|originally (?:appeared|published|ran)\b|^additional reporting by|^this (?:story|article|report) (?:is|was|has been) (?:sourced|supplied|provided|syndicated|distributed)\b/.source,
    // An archive's note under the free part of a syndicated story.
    /^the full (?:article|story|text) (?:contains|has|is) [\d,]+ words\b/.source,
    // Legal lines: syndication terms and trade mark notices.
    /\bmay not be (?:re)?(?:published|broadcast|rewritten|redistributed|reproduced)|\bredistribution\b.{0,60}\bprohibited|without the (?:prior |express )?written (?:consent|permission)|\bis a (?:registered )?trade ?mark of\b|\bregistered trade ?marks\b/.source,
    // A pointer to the site's terms or privacy policy, in the site's own voice ("read our Terms and Conditions").
    /\b(?:read|see|view|review|agree to|accept)\b.{0,20}\bour (?:terms|privacy|cookie|user agreement)\b|^(?:terms (?:of (?:use|service)|(?:and|&) conditions)|privacy (?:policy|statement|notice))\b/.source,
    // What surrounds a comment form rather than the story.
    /\bcomments? (?:are|is) (?:moderated|closed)|^no comments\b|\b(?:must|need to) be (?:logged|signed) in to\b|\bthe comments (?:above|below) are\b|^(?:user|reader|read|view) comments\b|^limit:? \d+ characters|^(?:tell us|let us know) what you think|\b(?:only|registered)\b.{0,40}\b(?:can|may) (?:enter|post|leave|add|write|submit) (?:a |your )?comments?\b|\b(?:mail|e-?mail|write to|send) (?:me|us)\b.{0,30}\b(?:comments|feedback|views|thoughts|suggestions)\b/.source,
  ].join('|'),
  'i',
);

/**
 * A call to action: "click here", "please click", "sign up", "newsletter" and "log in" mark a prompt
 * wherever they are in a line of up to 40 words, and so does a line that opens with "Become a member".
 * "Register" and "subscribe" are also ordinary verbs of news prose ("fans must register by
 * February"), so only a short line or one they lead is a prompt.
 */
const CALL_TO_ACTION = /\b(?:click here|please click|sign up|newsletters?|log[ -]?in)\b|^become a (?:member|subscriber)\b/i;
const CALL_TO_ACTION_VERB = /\b(?:register|subscribe)\b/i;
const MAX_CALL_TO_ACTION_VERB_WORDS = 12;

/**
 * A comment policy: what comments may not contain or how they are moderated. Policies run long (a
 * paragraph of legal terms), so they are recognised up to MAX_COMMENT_POLICY_WORDS.
 */
const COMMENT_POLICY = /\bcomments?\b.{0,80}\b(?:offensive|abusive|obscene|profanity|slander|libel(?:lous)?|personal attacks|moderated|moderation)\b/i;
const MAX_COMMENT_POLICY_WORDS = 80;

function isBoilerplateLine(line: string): boolean {
  const n = words(line);
  return (
    (n <= 40 &&
      (BOILERPLATE_LINE.test(line) || CALL_TO_ACTION.test(line) || (n <= MAX_CALL_TO_ACTION_VERB_WORDS && CALL_TO_ACTION_VERB.test(line)))) ||
    (n <= MAX_COMMENT_POLICY_WORDS && COMMENT_POLICY.test(line))
  );
}

/** A date or a time of day ("January 8, 2008 4:33 PM ET", "01.09.2008", "9th January 2008", "2008-01-08"). */
const DATE_OR_TIME =
  /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{4}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{1,2}:\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?/i;
/** "By NAME", "By NAME, AGENCY", "NAME, THE ASSOCIATED PRESS", "Associated Press - date". */
const BYLINE_LINE = /^(?:by\s+\S|from\s+\S.{0,40}:$)|\b(?:associated press|reuters|afp|staff writer|correspondent|reporter)\b/i;

/** Words, counting each two CJK characters as one (those scripts put no spaces between words). */
const words = (p: string): number =>
  p.split(/\s+/).filter(Boolean).length + Math.floor((p.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)?.length ?? 0) / 2);
const endsLikeSentence = (p: string): boolean => /[.!?:;…"'”’)\]。！？」』）]$/.test(p);

/**
 * A short line that labels, dates or signs the story rather than telling it. At the top, a longer line
 * with no sentence ending is a headline or kicker (a lede ends with a full stop); at the bottom only
 * very short ones go, as a story may end on a short quote or a list.
 */
function isEdgeJunk(line: string, atTop: boolean, skip: ReadonlySet<string>): boolean {
  const n = words(line);
  return (
    isDateOrByline(line) ||
    (n <= (atTop ? TOP_LABEL_WORDS : 6) && !endsLikeSentence(line)) ||
    (atTop && isAgencyTag(line)) ||
    (!atTop && !skip.has('credit-lines') && n <= MAX_CREDIT_WORDS && CREDIT_LINE.test(line)) ||
    (!atTop && !skip.has('fact-lines') && n <= MAX_DATELINE_WORDS && FACT_LINE.test(line) && !endsLikeSentence(line))
  );
}

const MAX_DATELINE_WORDS = 12;
/**
 * A line wholly in parentheses opening the text: the wire agency's tag ("(IANS)", "(AP)") set above
 * the lede. A parenthesis closes a sentence (see endsLikeSentence), so the label rule above misses it.
 */
const AGENCY_TAG = /^\([^()]+\)$/;
const MAX_AGENCY_TAG_WORDS = 4;
const isAgencyTag = (line: string): boolean => words(line) <= MAX_AGENCY_TAG_WORDS && AGENCY_TAG.test(line);
/** "Cast: A, B", "Rated: PG-13 for language", "Source: SBS": a fact box's line, a short label and its value. */
const FACT_LINE = /^[A-Z][\p{L}'’-]*(?: [\p{L}'’-]+){0,2}: \S/u;
const isDateOrByline = (line: string): boolean =>
  words(line) <= MAX_DATELINE_WORDS && (DATE_OR_TIME.test(line) || BYLINE_LINE.test(line));

/** How far down a dateline or byline may close the header, and how long a header line may be. */
const MAX_HEADER_LINES = 3;
const MAX_HEADER_LINE_WORDS = 25;

/**
 * How many lines at the top are the page's header: a dateline or byline within the first few lines
 * closes it, and the short lines above it (a deck, a kicker, "There is a more recent version", a
 * newsletter prompt) go with it. A date that ends like a sentence is the lede's, not a dateline.
 */
function headerLines(paragraphs: readonly string[][]): number {
  const top = paragraphs.flat().slice(0, MAX_HEADER_LINES + 1);
  for (let i = 1; i < top.length; i++) {
    if (words(top[i - 1]!) > MAX_HEADER_LINE_WORDS) return 0;
    if (isDateOrByline(top[i]!) && !endsLikeSentence(top[i]!)) return i + 1;
  }
  return 0;
}

/**
 * A credit that closes a story: a line wholly in parentheses or brackets ("(Reporting by A; Editing by
 * B)", "(AP)", "(Contact the writer at jo(at)herald.example.)", with one level of parentheses inside),
 * one naming who reported, wrote or edited it, or one saying how to reach the writer.
 */
const CREDIT_LINE =
  /^\((?:[^()]|\([^()]*\))*\)\.?$|^\[[^[\]]*\]\.?$|^(?:reporting|writing|editing|compiled|additional reporting) by\b|^(?:contact|e-?mail|reach) (?:the )?(?:writer|author|reporter)\b|\bcan be (?:reached|contacted|e-?mailed) at\b/i;
const MAX_CREDIT_WORDS = 30;
const TOP_LABEL_WORDS = 15;

/**
 * Removes boilerplate from extracted text (paragraphs separated by blank lines, lines within a
 * paragraph by single newlines). Short label lines ("Home", "Text Size", a byline, a date) are trimmed
 * only at the start and end of the text: in the middle a short line may be a sub-heading.
 * `headline`, when given, is dropped if the text starts with it (annotated article bodies leave it out).
 */
export function cleanParagraphs(
  text: string,
  skip: ReadonlySet<string> = new Set(),
  headline: string | null = null,
  captions: readonly string[] = [],
): string {
  let paragraphs = text.split('\n\n').map((p) => p.split('\n'));
  if (captions.length > 0) {
    paragraphs = paragraphs.filter((lines) => !repeatsCaption(lines.join(' '), captions));
  }
  if (!skip.has('related-tail')) paragraphs = cutRelatedTail(paragraphs);
  if (!skip.has('boilerplate-lines')) {
    paragraphs = paragraphs
      .map((lines) => lines.filter((line) => !isBoilerplateLine(line)))
      .filter((lines) => lines.length > 0);
  }
  if (!skip.has('headline') && headline && paragraphs.length > 1 && sameLine(paragraphs[0]![0]!, headline)) {
    paragraphs[0]!.shift();
    if (paragraphs[0]!.length === 0) paragraphs.shift();
  }
  if (!skip.has('edge-lines')) {
    const dropFirstLine = (): void => {
      paragraphs[0]!.shift();
      if (paragraphs[0]!.length === 0) paragraphs.shift();
    };
    // Never trim the text away entirely: if everything looks like junk, leave it for the gate to judge.
    while (paragraphs.length > 1 && isEdgeJunk(paragraphs[0]![0]!, true, skip)) dropFirstLine();
    if (!skip.has('header-lines')) {
      for (let n = headerLines(paragraphs); n > 0 && paragraphs.length > 1; n--) dropFirstLine();
      // An agency's tag under the header's dateline is the top's edge now. Only that: the short lines
      // below a header may be the story's own (a sub-heading, a line of verse or code).
      while (paragraphs.length > 1 && isAgencyTag(paragraphs[0]![0]!)) dropFirstLine();
    }
    while (paragraphs.length > 1 && isEdgeJunk(paragraphs.at(-1)!.at(-1)!, false, skip)) {
      paragraphs.at(-1)!.pop();
      if (paragraphs.at(-1)!.length === 0) paragraphs.pop();
    }
  }
  return paragraphs.map((lines) => lines.join('\n')).join('\n\n');
}

/** A related-stories label this far into the text (by characters) or further starts the page's furniture. */
const RELATED_TAIL_FROM = 2 / 3;
const MAX_RELATED_LABEL_WORDS = 6;
/** The heading of the writer's biography, which follows the story and is not part of it. */
const ABOUT_AUTHOR_LABEL = /^about the (?:author|writer)s?\b/i;

/**
 * Ends the text at a "Related articles" (or "More news", "Most read", "About the author") label
 * standing as a line of its own in the last third: what follows it is the list or biography it labels,
 * and the page furniture after that, not the story. Earlier in the text such a label is a menu the
 * story may still follow, so only a related-stories label line goes there (see BOILERPLATE_LINE).
 */
function cutRelatedTail(paragraphs: string[][]): string[][] {
  const total = paragraphs.reduce((sum, lines) => sum + lines.reduce((n, line) => n + line.length, 0), 0);
  let seen = 0;
  for (let p = 0; p < paragraphs.length; p++) {
    const lines = paragraphs[p]!;
    for (let l = 0; l < lines.length; l++) {
      const line = lines[l]!;
      if (p + l > 0 && seen >= total * RELATED_TAIL_FROM && isEndOfStoryLabel(line)) {
        const kept = paragraphs.slice(0, p);
        if (l > 0) kept.push(lines.slice(0, l));
        return kept;
      }
      seen += line.length;
    }
  }
  return paragraphs;
}

const isEndOfStoryLabel = (line: string): boolean =>
  words(line) <= MAX_RELATED_LABEL_WORDS &&
  !endsLikeSentence(line.replace(/:$/, '')) &&
  (RELATED_LIST_LABEL.test(line) || ABOUT_AUTHOR_LABEL.test(line));

const letters = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** Whether `line` is the headline: equal after normalizing, or the headline with a site suffix or deck. */
function sameLine(line: string, headline: string): boolean {
  const a = letters(line);
  const b = letters(headline);
  if (!a || !b) return false;
  // The <title> often wraps the headline in the site's name, before or after it.
  return a === b || (a.length >= 20 && b.includes(a)) || (b.length >= 20 && a.startsWith(b) && a.length < b.length * 1.5);
}
