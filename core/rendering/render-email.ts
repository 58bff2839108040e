/**
 * Renders a compiled template for one recipient, synchronously: subject, preheader, HTML body,
 * the plain-text part converted from this recipient's rendered HTML (so it says exactly what the
 * HTML says, whichever branches the recipient gets), and the RFC 8058 unsubscribe headers.
 *
 * Rendering has no side effects: Liquid gets a fresh copy of the context for every render, so a
 * tag that writes to the scope (`increment`, `decrement`) cannot change the caller's data or the
 * next recipient's email.
 *
 * With `trackLinks`, the render also prepares click tracking: the body's `{% track %}` tags
 * record this recipient's links (loops and branches included) and the result carries the HTML
 * with placeholders and the links in order (`preparedLinks`, for trackEmail), so the sender
 * need not scan the HTML for links. The other fields are the same as without it.
 *
 * The subject is a mail header, so it is plain text (not HTML-escaped) and kept on one line:
 * CR, LF and other control characters coming from data become spaces, so no value can end
 * the header and start another.
 */
import type { RenderOptions, Template } from 'liquidjs';
import { LinkTracker, type PreparedLinks } from '../tracking/prepared-links.ts';
import { PREHEADER_VARIABLE, type CompiledTemplate } from './compile-template.ts';
import type { RenderContext } from './render-context.ts';
import { trackingRenderOptions, type RenderingEngines } from './rendering-engines.ts';
import { describeLiquidError, TemplateRenderError, type TemplatePart } from './template-failure.ts';

export interface RenderedEmail {
  subject: string;
  /** The inbox preview text (front matter `preheader`), also hidden at the top of the HTML. */
  preheader?: string;
  html: string;
  text: string;
  /**
   * List-Unsubscribe (the recipient's unsubscribe link) and List-Unsubscribe-Post for one-click
   * unsubscribe: that link must accept `POST List-Unsubscribe=One-Click` as well as GET.
   */
  headers?: Record<string, string>;
  /**
   * With `trackLinks`: the HTML with placeholders where the tracked links go, and their targets
   * in order (every web link but the recipient's unsubscribe and preferences links). Absent when
   * the template's links are found by scanning (CompiledTemplate.linkTracking).
   */
  preparedLinks?: PreparedLinks;
}

export interface RenderEmailOptions {
  /** Prepare click tracking while rendering (see RenderedEmail.preparedLinks). */
  trackLinks?: boolean;
}

/** Throws TemplateRenderError when the template uses something the context lacks. */
export function renderEmail(compiled: CompiledTemplate, context: RenderContext, options: RenderEmailOptions = {}): RenderedEmail {
  const { engines } = compiled;
  // One deep copy per recipient (nested objects too: a filter must not reach the caller's data),
  // then a shallow copy per part, so the subject's `increment` does not shift the body's.
  const data = structuredClone(context);
  const subject = toHeaderText(renderPart(compiled, 'subject', engines.text, compiled.subject, { ...data }));
  const preheader = compiled.preheader && toHeaderText(renderPart(compiled, 'preheader', engines.text, compiled.preheader, { ...data }));
  const bodyScope = () => (preheader === undefined ? { ...data } : { ...data, [PREHEADER_VARIABLE]: preheader });
  let html: string;
  let preparedLinks: PreparedLinks | undefined;
  if (options.trackLinks && compiled.linkTracking === 'prepared') {
    const tracker = new LinkTracker([context.links.unsubscribe, context.links.preferences]);
    const resolved = tracker.resolve(renderPart(compiled, 'body (html)', engines.html, compiled.body, bodyScope(), trackingRenderOptions(tracker)));
    // Not intact (a filter cut a placeholder): render as usual, and the sender scans this email.
    html = resolved?.html ?? renderPart(compiled, 'body (html)', engines.html, compiled.body, bodyScope());
    preparedLinks = resolved?.prepared;
  } else {
    html = renderPart(compiled, 'body (html)', engines.html, compiled.body, bodyScope());
  }
  let text: string;
  try {
    text = engines.plainText(html).trim();
  } catch (error) {
    throw new TemplateRenderError(compiled.file, { part: 'body (text)', message: `cannot convert the HTML to plain text: ${error instanceof Error ? error.message : String(error)}` });
  }
  return {
    subject,
    ...(preheader === undefined ? {} : { preheader }),
    html,
    text,
    headers: unsubscribeHeaders(context.links.unsubscribe),
    ...(preparedLinks === undefined ? {} : { preparedLinks }),
  };
}

function renderPart(compiled: CompiledTemplate, part: TemplatePart, liquid: RenderingEngines['text'], template: Template[], scope: object, renderOptions?: RenderOptions): string {
  try {
    return liquid.renderSync(template, scope, renderOptions) as string;
  } catch (error) {
    throw new TemplateRenderError(compiled.file, { part, message: describeLiquidError(error) });
  }
}

// C0 and C1 controls (CR, LF, tab, NUL, NEL ...) and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One line of plain text, safe to put in a mail header. */
export function toHeaderText(text: string): string {
  return text.replace(LINE_BREAKING, ' ').replace(/ {2,}/g, ' ').trim();
}

function unsubscribeHeaders(unsubscribeLink: string): Record<string, string> {
  // The WHATWG serialisation drops CR/LF/tab and percent-encodes spaces and < >,
  // so the link cannot break out of the header or its angle brackets.
  let href: string;
  try {
    href = new URL(unsubscribeLink).href;
  } catch {
    throw new TypeError('links.unsubscribe is not an absolute URL: parse the context with renderContextSchema first');
  }
  return { 'List-Unsubscribe': `<${href}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
