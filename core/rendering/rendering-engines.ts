/**
 * The Liquid engines and the HTML-to-text converter every compiled template is bound to.
 * Built once per compiler (not a module singleton), configured so that:
 * - body output is HTML-escaped (`outputEscape: 'escape'`): a name like `<script>` arrives as text;
 * - the subject and preheader engine does not escape: they are plain text, not HTML;
 * - an unknown variable or filter is an error (strictVariables, strictFilters);
 * - `{% include %}` / `{% render %}` find nothing: templates are self-contained and rendering
 *   never touches the file system.
 */
import { compile as compileHtmlToText } from 'html-to-text';
import { Liquid, type LiquidOptions } from 'liquidjs';
import { registerTemplateFilters } from './liquid-filters.ts';

export interface RenderingEngines {
  /** Parses and renders the HTML body; escapes every `{{ output }}`. */
  readonly html: Liquid;
  /** Parses and renders the subject and preheader; no escaping (they are plain text). */
  readonly text: Liquid;
  /** Turns rendered HTML into the plain-text part. */
  readonly plainText: (html: string) => string;
  /**
   * Turns the compiled HTML, Liquid placeholders still in it, into the plain-text template:
   * done once per template so each recipient costs only a Liquid render. No word wrapping and
   * no upper-casing, so a placeholder like `{{ contact.firstName }}` reaches Liquid intact.
   */
  readonly plainTextTemplate: (html: string) => string;
}

const sharedOptions: LiquidOptions = {
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  // An empty in-memory template map: include/render/layout look here, never on disk.
  templates: {},
};

const PLAIN_TEXT_SELECTORS = [
  { selector: 'img', format: 'skip' },
  // The hidden preheader block (mj-preview): it is inbox preview text, not content.
  { selector: 'div[style*="display:none"]', format: 'skip' },
  // Links read as `text [url]`; a link whose text is its URL is shown once.
  { selector: 'a', options: { hideLinkIfSameAsText: true } },
];

const KEEP_CASE = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));

export function createRenderingEngines(): RenderingEngines {
  return {
    plainTextTemplate: compileHtmlToText({
      wordwrap: false,
      selectors: [...PLAIN_TEXT_SELECTORS, ...KEEP_CASE, { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } }],
    }),
    html: withTemplateFilters(new Liquid({ ...sharedOptions, outputEscape: 'escape' })),
    text: withTemplateFilters(new Liquid({ ...sharedOptions })),
    plainText: compileHtmlToText({
      wordwrap: 78,
      selectors: [
        { selector: 'img', format: 'skip' },
        // The hidden preheader block (mj-preview): it is inbox preview text, not content.
        { selector: 'div[style*="display:none"]', format: 'skip' },
        // Links read as `text [url]`; a link whose text is its URL is shown once.
        { selector: 'a', options: { hideLinkIfSameAsText: true } },
      ],
    }),
  };
}

function withTemplateFilters(liquid: Liquid): Liquid {
  registerTemplateFilters(liquid);
  return liquid;
}
