/**
 * Use case: record an SES sending event (send, delivery, bounce, complaint, reject, delivery
 * delay, rendering failure) against the email it is about, once, and suppress the addresses a
 * permanent bounce or a complaint names.
 *
 * Join: the email tags the sender set (campaign, run, contact) name the send without a read;
 * without an account tag, the send is read by its key (one GetItem) for its account; without our
 * tags (or when they name no send), the send is looked up by the SES message id (GSI1). An event
 * for an email we cannot place is dropped without a write.
 *
 * Writes: at most one per suppressed address plus one for the event, both conditional, so an
 * event SES delivers twice changes nothing the second time. Suppressions are written before the
 * event, so a failure between the two is repaired by the redelivery (the event is not yet
 * recorded, the suppression is a no-op) instead of leaving a hard bounce unsuppressed.
 */
import { mapBounded } from '../../bounded-parallel.ts';
import type { EngagementStore, SendStore, SuppressionStore } from '../../ports.ts';
import type { EngagementEvent } from '../engagement-event.ts';
import { parseSesEventBridgeEvent, type SesEvent } from './ses-event.ts';
import { engagementDetailOf, engagementTypeOf, occurredAtOf, sesEventId, suppressionsOf, taggedSendOf, type SesEngagementType } from './ses-event-mapping.ts';

export interface SesEventDeps {
  sends: Pick<SendStore, 'getSend' | 'findSendByMessageId'>;
  engagement: Pick<EngagementStore, 'recordEvent'>;
  suppressions: Pick<SuppressionStore, 'suppress'>;
}

/** How the event was placed: by tags alone (no read), tags plus the send's key (GetItem), or the message id (GSI1 query). */
export type SesJoin = 'tags' | 'tags-and-send' | 'message-id';

export type SesEventOutcome =
  | { outcome: 'recorded'; eventId: string; type: SesEngagementType; contactId: string; campaignId: string; runId: string; joinedBy: SesJoin; suppressed: number }
  | { outcome: 'duplicate'; eventId: string; type: SesEngagementType; contactId: string; campaignId: string; runId: string; joinedBy: SesJoin; suppressed: number }
  | { outcome: 'unknown-message'; sesMessageId: string; type: SesEngagementType }
  | { outcome: 'rejected'; reason: string };

interface PlacedSend {
  campaignId: string;
  runId: string;
  contactId: string;
  accountId: string;
  joinedBy: SesJoin;
  kind?: string;
  stepId?: string;
}

/** Records one parsed SES event. Store failures throw (the caller retries; every write is idempotent). */
export async function recordSesEvent(event: SesEvent, deps: SesEventDeps): Promise<SesEventOutcome> {
  const type = engagementTypeOf(event);
  const send = await placeSend(event, deps);
  if (!send) return { outcome: 'unknown-message', sesMessageId: event.mail.messageId, type };

  const eventId = sesEventId(event);
  let suppressed = 0;
  for (const suppression of suppressionsOf(event, eventId)) {
    if (await deps.suppressions.suppress(suppression)) suppressed += 1;
  }
  const engagementEvent: EngagementEvent = {
    eventId,
    type,
    contactId: send.contactId,
    accountId: send.accountId,
    occurredAt: occurredAtOf(event),
    campaignId: send.campaignId,
    runId: send.runId,
    machine: false,
    detail: {
      ...engagementDetailOf(event),
      ...(send.kind ? { kind: send.kind } : {}),
      ...(send.stepId ? { stepId: send.stepId } : {}),
    },
  };
  const recorded = await deps.engagement.recordEvent(engagementEvent);
  const placed = { eventId, type, contactId: send.contactId, campaignId: send.campaignId, runId: send.runId, joinedBy: send.joinedBy, suppressed };
  return recorded ? { outcome: 'recorded', ...placed } : { outcome: 'duplicate', ...placed };
}

/** Parses an EventBridge event and records it; a malformed event is `rejected` with its reason, nothing written. */
export async function ingestSesEvent(input: unknown, deps: SesEventDeps): Promise<SesEventOutcome> {
  const parsed = parseSesEventBridgeEvent(input);
  if (!parsed.success) return { outcome: 'rejected', reason: parsed.reason };
  return recordSesEvent(parsed.event, deps);
}

/**
 * Many events, `concurrency` in flight (a bench, a replay of a day's events): the same path as
 * the handler, one event at a time each. Returns each event's outcome, in input order.
 */
export function ingestSesEvents(inputs: readonly unknown[], deps: SesEventDeps, concurrency = 16): Promise<SesEventOutcome[]> {
  return mapBounded(inputs, concurrency, (input) => ingestSesEvent(input, deps));
}

async function placeSend(event: SesEvent, deps: SesEventDeps): Promise<PlacedSend | undefined> {
  const tagged = taggedSendOf(event);
  const labels = { ...(tagged?.kind ? { kind: tagged.kind } : {}), ...(tagged?.stepId ? { stepId: tagged.stepId } : {}) };
  if (tagged?.accountId) return { ...tagged, accountId: tagged.accountId, joinedBy: 'tags' };
  if (tagged) {
    const send = await deps.sends.getSend(tagged.campaignId, tagged.runId, tagged.contactId);
    if (send) return { campaignId: send.campaignId, runId: send.runId, contactId: send.contactId, accountId: send.accountId, joinedBy: 'tags-and-send', ...labels };
    // Tags that name no send (not ours after all, or mangled): the message id is the last chance.
  }
  const send = await deps.sends.findSendByMessageId(event.mail.messageId);
  return send ? { campaignId: send.campaignId, runId: send.runId, contactId: send.contactId, accountId: send.accountId, joinedBy: 'message-id' } : undefined;
}
