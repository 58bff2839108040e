/**
 * The honeypot: an invisible link in the HTML part of every tracked email with content links. No
 * person sees it (hidden by style, from screen readers and from the tab order, and it has no
 * text), but link scanners that follow every href in an email click it. Its click URL looks like
 * any other (`/c/<token>`); the stored link set marks its position (the last one) as the trap, and
 * a click on it marks that recipient's sweep of clicks as machine (click-context.ts).
 *
 * It is never in the text part: a person clicking a URL in plain text must not fall into it.
 * Its target is a harmless page (the engine's `HONEYPOT_LANDING_PATH`, or the sender's website
 * when configured), so a scanner that follows the redirect lands on a real 200 page, not a 404.
 */
import { insertBeforeBodyClose } from './rewrite-links.ts';

/** The page the tracking routes serve as the trap link's default target. */
export const HONEYPOT_LANDING_PATH = '/about/email-links';

/** The trap link's default target for links served from `baseUrl` (no trailing slash). */
export function defaultHoneypotTarget(baseUrl: string): string {
  return `${baseUrl}${HONEYPOT_LANDING_PATH}`;
}

/**
 * The markup: an anchor around an empty 1x1 span, hidden every way an email client honours
 * (`display:none`, Outlook's `mso-hide:all`, zero size), out of the accessibility tree
 * (`aria-hidden`) and the tab order (`tabindex="-1"`).
 */
export function honeypotAnchor(clickUrl: string): string {
  return (
    `<a href="${escapeAttribute(clickUrl)}" aria-hidden="true" tabindex="-1" ` +
    'style="display:none;mso-hide:all;font-size:0;line-height:0;max-height:0;max-width:0;overflow:hidden;opacity:0;">' +
    '<span style="display:none;width:1px;height:1px;"></span></a>'
  );
}

/**
 * The HTML with the trap link at the end of the body, after the content: the content links keep
 * coming first in the document, as readers (and tools that take "the first link") expect.
 */
export function insertHoneypotLink(html: string, clickUrl: string): string {
  return insertBeforeBodyClose(html, honeypotAnchor(clickUrl));
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
