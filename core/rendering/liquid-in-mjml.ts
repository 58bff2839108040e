/**
 * What happens to Liquid tags on their way through the MJML compile. MJML keeps text only
 * inside text-bearing elements (mj-text, mj-button, mj-raw, ...) and attributes; anything
 * between structural elements (mj-section, mj-column, directly in mj-body) is dropped. A
 * `{% if %}` around a section would vanish and every recipient would get every branch, so:
 * - `protectControlFlow` wraps each `{% ... %}` tag standing between structural elements in an
 *   `<mj-raw>`, which MJML copies verbatim to the place the tag stood: the condition then wraps
 *   exactly the HTML of the elements it wrapped in the source (MJML renders each child with its
 *   own table row / Outlook wrapper, so each branch stays balanced HTML). No line is added.
 * - `lostLiquidTags` compares the tags of the source with those of the compiled HTML, so a tag
 *   MJML still drops (output tags between sections, tags in comments, inside mj-head) fails
 *   validate with its line instead of silently changing the email.
 */

/** One Liquid tag (`{{ ... }}` or `{% ... %}`) in a source, with its 1-based line. */
export interface LiquidTagAt {
  text: string;
  line: number;
}

const LIQUID_TAG = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

/**
 * Elements whose content MJML copies through as is (its "ending tags"): Liquid inside them
 * survives. Their content is skipped when looking for structure.
 */
export const TEXT_BEARING_ELEMENTS = new Set([
  'mj-text', 'mj-button', 'mj-raw', 'mj-table', 'mj-navbar-link', 'mj-accordion-title', 'mj-accordion-text',
  'mj-social-element', 'mj-carousel-image', 'mj-preview', 'mj-title', 'mj-style', 'mj-breakpoint',
]);

/** Structural elements that accept an `<mj-raw>` child (MJML 5's validator rules). */
const RAW_ACCEPTING_ELEMENTS = new Set(['mj-body', 'mj-wrapper', 'mj-section', 'mj-group', 'mj-column', 'mj-hero', 'mj-accordion', 'mj-accordion-element', 'mj-navbar', 'mj-social']);

/** An MJML tag `<mj-x ...>`, `</mj-x>` or `<mj-x ... />` (attribute values may hold `>` inside quotes), or a comment. */
const MJML_TAG = /<!--[\s\S]*?-->|<(\/?)(mjml|mj-[a-z-]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;

export function lineAt(source: string, index: number): number {
  let line = 1;
  for (let position = source.indexOf('\n'); position !== -1 && position < index; position = source.indexOf('\n', position + 1)) line++;
  return line;
}

export function liquidTagsOf(source: string): LiquidTagAt[] {
  return [...source.matchAll(LIQUID_TAG)].map((match) => ({ text: match[0], line: lineAt(source, match.index) }));
}

/**
 * The source with each `{% ... %}` tag that stands between structural elements wrapped in
 * `<mj-raw>`, so MJML keeps it where it stood (same lines as the source), and the tags left
 * exposed to MJML's dropping (output between elements, tags where no mj-raw may go).
 */
export function protectControlFlow(mjml: string): { mjml: string; exposed: LiquidTagAt[] } {
  const stack: string[] = [];
  const exposed: LiquidTagAt[] = [];
  let output = '';
  let cursor = 0;
  const copyGap = (end: number) => {
    const gap = mjml.slice(cursor, end);
    const parent = stack[stack.length - 1];
    const canProtect = parent !== undefined && RAW_ACCEPTING_ELEMENTS.has(parent);
    for (const tag of gap.matchAll(LIQUID_TAG)) {
      if (!(canProtect && tag[0].startsWith('{%'))) exposed.push({ text: tag[0], line: lineAt(mjml, cursor + tag.index) });
    }
    output += canProtect ? gap.replace(/\{%[\s\S]*?%\}/g, (tag) => `<mj-raw>${tag}</mj-raw>`) : gap;
    cursor = end;
  };
  MJML_TAG.lastIndex = 0;
  for (let match = MJML_TAG.exec(mjml); match !== null; match = MJML_TAG.exec(mjml)) {
    copyGap(match.index);
    output += match[0];
    cursor = match.index + match[0].length;
    const [, closing, name, , selfClosing] = match;
    if (name === undefined) continue; // a comment
    if (closing) {
      if (stack[stack.length - 1] === name) stack.pop();
      continue;
    }
    if (selfClosing) continue;
    if (TEXT_BEARING_ELEMENTS.has(name)) {
      // Copy the content verbatim up to the closing tag: it is HTML, and Liquid in it survives.
      const end = mjml.indexOf(`</${name}>`, cursor);
      if (end === -1) break;
      output += mjml.slice(cursor, end);
      cursor = end;
      MJML_TAG.lastIndex = end;
      stack.push(name);
      continue;
    }
    stack.push(name);
  }
  copyGap(mjml.length);
  return { mjml: output, exposed };
}

/** Whitespace inside a tag may be reflowed; the tag's meaning is not. */
const normalized = (tag: string) => tag.replace(/\s+/g, ' ');

/**
 * Tags of `source` that `html` has fewer of, with their lines. Of equal tags, the `exposed`
 * occurrences are the ones MJML drops, so those are named; if that does not account for the
 * loss, every occurrence is.
 */
export function lostLiquidTags(source: string, html: string, exposed: readonly LiquidTagAt[] = []): LiquidTagAt[] {
  const remaining = new Map<string, number>();
  for (const tag of liquidTagsOf(html)) remaining.set(normalized(tag.text), (remaining.get(normalized(tag.text)) ?? 0) + 1);
  const bySource = new Map<string, LiquidTagAt[]>();
  for (const tag of liquidTagsOf(source)) bySource.set(normalized(tag.text), [...(bySource.get(normalized(tag.text)) ?? []), tag]);
  const lost: LiquidTagAt[] = [];
  for (const [text, occurrences] of bySource) {
    const lostCount = occurrences.length - (remaining.get(text) ?? 0);
    if (lostCount <= 0) continue;
    const atRisk = exposed.filter((tag) => normalized(tag.text) === text);
    lost.push(...(atRisk.length === lostCount ? atRisk : occurrences));
  }
  return lost.sort((a, b) => a.line - b.line);
}
