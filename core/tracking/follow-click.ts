/**
 * Use cases: a tracked link was clicked. `resolveClick` finds the target: the link stored for that
 * email's link set at that position (and whether it is the email's invisible honeypot). The
 * request only names the position, through a signed token, so there is no open redirect.
 * `recordClick` then judges the click by the request and by what this recipient did before with
 * the same email (click-context.ts: honeypot, burst, follow-up of a machine, no open before; read
 * with one bounded query), records a `click` event for an email that was sent (once per contact,
 * link, minute and client) and adds one to that link's count. Earlier clicks of the recipient
 * judged a person's that this click shows to be a machine's (the honeypot's sweep, a burst) are
 * taken back by a `click-reclassified` event each, through the same engagement path, and their
 * link counts move from people to machines. Resolving and recording are apart so a failed write
 * never stops a person from reaching the page.
 */
import { segmentDetailOf } from '../reporting/kpi-counters.ts';
import type { Clock, EngagementRecorder, SendStore } from '../ports.ts';
import type { Send } from '../sending/send.ts';
import { classifyClickInContext, type ClickContextRules, type ClickVerdict } from './click-context.ts';
import type { EngagementEvent } from './engagement-event.ts';
import { verifyToken } from './link-token.ts';
import type { RequestFacts } from './machine-traffic.ts';
import { clickReclassifiedEvent, clientKeyOf, recipientClickHistory, type RecipientClickHistory } from './recipient-clicks.ts';
import { startOfMinute, trackingEventId } from './tracking-event-id.ts';

/**
 * How many of the contact's latest events (since the send) a click looks at. The rules look back
 * minutes (bursts, sweeps, follow-ups); only the "opened before" signal looks further, and it is
 * weak on its own. Far more than one email's opens and clicks, one page of the query.
 */
export const CLICK_CONTEXT_EVENTS = 200;

export interface ClickTrackingDeps {
  sends: Pick<SendStore, 'getSend' | 'getMessageLinks' | 'trackedEventsOfSend'>;
  engagement: EngagementRecorder;
  clock: Clock;
  /** The link-signing secret; also keys the client pseudonym (`clientKey`) stored with clicks. */
  tokenSecret: string;
  /** A click sooner than this after the send is a scanner's (default 10 s). */
  minHumanClickDelayMs?: number;
  /** Overrides of the contextual click rules (click-context.ts defaults otherwise). */
  clickRules?: Partial<ClickContextRules>;
}

export interface ResolvedClick {
  messageId: string;
  runId: string;
  contactId: string;
  linkSet: string;
  position: number;
  /** The stored target: where the click goes. */
  target: string;
  /** The position is the email's invisible trap link: no person sees it. */
  honeypot: boolean;
  /** Undefined when no email was sent for the token (nothing is recorded then). */
  send: Send | undefined;
}

export type ClickRecord =
  | {
      outcome: 'recorded' | 'repeat';
      verdict: ClickVerdict;
      /** Earlier clicks of the recipient this click newly took back as a machine's. */
      reclassified: number;
      /** Why the recipient's earlier clicks and opens could not be read: the click was judged without them. */
      contextUnavailable?: string;
    }
  | { outcome: 'not-sent' };

/** The click's stored target, or undefined for a token that is not a genuine click token with a stored link. */
export async function resolveClick(token: string, deps: { sends: Pick<SendStore, 'getSend' | 'getMessageLinks'>; tokenSecret: string }): Promise<ResolvedClick | undefined> {
  const claims = verifyToken(token, deps.tokenSecret);
  if (claims?.purpose !== 'click' || claims.link === undefined || claims.linkSet === undefined) return undefined;
  const { messageId, runId, contactId, link: position, linkSet } = claims;
  const [stored, send] = await Promise.all([deps.sends.getMessageLinks(messageId, runId, linkSet), deps.sends.getSend(messageId, runId, contactId)]);
  const target = stored?.links[position];
  return target ? { messageId, runId, contactId, linkSet, position, target, honeypot: stored?.honeypot === position, send } : undefined;
}

export async function recordClick(click: ResolvedClick, request: RequestFacts, deps: ClickTrackingDeps): Promise<ClickRecord> {
  const { send } = click;
  if (!send) return { outcome: 'not-sent' };
  const at = deps.clock.now();
  const minute = startOfMinute(at).toISOString();
  const clientKey = clientKeyOf(request.ip, request.userAgent, deps.tokenSecret);
  // One event per client, link and minute: a refresh or a retried request is the same click,
  // another client (a scanner beside the person) is another. Whatever the verdict, so a repeat
  // judged differently in a changed context is still a repeat.
  const eventId = trackingEventId('click', [click.messageId, click.runId, click.contactId, click.linkSet, click.position, minute, clientKey ?? `ua:${request.userAgent ?? ''}`, request.method.toUpperCase()]);

  // Claimed before sent: a click in the minute of the send is still in range.
  const since = startOfMinute(new Date(send.claimedAt));
  let history: RecipientClickHistory | undefined;
  let contextUnavailable: string | undefined;
  try {
    history = recipientClickHistory(await deps.sends.trackedEventsOfSend(click.messageId, click.runId, click.contactId, since, CLICK_CONTEXT_EVENTS));
  } catch (error) {
    // The click itself is not lost for want of its context: it is judged by the request and the
    // honeypot alone (no "opened before" guess), and the caller reports the failure loudly.
    contextUnavailable = error instanceof Error ? error.message : String(error);
  }
  const rules = { ...deps.clickRules, ...(deps.minHumanClickDelayMs === undefined ? {} : { minHumanDelayMs: deps.minHumanClickDelayMs }) };
  const { verdict, revise } = classifyClickInContext(
    { at, method: request.method, ip: request.ip, userAgent: request.userAgent, linkPosition: click.position, honeypot: click.honeypot, ...(clientKey ? { clientKey } : {}) },
    { sentAt: send.sentAt ? new Date(send.sentAt) : undefined, earlierClicks: history?.clicks.filter((earlier) => earlier.event.eventId !== eventId) ?? [], opens: history?.opens ?? [] },
    history ? rules : { ...rules, noOpenBefore: 'off' },
  );

  const event: EngagementEvent = {
    eventId,
    type: 'click',
    contactId: click.contactId,
    accountId: send.accountId,
    occurredAt: minute,
    campaignId: click.messageId,
    runId: click.runId,
    machine: verdict.machine,
    detail: {
      link: click.position,
      linkSet: click.linkSet,
      host: new URL(click.target).host,
      at: at.toISOString(),
      ...segmentDetailOf(send),
      ...(click.honeypot ? { honeypot: true } : {}),
      ...(clientKey ? { clientKey } : {}),
      ...(verdict.machine ? { machineReason: verdict.reason } : {}),
    },
  };
  // The link's click count moves in the event's own write (core/reporting/kpi-counters.ts): they always agree.
  const recorded = await deps.engagement.recordEvent(event);

  // Also on a repeat: a first attempt that failed after its click was stored is completed here.
  // Each reclassification is recorded once (its id comes from the click's), its counts moved with it.
  let reclassified = 0;
  for (const { click: earlier, reason } of revise) {
    if (await deps.engagement.recordEvent(clickReclassifiedEvent(earlier.event, reason, eventId))) reclassified++;
  }
  return { outcome: recorded ? 'recorded' : 'repeat', verdict, reclassified, ...(contextUnavailable === undefined ? {} : { contextUnavailable }) };
}
