/**
 * Checks that the MJML elements of a template nest properly: every `<mj-x>` closed, closed in
 * order, no stray `</mj-x>`. MJML 5's parser repairs these silently (a `<mj-text>` closed by
 * `</mj-column>` compiles to an empty text block, even at validationLevel strict), so the
 * template would send without its content; here it fails with the line to fix.
 */
import { lineAt, TEXT_BEARING_ELEMENTS } from './liquid-in-mjml.ts';

export interface MjmlStructureProblem {
  /** 1-based line in the MJML source. */
  line: number;
  message: string;
}

const MJML_TAG = /<!--[\s\S]*?-->|<(\/?)(mjml|mj-[a-z-]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;

export function mjmlStructureProblems(mjml: string): MjmlStructureProblem[] {
  const problems: MjmlStructureProblem[] = [];
  const open: { name: string; line: number }[] = [];
  MJML_TAG.lastIndex = 0;
  for (let match = MJML_TAG.exec(mjml); match !== null; match = MJML_TAG.exec(mjml)) {
    const [, closing, name, , selfClosing] = match;
    if (name === undefined || selfClosing) continue;
    const line = lineAt(mjml, match.index);
    if (!closing) {
      open.push({ name, line });
      if (TEXT_BEARING_ELEMENTS.has(name)) {
        // Its content is HTML up to its own closing tag; MJML elements cannot appear in it.
        const end = mjml.indexOf(`</${name}>`, match.index + match[0].length);
        const nextElement = mjml.slice(match.index + match[0].length).search(/<\/?(mjml|mj-[a-z-]+)[\s/>]/);
        const nextAt = nextElement === -1 ? -1 : match.index + match[0].length + nextElement;
        if (end === -1 || (nextAt !== -1 && nextAt < end)) {
          problems.push({ line, message: `<${name}> is not closed before the next MJML element: add </${name}> where its content ends` });
          open.pop();
          // `<mj-text>...</mj-column>`: the wrong closing tag was meant for this element; skip it so
          // the one real mistake is reported once, not again as a stray `</mj-column>`.
          const wrongClose = nextAt === -1 ? null : /^<\/(mjml|mj-[a-z-]+)>/.exec(mjml.slice(nextAt));
          if (wrongClose) MJML_TAG.lastIndex = nextAt + wrongClose[0].length;
          continue;
        }
        MJML_TAG.lastIndex = end;
      }
      continue;
    }
    const top = open[open.length - 1];
    if (top?.name === name) {
      open.pop();
    } else if (open.some((element) => element.name === name)) {
      // Close what was left open inside it, each one reported, then the element itself.
      while (open.length > 0 && open[open.length - 1]?.name !== name) {
        const unclosed = open.pop();
        if (unclosed) problems.push({ line: unclosed.line, message: `<${unclosed.name}> is not closed before its parent's </${name}>: add </${unclosed.name}>` });
      }
      open.pop();
    } else {
      problems.push({ line, message: `</${name}> closes nothing: no <${name}> is open here; remove it or add the opening tag` });
    }
  }
  for (const unclosed of open) problems.push({ line: unclosed.line, message: `<${unclosed.name}> is never closed: add </${unclosed.name}>` });
  return problems.sort((a, b) => a.line - b.line);
}
