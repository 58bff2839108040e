/**
 * What a reader sees in a rendered HTML email, as words, and whether the plain-text part says
 * the same: every visible word of the HTML (the hidden preheader excluded) must appear in the
 * text part, in order. Deliberately not html-to-text: an independent reading of the HTML, so
 * a converter setting that drops or reorders content shows up as a difference.
 */
import { decodeCharacterReferences } from '../tracking/rewrite-links.ts';

/** The visible words of an HTML document's body, in reading order. */
export function visibleWords(html: string): string[] {
  const start = html.search(/<body[\s>]/i);
  const end = html.search(/<\/body>/i);
  const body = html.slice(start === -1 ? 0 : start, end === -1 ? undefined : end);
  const text = body
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(style|script|head|title)[\s>][\s\S]*?<\/\1>/gi, ' ')
    // Hidden blocks (the mj-preview preheader): inbox preview text, not content.
    .replace(/<div\s[^>]*style="[^"]*display:\s*none[^"]*"[^>]*>[\s\S]*?<\/div>/gi, ' ')
    .replace(/<[^>]*>/g, ' ');
  return decodeCharacterReferences(text)
    .split(/\s+/)
    // A word with an entity this reader does not know is left out rather than guessed.
    .filter((word) => word !== '' && !/&[a-z]+;/i.test(word));
}

/** The first visible word of `html` that `text` does not have (in order), with the words before it. */
export function firstWordMissingFromText(html: string, text: string): { word: string; after: string } | undefined {
  const words = visibleWords(html);
  let from = 0;
  for (const [index, word] of words.entries()) {
    const at = text.indexOf(word, from);
    if (at === -1) return { word, after: words.slice(Math.max(0, index - 4), index).join(' ') };
    from = at + word.length;
  }
  return undefined;
}
