/**
 * Makes a rendered email trackable: every web link except unsubscribe and preferences becomes a
 * signed click URL (`<baseUrl>/c/<token>`) naming its position in the email's link set, and an
 * open pixel (`<baseUrl>/o/<token>.gif`) goes at the end of the body. Returns the link set to
 * store before the email is sent, so every click URL in an inbox has a stored target.
 */
import type { Locale } from '../config/schema/common.ts';
import { signToken } from './link-token.ts';
import { linkSetId, type MessageLinks } from './message-links.ts';
import { appendOpenPixel, planLinkRewrite } from './rewrite-links.ts';

export interface TrackingLinkSettings {
  /** Public base URL of the HTTP app, without a trailing slash. */
  baseUrl: string;
  tokenSecret: string;
}

export interface EmailToTrack {
  messageId: string;
  runId: string;
  contactId: string;
  locale: Locale;
  html: string;
  text: string;
  /** Links left as they are (unsubscribe, preferences): they are tokens of their own. */
  untracked: readonly string[];
}

export interface TrackedEmail {
  html: string;
  text: string;
  /** Undefined when the email has no link to track. */
  links: MessageLinks | undefined;
}

export function trackEmail(email: EmailToTrack, settings: TrackingLinkSettings, now: Date): TrackedEmail {
  const ref = { messageId: email.messageId, runId: email.runId, contactId: email.contactId };
  const plan = planLinkRewrite(email.html, email.untracked);
  const linkSet = plan.links.length > 0 ? linkSetId(plan.links) : undefined;
  const clickUrl = (position: number) => `${settings.baseUrl}/c/${signToken({ purpose: 'click', ...ref, link: position, linkSet }, settings.tokenSecret)}`;
  const openUrl = `${settings.baseUrl}/o/${signToken({ purpose: 'open', ...ref }, settings.tokenSecret)}.gif`;
  return {
    html: appendOpenPixel(plan.rewriteHtml(clickUrl), openUrl),
    text: plan.rewriteText(email.text, clickUrl),
    links:
      linkSet === undefined
        ? undefined
        : { messageId: email.messageId, runId: email.runId, linkSet, locale: email.locale, links: [...plan.links], savedAt: now.toISOString() },
  };
}
