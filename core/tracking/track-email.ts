/**
 * Makes a rendered email trackable: every web link except unsubscribe and preferences becomes a
 * signed click URL (`<baseUrl>/c/<token>`) naming its position in the email's link set, and an
 * open pixel (`<baseUrl>/o/<token>.gif`) goes at the end of the body. Returns the link set to
 * store before the email is sent, so every click URL in an inbox has a stored target.
 *
 * An email with content links also gets the invisible honeypot link (honeypot-link.ts) in its
 * HTML part only: appended as the link set's last position (flagged `honeypot`), so the content
 * links keep the positions they would have without it. An email without content links gets none:
 * there is no sweep of clicks to expose, and no link set to store.
 *
 * The links come prepared by the render (renderEmail with `trackLinks`, see prepared-links.ts):
 * then the click URLs go in with one replace. Without that form (previews, templates tracked by
 * scanning) the rendered HTML is scanned for them; both give the same email and link set.
 */
import type { Locale } from '../config/schema/common.ts';
import { signToken } from './link-token.ts';
import { defaultHoneypotTarget, insertHoneypotLink } from './honeypot-link.ts';
import { linkSetId, type MessageLinks } from './message-links.ts';
import { fillClickUrls, type PreparedLinks } from './prepared-links.ts';
import { appendOpenPixel, planLinkRewrite, rewriteTextLinks } from './rewrite-links.ts';

export interface TrackingLinkSettings {
  /** Public base URL of the HTTP app, without a trailing slash. */
  baseUrl: string;
  tokenSecret: string;
  /** Where the invisible trap link leads (a harmless page, e.g. the sender's website); default: the engine's own landing page. */
  honeypotTarget?: string;
}

export interface EmailToTrack {
  messageId: string;
  runId: string;
  contactId: string;
  locale: Locale;
  /** The rendered HTML; scanned for links unless `prepared` is given. */
  html: string;
  text: string;
  /** Links left as they are (unsubscribe, preferences): they are tokens of their own. */
  untracked: readonly string[];
  /**
   * The same HTML's links as the render recorded them (RenderedEmail.preparedLinks). Used when it
   * left exactly `untracked` alone; otherwise the HTML is scanned.
   */
  prepared?: PreparedLinks;
}

export interface TrackedEmail {
  html: string;
  text: string;
  /** Undefined when the email has no link to track. */
  links: MessageLinks | undefined;
}

export function trackEmail(email: EmailToTrack, settings: TrackingLinkSettings, now: Date): TrackedEmail {
  const ref = { messageId: email.messageId, runId: email.runId, contactId: email.contactId };
  const prepared = email.prepared && sameLinks(email.prepared.untracked, email.untracked) ? email.prepared : undefined;
  const plan = prepared ? undefined : planLinkRewrite(email.html, email.untracked);
  const contentLinks = prepared?.links ?? plan?.links ?? [];
  const honeypot = contentLinks.length > 0 ? contentLinks.length : undefined;
  const links = honeypot === undefined ? contentLinks : [...contentLinks, settings.honeypotTarget ?? defaultHoneypotTarget(settings.baseUrl)];
  const linkSet = links.length > 0 ? linkSetId(links, honeypot) : undefined;
  // Signed once per position: the HTML and the text part usually both show a link.
  const clickUrls: string[] = [];
  const clickUrl = (position: number) => (clickUrls[position] ??= `${settings.baseUrl}/c/${signToken({ purpose: 'click', ...ref, link: position, linkSet }, settings.tokenSecret)}`);
  const openUrl = `${settings.baseUrl}/o/${signToken({ purpose: 'open', ...ref }, settings.tokenSecret)}.gif`;
  const html = prepared ? fillClickUrls(prepared, clickUrl) : (plan?.rewriteHtml(clickUrl) ?? email.html);
  return {
    html: appendOpenPixel(honeypot === undefined ? html : insertHoneypotLink(html, clickUrl(honeypot)), openUrl),
    // Content links only: a URL in the text part must never lead into the trap.
    text: rewriteTextLinks(email.text, contentLinks, clickUrl),
    links:
      linkSet === undefined
        ? undefined
        : {
            messageId: email.messageId,
            runId: email.runId,
            linkSet,
            locale: email.locale,
            links: [...links],
            ...(honeypot === undefined ? {} : { honeypot }),
            savedAt: now.toISOString(),
          },
  };
}

function sameLinks(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((link) => b.includes(link)) && b.every((link) => a.includes(link));
}
