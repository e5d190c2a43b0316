/**
 * Plain text with real paragraph breaks from a DOM subtree. Raw `textContent` glues the last word of
 * one block to the first of the next ("...said.The company"), which breaks quotes and word counts;
 * here every block element starts a new paragraph and whitespace is collapsed inside a block.
 */

const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'caption', 'dd', 'details', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header',
  'hgroup', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody',
  'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]);

/** Elements whose text is never article prose. */
const SKIP_TAGS = new Set([
  'script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object', 'embed', 'button',
  'select', 'textarea', 'input', 'form', 'head', 'title', 'canvas', 'video', 'audio',
]);

/** Table cells sit side by side: a tab-like space keeps their words apart without a paragraph break. */
const CELL_TAGS = new Set(['td', 'th']);

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Collapses runs of spaces and tabs (and single newlines from markup) but keeps `<br>` line breaks. */
function collapseBlock(raw: string): string {
  return raw
    .split('\u2028') // the marker for <br>, so markup newlines and real line breaks stay distinct
    .map((line) => line.replace(/[\s\u00a0]+/g, ' ').trim())
    .filter((line, i, lines) => line !== '' || (i > 0 && lines[i - 1] !== ''))
    .join('\n')
    .replace(/\n{2,}/g, '\n\n') // <br><br> is a paragraph break in old markup
    .trim();
}

/**
 * Walks `root` (iteratively: a page of 20,000 nested divs must not overflow the stack) and returns its
 * text with blocks joined by blank lines.
 */
export function blockText(root: Node): string {
  const paragraphs: string[] = [];
  let current = '';
  let preDepth = 0;
  const flush = (): void => {
    const text = preDepth > 0 ? current.replace(/^\n+|\s+$/g, '') : collapseBlock(current);
    if (text) paragraphs.push(...text.split(/\n{2,}/).map((p) => p.trim()).filter(Boolean));
    current = '';
  };

  // Each stack entry is a node to enter, or a closing marker for an element already entered.
  const stack: Array<{ node: Node; closing: boolean }> = [{ node: root, closing: false }];
  while (stack.length > 0) {
    const { node, closing } = stack.pop()!;
    if (node.nodeType === TEXT_NODE) {
      current += preDepth > 0 ? node.nodeValue ?? '' : (node.nodeValue ?? '').replace(/\u2028/g, ' ');
      continue;
    }
    if (node.nodeType !== ELEMENT_NODE && node !== root) continue;
    const tag = node.nodeType === ELEMENT_NODE ? (node as Element).localName : '';
    if (closing) {
      if (tag === 'pre') {
        flush();
        preDepth--;
      } else if (CELL_TAGS.has(tag)) current += ' ';
      else if (BLOCK_TAGS.has(tag)) flush();
      continue;
    }
    if (SKIP_TAGS.has(tag)) continue;
    if (tag === 'br') {
      current += preDepth > 0 ? '\n' : '\u2028';
      continue;
    }
    if (tag === 'img' || tag === 'hr') continue;
    if (tag === 'pre') {
      flush();
      preDepth++;
    } else if (BLOCK_TAGS.has(tag) && !CELL_TAGS.has(tag)) flush();
    stack.push({ node, closing: true });
    const children = node.childNodes;
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, closing: false });
  }
  flush();
  return paragraphs.join('\n\n');
}

/** Collapses whitespace in a one-line value (titles, bylines). */
export function collapseWhitespace(value: string): string {
  return value.replace(/[\s\u00a0]+/g, ' ').trim();
}

/** Words as the reader counts them: runs of letters or digits, so punctuation alone is not a word. */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.,-]*/gu)?.length ?? 0;
}
