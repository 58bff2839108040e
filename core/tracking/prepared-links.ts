/**
 * Click tracking prepared once per template, so a recipient's HTML is not scanned for links again.
 *
 * - Compile time (`markTrackedHrefs`): every `<a href>` value of the compiled HTML, found with
 *   the scanner of rewrite-links.ts, is wrapped in `{% track %}…{% endtrack %}`, quotes included.
 *   The value may be a literal URL or hold Liquid output (`{{ webinar.joinUrl }}`).
 * - Render time: the engine's `track` tag renders the value (escaped as every body output is) and
 *   hands it to the render's LinkTracker, if the render has one. A web link that is not the
 *   recipient's own unsubscribe or preferences link is recorded and written as a placeholder;
 *   anything else, and everything when there is no tracker, is written as rendered, so a render
 *   without tracking is byte-identical to one of the unwrapped HTML.
 * - After the render (`LinkTracker.resolve`): one pass over the string gives the HTML with the
 *   real links (for the text part) and PreparedLinks: the HTML with its placeholders numbered in
 *   order of appearance and the targets in that order. Loops and branches therefore give
 *   exactly the positions the recipient gets: what planLinkRewrite finds by scanning.
 * - Sending (`fillClickUrls`): one replace writes each position's click URL.
 *
 * A template whose links cannot be found reliably before rendering (markup from `raw`, Liquid
 * inside an `<a ...>` tag outside quoted attribute values, a tag name made by Liquid), or whose
 * links a filter could see (inside `{% capture %}`), is not marked: `markTrackedHrefs` says so,
 * and such a template is tracked by scanning, as before. Should a placeholder still not come
 * through a render intact, `resolve` says so and that render is tracked by scanning.
 */
import { anchorTagsOf, quotedAttribute, trackedTargetOf, untrackedSet } from './rewrite-links.ts';

/** The Liquid block tag the compile wraps href values in. */
export const TRACK_TAG = 'track';

/**
 * Marks a recorded link in a render: NUL, its number, NUL. NUL cannot come from anywhere else:
 * the body's escaping turns NUL in data into U+FFFD, and a template whose HTML holds one is not
 * marked. Found with indexOf, not a regex: four times faster on a 45 KB email.
 */
const NUL = '\u0000';
const placeholder = (index: number) => `${NUL}${index}${NUL}`;

/** The tracking-ready form of one recipient's rendered HTML. */
export interface PreparedLinks {
  /** The rendered HTML with each tracked href value (quotes included) replaced by a placeholder, numbered 0, 1, ... in order of appearance: its position. */
  readonly html: string;
  /** Each position's target, normalised absolute URL: the link set to store. */
  readonly links: readonly string[];
  /** The links the render left as they are (the recipient's unsubscribe and preferences links). */
  readonly untracked: readonly string[];
}

const NO_LINKS: ReadonlySet<string> = new Set();

interface RecordedLink {
  /** The href value as rendered, quotes included: what the plain HTML gets back. */
  readonly written: string;
  readonly target: string;
}

/** What one render's `track` tags report to; one per render, never shared. */
export class LinkTracker {
  private readonly keep: ReadonlySet<string>;
  private readonly recorded: RecordedLink[] = [];

  constructor(readonly untracked: readonly string[]) {
    this.keep = untrackedSet(untracked);
  }

  /**
   * What the `track` tag writes for a rendered href value (quotes included, as the compile
   * wrapped it). `target`: the value's targetOf, when the tag knows it already (a literal link).
   */
  write(renderedValue: string, target: string | undefined = LinkTracker.targetOf(renderedValue)): string {
    if (target === undefined || this.keep.has(target)) return renderedValue;
    this.recorded.push({ written: renderedValue, target });
    return placeholder(this.recorded.length - 1);
  }

  /** The link a wrapped href value (quotes included) is tracked as, whoever the recipient: undefined for a non-web link. */
  static targetOf(wrappedValue: string): string | undefined {
    const quote = wrappedValue[0];
    const quoted = wrappedValue.length >= 2 && (quote === '"' || quote === "'") && wrappedValue.endsWith(quote);
    return trackedTargetOf(quoted ? wrappedValue.slice(1, -1) : wrappedValue, NO_LINKS);
  }

