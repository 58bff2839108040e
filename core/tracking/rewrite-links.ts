/**
 * Click tracking at render time. Finds the web links of a rendered email (the `href` of every
 * `<a>` tag that points at http(s), except the ones the caller keeps as they are: unsubscribe and
 * preferences), and replaces each with a tracking URL made from its position. The original targets
 * come back in order, to be stored: the click redirect reads its target from that store.
 *
 * MJML output is regular HTML, so a tag scanner is enough: it reads whole `<a ...>` tags (quoted
 * values may contain `>`), tokenizes their attributes (so `data-href` or an `href=` inside another
 * attribute's value is not mistaken for the link), and decodes character references in the value
 * (Liquid escapes `&` in personalised links as `&amp;`).
 *
 * The same scanner and the same rule for what is tracked (`anchorTagsOf`, `trackedTargetOf`)
 * prepare a template's links once at compile time (prepared-links.ts); scanning each rendered
 * email (`planLinkRewrite`) remains for previews and the templates that cannot be prepared.
 */

export interface LinkRewritePlan {
  /** Targets of the tracked links, in order of appearance (duplicates keep their own position). */
  readonly links: readonly string[];
  /** The HTML with each tracked href replaced by `urlFor(position)`. */
  rewriteHtml(urlFor: (position: number) => string): string;
  /**
   * The plain-text part with every http(s) URL that is a tracked link's target replaced by the
   * tracking URL of the first position with that target: `text [target]` (how the text part shows a
   * link), and the bare target the text part shows for a link on an image or a link whose text is
   * its URL. Untracked links (unsubscribe, preferences) and other text are unchanged.
   */
  rewriteText(text: string, urlFor: (position: number) => string): string;
}

interface FoundLink {
  /** Offsets of the attribute value in the HTML, quotes included. */
  start: number;
  end: number;
  /** The normalised absolute URL: what is stored and redirected to. */
  url: string;
}

