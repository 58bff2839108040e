/**
 * Use case: the open pixel was fetched. A genuine open token for an email that was sent records
 * an `open` event, once per contact, email and minute (machine and human apart); anything else
 * records nothing. The caller answers with the same image whatever happens here.
 */
import { segmentDetailOf } from '../reporting/kpi-counters.ts';
import type { Clock, EngagementRecorder, SendStore } from '../ports.ts';
import type { EngagementEvent } from './engagement-event.ts';
import { verifyToken } from './link-token.ts';
import { classifyOpen, type RequestFacts } from './machine-traffic.ts';
import { startOfMinute, trackingEventId } from './tracking-event-id.ts';

export interface OpenTrackingDeps {
  sends: Pick<SendStore, 'getSend'>;
  engagement: EngagementRecorder;
  clock: Clock;
  tokenSecret: string;
}

export type OpenOutcome = 'recorded' | 'repeat' | 'ignored';

export async function recordOpen(token: string, request: RequestFacts, deps: OpenTrackingDeps): Promise<OpenOutcome> {
  const claims = verifyToken(token, deps.tokenSecret);
  if (claims?.purpose !== 'open') return 'ignored';
  const send = await deps.sends.getSend(claims.messageId, claims.runId, claims.contactId);
  if (!send) return 'ignored';
  const verdict = classifyOpen(request);
  const minute = startOfMinute(deps.clock.now()).toISOString();
  const event: EngagementEvent = {
    eventId: trackingEventId('open', [claims.messageId, claims.runId, claims.contactId, minute, verdict.machine]),
    type: 'open',
    contactId: claims.contactId,
    accountId: send.accountId,
    occurredAt: minute,
    campaignId: claims.messageId,
    runId: claims.runId,
    machine: verdict.machine,
    detail: { ...segmentDetailOf(send), ...(verdict.machine ? { machineReason: verdict.reason } : {}) },
  };
  return (await deps.engagement.recordEvent(event)) ? 'recorded' : 'repeat';
}
