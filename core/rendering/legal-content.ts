/**
 * What every bulk email must carry, and how it must read, checked on a rendered email: the
 * recipient's unsubscribe link in the body (RFC 8058 puts it in a header too, but CAN-SPAM and
 * Japan's Act on Regulation of Transmission of Specified Electronic Mail want a way to opt out that
 * a reader sees), the sender's name and postal address, and no greeting or sentence broken by
 * data (a bare 様, "Hello ,", a name ending in a period followed by another). `npm run validate`
 * renders every template for sample recipients (names empty, names ending in a period) and
 * reports what this finds, so a template that breaks the law or reads badly never ships.
 */
import { convert } from 'html-to-text';
import { anchorTagsOf, decodeCharacterReferences } from '../tracking/rewrite-links.ts';

/** What the email must show, as the recipient's render context has it. */
export interface RequiredFooter {
  unsubscribeUrl: string;
  /** The sender's legal name and postal address in the email's language (senders config). */
  organization: string;
  postalAddress: string;
}

export interface RenderedParts {
  html: string;
  text: string;
}

/** Problems, each a sentence naming what is missing and where ('html' body or 'text' part). */
export function legalContentProblems(email: RenderedParts, required: RequiredFooter): string[] {
  const problems: string[] = [];
  // The same anchor scanner and reference decoding click tracking uses.
  const hrefs = [...anchorTagsOf(email.html)].flatMap((anchor) => (anchor.href ? [decodeCharacterReferences(anchor.href.value).trim()] : []));
  if (!hrefs.includes(required.unsubscribeUrl)) {
    problems.push('the body has no link to {{ links.unsubscribe }}: every bulk email needs a visible way to opt out (CAN-SPAM; Japan’s Specified Electronic Mail Act)');
  }
  if (!email.text.includes(required.unsubscribeUrl)) problems.push('the text part has no unsubscribe link ({{ links.unsubscribe }})');
  const visible = { html: normalise(visibleText(email.html)), text: normalise(email.text) };
  for (const [part, text] of Object.entries(visible)) {
    if (!text.includes(normalise(required.organization))) problems.push(`the ${part} part does not show the sender’s name ({{ sender.organization }}) required in every bulk email`);
    if (!text.includes(normalise(required.postalAddress))) problems.push(`the ${part} part does not show the sender’s postal address ({{ sender.postalAddress }}) required in every bulk email`);
  }
  return problems;
}

/** Each pattern, what it means, and whether it holds in the wrapped text part too (a soft line break may fall before 様). */
const BROKEN_BY_DATA: ReadonlyArray<[RegExp, string, 'both' | 'html']> = [
  [/(?<![.])\.\.(?![.])/u, 'a doubled period (a name ending in "." followed by another: end the sentence before the name, or quote it)', 'both'],
  [/\s+[,、，]/u, 'a space before a comma (an empty name before it: use {% if contact.firstName != blank %})', 'both'],
  [/(^|[>（(「])[ \t\u3000]*様/mu, 'a bare 様 (an empty name before it: fall back, e.g. {% if contact.lastName != blank %}{{ contact.lastName }} 様{% else %}ご担当者様{% endif %})', 'html'],
  [/[,，、]\s*[,，、]/u, 'a doubled comma', 'both'],
];

/** Text a recipient would see broken by their data, in either part: each finding with an example. */
export function brokenTextProblems(email: RenderedParts): string[] {
  const problems: string[] = [];
  for (const [part, text] of [['html', visibleText(email.html)], ['text', email.text]] as const) {
    for (const [pattern, what, where] of BROKEN_BY_DATA) {
      if (where === 'html' && part === 'text') continue;
      const match = pattern.exec(text);
      if (match) problems.push(`the ${part} part reads "${excerpt(text, match.index)}": ${what}`);
    }
  }
  return problems;
}

/** What a reader sees of an HTML email (no head, no hidden preheader), as one string. */
export function visibleText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'head', format: 'skip' },
      { selector: 'img', format: 'skip' },
      { selector: 'div[style*="display:none"]', format: 'skip' },
      { selector: 'a', options: { ignoreHref: true } },
      ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    ],
  });
}

function normalise(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

function excerpt(text: string, at: number): string {
  return normalise(text.slice(Math.max(0, at - 20), at + 20));
}