  /**
   * The render with real links, and its prepared form; undefined when the placeholders did not
   * come through intact (a safety net: markTrackedHrefs leaves no link where a filter could see
   * it): then the caller renders without a tracker and the email is tracked by scanning.
   */
  resolve(rendered: string): { html: string; prepared: PreparedLinks } | undefined {
    // Every link recorded is written where it was recorded (no link is captured, see
    // markTrackedHrefs), so each placeholder appears once, in recording order: record numbers
    // are positions, and the rendered HTML is the prepared one as it is. Anything else is not intact.
    let plain = '';
    let from = 0;
    let position = 0;
    for (let at = rendered.indexOf(NUL); at !== -1; at = rendered.indexOf(NUL, from)) {
      const end = rendered.indexOf(NUL, at + 1);
      const link = this.recorded[position];
      if (end === -1 || link === undefined || rendered.slice(at + 1, end) !== String(position)) return undefined;
      plain += rendered.slice(from, at) + link.written;
      from = end + 1;
      position++;
    }
    if (position !== this.recorded.length) return undefined;
    return { html: plain + rendered.slice(from), prepared: { html: rendered, links: this.recorded.map((link) => link.target), untracked: this.untracked } };
  }
}

/** The prepared HTML with each position's href value set to `urlFor(position)`, written as the scanning path writes it. */
export function fillClickUrls(prepared: PreparedLinks, urlFor: (position: number) => string): string {
  const { html } = prepared;
  let out = '';
  let from = 0;
  for (let at = html.indexOf(NUL); at !== -1; at = html.indexOf(NUL, from)) {
    const end = html.indexOf(NUL, at + 1);
    out += html.slice(from, at) + quotedAttribute(urlFor(Number(html.slice(at + 1, end))));
    from = end + 1;
  }
  return out + html.slice(from);
}

/** Markup only rendering can tell: output through `raw`, or a NUL that would pass for a placeholder. */
// eslint-disable-next-line no-control-regex -- a NUL in the template would pass for a placeholder.
const UNPREPARABLE = /\{%-?\s*raw\s*-?%\}|\|\s*raw\b|\u0000/;
/** A Liquid tag or output outside quoted attribute values (quoted values removed first). */
const LIQUID = /\{[{%]/;
const QUOTED_VALUES = /"[^"]*"|'[^']*'/g;
/** A tag name Liquid writes (`<{% if x %}a{% else %}span{% endif %}`): the scanner cannot see it. */
const LIQUID_TAG_NAME = /<\/?\s*\{[{%]/;

/**
 * The compiled HTML (Liquid still in it) with every href value of an `<a>` tag that can be a
 * web link wrapped in the `track` tag, or undefined when its links cannot be found before
 * rendering (see the header): that template is tracked by scanning.
 */
export function markTrackedHrefs(html: string): string | undefined {
  if (UNPREPARABLE.test(html) || LIQUID_TAG_NAME.test(html)) return undefined;
  let out = '';
  let from = 0;
  for (const anchor of anchorTagsOf(html)) {
    if (LIQUID.test(anchor.tag.replace(QUOTED_VALUES, ''))) return undefined;
    if (!anchor.href) continue;
    // A literal value that is not a web link (mailto:, #top) stays as it is; Liquid output may become one.
    if (!LIQUID.test(anchor.href.value) && trackedTargetOf(anchor.href.value, NO_LINKS) === undefined) continue;
    out += `${html.slice(from, anchor.href.start)}{% ${TRACK_TAG} %}${html.slice(anchor.href.start, anchor.href.end)}{% end${TRACK_TAG} %}`;
    from = anchor.href.end;
  }
  out += html.slice(from);
  return tracksInCapture(out) ? undefined : out;
}

const CAPTURE_OR_TRACK = new RegExp(`\\{%-?\\s*(capture|endcapture|${TRACK_TAG})\\b`, 'g');

/**
 * Whether a link is inside `{% capture %}`: filters on a captured value (`truncate`, `size`,
 * `replace`) would see placeholders instead of links and could give another email than a render
 * without tracking.
 */
function tracksInCapture(marked: string): boolean {
  let depth = 0;
  for (const [, name] of marked.matchAll(CAPTURE_OR_TRACK)) {
    if (name === 'capture') depth++;
    else if (name === 'endcapture') depth = Math.max(0, depth - 1);
    else if (depth > 0) return true;
  }
  return false;
}