// `<a` followed by whitespace, `/` or `>`, then everything up to the `>` that closes the tag.
const ANCHOR_TAG = /<a(?=[\s/>])(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
// An http(s) URL in the plain-text part: up to whitespace or the brackets the text part puts around links.
const TEXT_URL = /https?:\/\/[^\s[\]<>"]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)'’]+$/u;
// One attribute: name, optionally `=` and a double-quoted, single-quoted or bare value.
const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;

/** One `<a ...>` tag of an HTML string, and its href attribute when it has one. */
export interface AnchorTag {
  /** Offset of `<a` in the HTML, and the whole tag up to its closing `>`. */
  readonly start: number;
  readonly tag: string;
  /** Offsets of the href value in the HTML (quotes included), and the value as written, without quotes. */
  readonly href?: { readonly start: number; readonly end: number; readonly value: string };
}

/** Every `<a ...>` tag of `html`, in order: the one scanner both tracking paths use. */
export function* anchorTagsOf(html: string): Generator<AnchorTag> {
  for (const tag of html.matchAll(ANCHOR_TAG)) {
    const href = hrefOf(tag[0]);
    yield href ? { start: tag.index, tag: tag[0], href: { start: tag.index + href.start, end: tag.index + href.end, value: href.value } } : { start: tag.index, tag: tag[0] };
  }
}

/** The untracked links as they are compared: absolute URLs. */
export function untrackedSet(untracked: readonly string[]): ReadonlySet<string> {
  return new Set(untracked.flatMap((link) => normalise(link) ?? []));
}

/**
 * The link an href value (as written in the HTML, character references and all) is tracked as:
 * its normalised absolute URL, or undefined for a non-web link or one of `keep`.
 */
export function trackedTargetOf(hrefValue: string, keep: ReadonlySet<string>): string | undefined {
  const written = decodeCharacterReferences(hrefValue).trim();
  const url = /^https?:\/\//i.test(written) ? normalise(written) : undefined;
  return url === undefined || keep.has(url) ? undefined : url;
}

/** Plans the rewrite; `untracked` links (compared as absolute URLs) are left as they are. */
export function planLinkRewrite(html: string, untracked: readonly string[] = []): LinkRewritePlan {
  const keep = untrackedSet(untracked);
  const found: FoundLink[] = [];
  for (const anchor of anchorTagsOf(html)) {
    if (!anchor.href) continue;
    const url = trackedTargetOf(anchor.href.value, keep);
    if (url !== undefined) found.push({ start: anchor.href.start, end: anchor.href.end, url });
  }
  const links = found.map((link) => link.url);
  return {
    links,
    rewriteHtml(urlFor) {
      let out = '';
      let from = 0;
      found.forEach((link, position) => {
        out += `${html.slice(from, link.start)}${quotedAttribute(urlFor(position))}`;
        from = link.end;
      });
      return out + html.slice(from);
    },
    rewriteText: (text, urlFor) => rewriteTextLinks(text, links, urlFor),
  };
}

/**
 * The plain-text part with every http(s) URL that is one of `links` (tracked targets, by
 * position) replaced by `urlFor` of the first position with that target; see
 * LinkRewritePlan.rewriteText.
 */
export function rewriteTextLinks(text: string, links: readonly string[], urlFor: (position: number) => string): string {
  if (links.length === 0) return text;
  const firstPosition = new Map<string, number>();
  links.forEach((url, position) => {
    if (!firstPosition.has(url)) firstPosition.set(url, position);
  });
  return text.replace(TEXT_URL, (whole: string) => {
    // Prose may end a URL with punctuation ("see https://example.com/docs."): try without it too.
    const trimmed = whole.replace(TRAILING_PUNCTUATION, '');
    for (const candidate of trimmed === whole ? [whole] : [whole, trimmed]) {
      // Most targets are written as their normalised form: look that up before parsing the URL.
      const position = firstPosition.get(candidate) ?? lookUpNormalised(firstPosition, candidate);
      if (position !== undefined) return urlFor(position) + whole.slice(candidate.length);
    }
    return whole;
  });
}

function lookUpNormalised(positions: ReadonlyMap<string, number>, candidate: string): number | undefined {
  const url = normalise(candidate);
  return url === undefined ? undefined : positions.get(url);
}

/** `"value"`, escaped for a double-quoted attribute: how a tracked href is written. */
export function quotedAttribute(value: string): string {
  return `"${escapeAttribute(value)}"`;
}

/** Inserts the open-tracking image just before `</body>` (at the end when there is none). */
export function appendOpenPixel(html: string, src: string): string {
  const pixel = `<img src="${escapeAttribute(src)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0;" />`;
  return insertBeforeBodyClose(html, pixel);
}

/** `markup` inserted just before `</body>` (at the end when there is none). */
export function insertBeforeBodyClose(html: string, markup: string): string {
  const close = lastBodyClose(html);
  return close === -1 ? html + markup : html.slice(0, close) + markup + html.slice(close);
}

const BODY_CLOSE = /<\/body\s*>/iy;

/** Where the last `</body>` (any case, spaces before `>`) starts, or -1: from the end, as it is near it. */
function lastBodyClose(html: string): number {
  for (let at = html.lastIndexOf('</'); at !== -1; at = at === 0 ? -1 : html.lastIndexOf('</', at - 1)) {
    BODY_CLOSE.lastIndex = at;
    if (BODY_CLOSE.test(html)) return at;
  }
  return -1;
}

function hrefOf(tag: string): { value: string; start: number; end: number } | undefined {
  // Skip `<a`; stop before the closing `>`.
  const body = tag.slice(2, -1);
  for (const attribute of body.matchAll(ATTRIBUTE)) {
    if (attribute[1]!.toLowerCase() !== 'href') continue;
    const raw = attribute[2];
    if (raw === undefined) return undefined;
    const quoted = raw.startsWith('"') || raw.startsWith("'");
    const valueStart = 2 + attribute.index + attribute[0].length - raw.length;
    return { value: quoted ? raw.slice(1, -1) : raw, start: valueStart, end: valueStart + raw.length };
  }
  return undefined;
}

function normalise(link: string): string | undefined {
  try {
    const url = new URL(link);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const NAMED_REFERENCES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The character references a URL in an attribute plausibly carries; anything else stays as written. */
export function decodeCharacterReferences(value: string): string {
  return value.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,8});/g, (whole, reference: string) => {
    if (reference.startsWith('#')) {
      const code = reference[1] === 'x' || reference[1] === 'X' ? parseInt(reference.slice(2), 16) : parseInt(reference.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED_REFERENCES[reference.toLowerCase()] ?? whole;
  });
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
