/**
 * The Liquid engines and the HTML-to-text converter every compiled template is bound to.
 * Built once per compiler (not a module singleton), configured so that:
 * - body output is HTML-escaped exactly once: every `{{ output }}` is escaped unless it already
 *   is HTML this engine made safe (the output of `escape`, `escape_once`, `capture`), so
 *   `O'Neil | escape` is `O&#39;Neil`, not `O&amp;#39;Neil`;
 * - the subject and preheader engine never escapes, `escape` included: they are plain text;
 * - an unknown variable or filter is an error (strictVariables, strictFilters);
 * - parsing, rendering time and memory are bounded, so no template can hang the sender;
 * - `{% include %}` / `{% render %}` find nothing: templates are self-contained and rendering
 *   never touches the file system;
 * - the body has a `{% track %}` block, which the compile puts around link targets: given a
 *   LinkTracker for the render (`trackingRenderOptions`) it records the link and writes a
 *   placeholder, without one it writes its content (see core/tracking/prepared-links.ts).
 */
import { compile as compileHtmlToText } from 'html-to-text';
import { CaptureTag, Drop, EchoTag, Liquid, Tag, TypeGuards, type Context, type Emitter, type LiquidOptions, type Parser, type RenderOptions, type TagToken, type Template, type TopLevelToken, type Value } from 'liquidjs';
import { LinkTracker, TRACK_TAG } from '../tracking/prepared-links.ts';
import { registerTemplateFilters } from './liquid-filters.ts';

export interface RenderingEngines {
  /** Parses and renders the HTML body; escapes every `{{ output }}` once. */
  readonly html: Liquid;
  /** Parses and renders the subject and preheader; no escaping (they are plain text). */
  readonly text: Liquid;
  /**
   * Turns one recipient's rendered HTML into the plain-text part. It runs per recipient on the
   * rendered HTML (not once on the Liquid-bearing HTML), so the text shows exactly what that
   * recipient's HTML shows, branch for branch.
   */
  readonly plainText: (html: string) => string;
}

/**
 * Limits per parse or render. A shipped template is a few KB and renders in well under a
 * millisecond; these stop a runaway loop or a giant range long before a Lambda times out.
 */
export const RENDER_LIMITS = {
  /** Characters of template source one parse may read. */
  parseLimit: 1_000_000,
  /** Milliseconds one render may take. */
  renderLimit: 1_000,
  /** Characters (roughly) one render may allocate: strings, ranges, arrays. */
  memoryLimit: 20_000_000,
} as const satisfies Pick<LiquidOptions, 'parseLimit' | 'renderLimit' | 'memoryLimit'>;

const sharedOptions: LiquidOptions = {
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  // An empty in-memory template map: include/render/layout look here, never on disk.
  templates: {},
  ...RENDER_LIMITS,
};

/**
 * HTML that is already escaped (or is template markup with escaped data in it): written out as
 * is. A Drop whose value is the string, so comparisons and filters still see a plain string;
 * a filter that changes it returns a plain string, which is escaped again (safe by default).
 */
export class SafeHtml extends Drop {
  constructor(readonly html: string) {
    super();
  }

  override valueOf(): string {
    return this.html;
  }

  override toString(): string {
    return this.html;
  }
}

// NUL becomes U+FFFD, as an HTML parser reads it anyway: then only the `track` tag writes NUL (its placeholders).
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;', '\u0000': '\ufffd' };
const HTML_UNESCAPES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&#34;': '"', '&#39;': "'", '&quot;': '"' };

function stringOf(value: unknown): string {
  if (value instanceof SafeHtml) return value.html;
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(stringOf).join('');
  return String(value instanceof Drop ? value.valueOf() : value);
}

