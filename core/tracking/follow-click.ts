/**
 * Use cases: a tracked link was clicked. `resolveClick` finds the target: the link stored for that
 * email's link set at that position. The request only names the position, through a signed token,
 * so there is no open redirect. `recordClick` then records a `click` event for an email that was
 * sent (once per contact, link and minute; machine and human apart) and adds one to that link's
 * count. They are apart so a failed write never stops a person from reaching the page.
 */
import type { Clock, EngagementRecorder, SendStore } from '../ports.ts';
import type { Send } from '../sending/send.ts';
import type { EngagementEvent } from './engagement-event.ts';
import { verifyToken } from './link-token.ts';
import { classifyClick, type RequestFacts, type TrafficVerdict } from './machine-traffic.ts';
import { startOfMinute, trackingEventId } from './tracking-event-id.ts';

export interface ClickTrackingDeps {
  sends: Pick<SendStore, 'getSend' | 'getMessageLinks' | 'countLinkClick'>;
  engagement: EngagementRecorder;
  clock: Clock;
  tokenSecret: string;
  /** A click sooner than this after the send is a scanner's (default 10 s). */
  minHumanClickDelayMs?: number;
}

export interface ResolvedClick {
  messageId: string;
  runId: string;
  contactId: string;
  linkSet: string;
  position: number;
  /** The stored target: where the click goes. */
  target: string;
  /** Undefined when no email was sent for the token (nothing is recorded then). */
  send: Send | undefined;
}

export type ClickRecord = { outcome: 'recorded' | 'repeat'; verdict: TrafficVerdict } | { outcome: 'not-sent' };

/** The click's stored target, or undefined for a token that is not a genuine click token with a stored link. */
export async function resolveClick(token: string, deps: ClickTrackingDeps): Promise<ResolvedClick | undefined> {
  const claims = verifyToken(token, deps.tokenSecret);
  if (claims?.purpose !== 'click' || claims.link === undefined || claims.linkSet === undefined) return undefined;
  const { messageId, runId, contactId, link: position, linkSet } = claims;
  const [stored, send] = await Promise.all([deps.sends.getMessageLinks(messageId, runId, linkSet), deps.sends.getSend(messageId, runId, contactId)]);
  const target = stored?.links[position];
  return target ? { messageId, runId, contactId, linkSet, position, target, send } : undefined;
}

export async function recordClick(click: ResolvedClick, request: RequestFacts, deps: ClickTrackingDeps): Promise<ClickRecord> {
  const { send } = click;
  if (!send) return { outcome: 'not-sent' };
  const at = deps.clock.now();
  const verdict = classifyClick(request, {
    at,
    sentAt: send.sentAt ? new Date(send.sentAt) : undefined,
    ...(deps.minHumanClickDelayMs === undefined ? {} : { minHumanDelayMs: deps.minHumanClickDelayMs }),
  });
  const minute = startOfMinute(at).toISOString();
  const event: EngagementEvent = {
    eventId: trackingEventId('click', [click.messageId, click.runId, click.contactId, click.linkSet, click.position, minute, verdict.machine]),
    type: 'click',
    contactId: click.contactId,
    accountId: send.accountId,
    occurredAt: minute,
    campaignId: click.messageId,
    runId: click.runId,
    machine: verdict.machine,
    detail: { link: click.position, linkSet: click.linkSet, host: new URL(click.target).host, ...(verdict.machine ? { machineReason: verdict.reason } : {}) },
  };
  const recorded = await deps.engagement.recordEvent(event);
  // Counted only with a new event, so the per-link counts and the events always agree.
  if (recorded) await deps.sends.countLinkClick(click.messageId, click.runId, click.linkSet, click.position, verdict.machine);
  return { outcome: recorded ? 'recorded' : 'repeat', verdict };
}