function escapeHtml(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  return stringOf(value).replace(/[&<>"'\u0000]/g, (character) => HTML_ESCAPES[character] ?? character);
}

function unescapeHtml(value: unknown): string {
  return stringOf(value).replace(/&(?:amp|lt|gt|#34|#39|quot);/g, (entity) => HTML_UNESCAPES[entity] ?? entity);
}

/** The body's outputEscape: escapes everything except what is already safe HTML. */
function escapeOnce(value: unknown): string {
  return value instanceof SafeHtml ? value.html : escapeHtml(value);
}

/**
 * `{% echo x | escape %}` in the body: LiquidJS's echo turns the value into a plain string before
 * escaping it, so `escape`'s already-escaped output would be escaped twice. This echo hands the
 * value itself to the body's escaping, which leaves safe HTML alone, like `{{ x | escape }}`.
 */
class SafeEchoTag extends EchoTag {
  override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const value = (this as unknown as { value?: Value }).value;
    if (!value) return;
    const rendered: unknown = yield value.value(ctx, false);
    const raw = value.filters[value.filters.length - 1]?.raw === true;
    emitter.write(raw ? stringOf(rendered) : escapeOnce(rendered));
  }
}

/** `{% capture %}` in the body holds rendered (hence escaped) HTML: mark it safe, or `{{ it }}` escapes it twice. */
class SafeCaptureTag extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    const html = yield this.liquid.renderer.renderTemplates(this.templates, ctx);
    ctx.bottom()[this.variable] = new SafeHtml(html);
  }
}

/** Where a render's LinkTracker travels: a symbol, so no template variable can name it. */
const LINK_TRACKER = Symbol('link tracker');

/** Render options that give this render's `{% track %}` tags a tracker (LiquidJS `globals`: per render, not shared). */
export function trackingRenderOptions(tracker: LinkTracker): RenderOptions {
  return { globals: { [LINK_TRACKER]: tracker } };
}

/**
 * `{% track %}value{% endtrack %}`: the value as rendered, or what the render's tracker makes of
 * it. A literal value (no Liquid in it, most links) has its target worked out once, here.
 */
class TrackTag extends Tag {
  private readonly templates: Template[] = [];
  private readonly literal?: { value: string; target: string | undefined };

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid);
    const tokens: TopLevelToken[] = [];
    for (let next = remainTokens.shift(); ; next = remainTokens.shift()) {
      if (next === undefined) throw new Error(`tag ${token.getText()} not closed`);
      if (TypeGuards.isTagToken(next) && next.name === `end${TRACK_TAG}`) break;
      tokens.push(next);
      this.templates.push(parser.parseToken(next, remainTokens));
    }
    if (tokens.every((part) => TypeGuards.isHTMLToken(part))) {
      const value = tokens.map((part) => part.getContent()).join('');
      this.literal = { value, target: LinkTracker.targetOf(value) };
    }
  }

  override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, string> {
    const tracker = (ctx.globals as Record<symbol, unknown>)[LINK_TRACKER];
    if (this.literal) {
      emitter.write(tracker instanceof LinkTracker ? tracker.write(this.literal.value, this.literal.target) : this.literal.value);
      return;
    }
    const value = yield this.liquid.renderer.renderTemplates(this.templates, ctx);
    emitter.write(tracker instanceof LinkTracker ? tracker.write(value) : value);
  }

  // LiquidJS asks a block for its templates through a generator (static analysis); nothing to wait for.
  // eslint-disable-next-line require-yield
  *children(): Generator<unknown, Template[]> {
    return this.templates;
  }
}

/** Escaping filters of the HTML body: their output is escaped HTML, so it is not escaped again. */
function registerHtmlEscaping(liquid: Liquid): Liquid {
  liquid.registerFilter('escape', (value: unknown) => new SafeHtml(escapeHtml(value)));
  liquid.registerFilter('xml_escape', (value: unknown) => new SafeHtml(escapeHtml(value)));
  liquid.registerFilter('escape_once', (value: unknown) => new SafeHtml(escapeHtml(unescapeHtml(value))));
  liquid.registerTag('capture', SafeCaptureTag);
  liquid.registerTag('echo', SafeEchoTag);
  liquid.registerTag(TRACK_TAG, TrackTag);
  return liquid;
}

/** In plain text (subject, preheader) there is nothing to escape: `escape` keeps `&` as `&`. */
function registerPlainTextEscaping(liquid: Liquid): Liquid {
  for (const name of ['escape', 'xml_escape', 'escape_once']) liquid.registerFilter(name, (value: unknown) => stringOf(value));
  return liquid;
}

const KEEP_CASE = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));

export function createRenderingEngines(): RenderingEngines {
  return {
    // The engine's own filters first, then the escaping rules, so no filter can undo "escape once".
    html: registerHtmlEscaping(withTemplateFilters(new Liquid({ ...sharedOptions, outputEscape: escapeOnce }))),
    text: registerPlainTextEscaping(withTemplateFilters(new Liquid({ ...sharedOptions }))),
    plainText: compileHtmlToText({
      wordwrap: 78,
      // Only the body: the head holds styles and titles, never content, and skipping it halves the cost.
      baseElements: { selectors: ['body'] },
      selectors: [
        { selector: 'img', format: 'skip' },
        // The hidden preheader block (mj-preview): it is inbox preview text, not content.
        { selector: 'div[style*="display:none"]', format: 'skip' },
        // Links read as `text [url]`; a link whose text is its URL is shown once.
        { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
        // Headings as written: upper-casing would change names and product spellings.
        ...KEEP_CASE,
        // Tables the author wrote read as rows and columns; MJML's layout tables (role=presentation) as plain blocks.
        { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
        { selector: 'table[role="presentation"]', format: 'table', options: { leadingLineBreaks: 2, trailingLineBreaks: 2 } },
      ],
    }),
  };
}

function withTemplateFilters(liquid: Liquid): Liquid {
  registerTemplateFilters(liquid);
  return liquid;
}
