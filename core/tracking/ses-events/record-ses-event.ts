/**
 * Use case: record an SES event (send, delivery, bounce, complaint, reject, delivery delay,
 * rendering failure; and Subscription, an unsubscribe through SES list management) against the
 * email and the contact it is about, once, and suppress the addresses a permanent bounce, a
 * complaint or an unsubscribe names.
 *
 * Join: the email tags the sender set (campaign, run, contact, account) name the send without a
 * read when they carry the sender's signature (`sig`, an HMAC with the link secret); unsigned or
 * without an account tag, the send is read by its key (one GetItem), and must be this very email
 * (same SES message id) for the tags to count; without our tags, with tags our
 * encoder cannot have written, or when they name no send, the send is looked up by the SES
 * message id (GSI1). So an event is filed under its own send's contact, never another's.
 *
 * An email we cannot place: a permanent bounce or a complaint still suppresses its addresses (the
 * address is in the event, and mail sent before a table restore or by the system we replace still
 * hurts our reputation), and is filed under the contact owning the address, with no campaign, or
 * kept as an unplaced event when no contact owns it. Any other event type for it is dropped
 * without a write (`unknown-message`): it would change nothing we decide.
 *
 * Writes: suppressions first, then topic opt-outs, then the event, each conditional or
 * idempotent, so an event SES delivers twice changes nothing the second time, and a failure
 * between them is repaired by the redelivery (the event is not yet recorded, the suppression is a
 * no-op) instead of leaving a hard bounce unsuppressed.
 */
import { mapBounded } from '../../bounded-parallel.ts';
import type { Topics } from '../../config/schema/settings.ts';
import type { Contact } from '../../customers/contact.ts';
import type { CustomerStore, EngagementRecorder, EngagementStore, SendStore, SuppressionStore } from '../../ports.ts';
import type { EngagementEvent } from '../engagement-event.ts';
import { parseSesEventBridgeEvent, type SesEvent } from './ses-event.ts';
import { segmentDetailOf } from '../../reporting/kpi-counters.ts';
import {
  engagementDetailOf,
  engagementTypeOf,
  occurredAtOf,
  recipientAddressesOf,
  recipientHashOf,
  sesEventId,
  sesRecipientEventId,
  suppressionReasonOf,
  suppressionsOf,
  taggedSendOf,
  topicOptOutsOf,
  type SenderTagName,
  type SesEngagementType,
  type TaggedSendRead,
} from './ses-event-mapping.ts';

export interface SesEventDeps {
  sends: Pick<SendStore, 'getSend' | 'findSendByMessageId'>;
  engagement: EngagementRecorder & Pick<EngagementStore, 'recordUnplacedSesEvent'>;
  suppressions: Pick<SuppressionStore, 'suppress'>;
  /** Whose address it is (an event of no known send, a Subscription event), and topic opt-outs. */
  customers: Pick<CustomerStore, 'findContactByEmail' | 'addTopicOptOuts'>;
  /** The preference centre's topics (config `topics`): an SES opt-out of a topic of that name is applied. */
  topics: Topics;
  /**
   * The secret the sender signs its tags with (the link-signing secret). Only tags carrying a
   * valid signature place an event without a read; without it, every tag join reads the send.
   */
  tagSecret?: string;
}

/** How the event was placed: by tags alone (no read), tags plus the send's key (GetItem), or the message id (GSI1 query). */
export type SesJoin = 'tags' | 'tags-and-send' | 'message-id';

interface PlacedOutcome {
  eventId: string;
  type: SesEngagementType;
  contactId: string;
  campaignId: string;
  runId: string;
  joinedBy: SesJoin;
  suppressed: number;
  /** A tag whose value our encoder cannot have written: the tags were not trusted. */
  refusedTag?: SenderTagName;
}

/** Where an event without a send (or a Subscription event) went: under these contacts, or unplaced. */
interface FiledByAddress {
  eventId: string;
  suppressed: number;
  /** Contacts owning the addresses: the event is filed under each, with no campaign or run. */
  contactIds: string[];
  /** Addresses no contact owns (an unplaced event each for a suppressing event). */
  unknownRecipients: number;
  /** Event items newly written (0 for a redelivery). */
  recorded: number;
}

export type SesEventOutcome =
  | ({ outcome: 'recorded' } & PlacedOutcome)
  | ({ outcome: 'duplicate' } & PlacedOutcome)
  /** A permanent bounce or a complaint for an email we cannot place: suppressed, and filed by address. */
  | ({ outcome: 'unplaced'; type: SesEngagementType; refusedTag?: SenderTagName } & FiledByAddress)
  /** A Subscription event that opts out of everything (suppressed) or of topics of ours. */
  | ({ outcome: 'unsubscribed'; scope: 'all' | 'topics'; topics: string[] } & FiledByAddress)
  | { outcome: 'unknown-message'; sesMessageId: string; type: SesEngagementType; refusedTag?: SenderTagName }
  /** Well-formed, and nothing for the engine to do: a type it does not ingest, a Subscription change of nothing of ours. */
  | { outcome: 'ignored'; type: string; reason: string }
  | { outcome: 'rejected'; reason: string };

interface PlacedSend {
  campaignId: string;
  runId: string;
  contactId: string;
  accountId: string;
  joinedBy: SesJoin;
  kind?: string;
  stepId?: string;
  tier?: string;
  locale?: string;
}

/** Records one parsed SES event. Store failures throw (the caller retries; every write is idempotent). */
export async function recordSesEvent(event: SesEvent, deps: SesEventDeps): Promise<SesEventOutcome> {
  const tags = taggedSendOf(event, deps.tagSecret);
  const refused = tags.tags === 'refused' ? { refusedTag: tags.tag } : {};
  if (event.eventType === 'Subscription') return recordSubscription(event, tags, deps);

  const type = engagementTypeOf(event);
  const send = await placeSend(event, tags, deps);
  if (!send) {
    if (suppressionReasonOf(event)) return { outcome: 'unplaced', type, ...(await fileByAddress(event, undefined, deps)), ...refused };
    return { outcome: 'unknown-message', sesMessageId: event.mail.messageId, type, ...refused };
  }

  const eventId = sesEventId(event);
  const suppressed = await suppressAll(event, eventId, deps);
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
      ...segmentDetailOf(send),
    },
  };
  // Its KPI counts (and the reputation auto-pause they may trip) follow from the table's change stream (core/reporting/count-kpi-changes.ts).
  const recorded = await deps.engagement.recordEvent(engagementEvent);
  const placed = { eventId, type, contactId: send.contactId, campaignId: send.campaignId, runId: send.runId, joinedBy: send.joinedBy, suppressed, ...refused };
  return recorded ? { outcome: 'recorded', ...placed } : { outcome: 'duplicate', ...placed };
}

/** Parses an EventBridge event and records it; a malformed event is `rejected` with its reason, an uningested type `ignored`, nothing written. */
export async function ingestSesEvent(input: unknown, deps: SesEventDeps): Promise<SesEventOutcome> {
  const parsed = parseSesEventBridgeEvent(input);
  switch (parsed.outcome) {
    case 'rejected':
      return { outcome: 'rejected', reason: parsed.reason };
    case 'ignored':
      return ignored(parsed.type);
    case 'parsed':
      return recordSesEvent(parsed.event, deps);
  }
}

/** The outcome for an event type SES publishes and the engine does not ingest (Open, Click, a later type). */
export function ignored(type: string): SesEventOutcome {
  return { outcome: 'ignored', type, reason: 'not an event type this engine ingests' };
}

/**
 * Many events, `concurrency` in flight (a bench, a replay of a day's events): the same path as
 * the handler, one event at a time each. Returns each event's outcome, in input order.
 */
export function ingestSesEvents(inputs: readonly unknown[], deps: SesEventDeps, concurrency = 16): Promise<SesEventOutcome[]> {
  return mapBounded(inputs, concurrency, (input) => ingestSesEvent(input, deps));
}

async function placeSend(event: SesEvent, tags: TaggedSendRead, deps: SesEventDeps): Promise<PlacedSend | undefined> {
  if (tags.tags === 'named') {
    const tagged = tags.send;
    const labels = { ...(tagged.kind ? { kind: tagged.kind } : {}), ...(tagged.stepId ? { stepId: tagged.stepId } : {}), ...segmentDetailOf(tagged) };
    // Signed by our sender: these values are the send's own, no read needed. Unsigned (mail sent
    // before signing, or tags someone else set): the send is read and must be this very email.
    if (tagged.accountId && tags.signed) return { ...tagged, accountId: tagged.accountId, joinedBy: 'tags' };
    const send = await deps.sends.getSend(tagged.campaignId, tagged.runId, tagged.contactId);
    // The send the tags name must be this email: tags copied from another email (or forged) name
    // someone else's send, and the message id is the truth. A send without a message id is one
    // SES took before the sender could record it: only the tags can place its events.
    if (send && (send.messageId === undefined || send.messageId === event.mail.messageId)) {
      return { campaignId: send.campaignId, runId: send.runId, contactId: send.contactId, accountId: send.accountId, joinedBy: 'tags-and-send', ...labels, ...segmentDetailOf(send) };
    }
    // Tags that name no send of this email (not ours after all, or mangled): the message id is the last chance.
  }
  const send = await deps.sends.findSendByMessageId(event.mail.messageId);
  return send ? { campaignId: send.campaignId, runId: send.runId, contactId: send.contactId, accountId: send.accountId, joinedBy: 'message-id', ...segmentDetailOf(send) } : undefined;
}

/** Suppressions first: a failure after them is repaired by the redelivery. Returns how many were new. */
async function suppressAll(event: SesEvent, source: string, deps: SesEventDeps): Promise<number> {
  let suppressed = 0;
  for (const suppression of suppressionsOf(event, source)) {
    if (await deps.suppressions.suppress(suppression)) suppressed += 1;
  }
  return suppressed;
}

/**
 * An event placed by its addresses rather than its send: suppressions, then topic opt-outs, then
 * one event per address, filed under the contact owning it (no campaign or run, `send: unknown`
 * unless `send` is that contact's), or kept unplaced (hashed address only) when the event
 * suppresses and no contact owns the address.
 */
async function fileByAddress(
  event: SesEvent,
  send: PlacedSend | undefined,
  deps: SesEventDeps,
  change: { topics: readonly string[]; detail: Record<string, string> } = { topics: [], detail: {} },
): Promise<FiledByAddress> {
  const { topics } = change;
  const eventId = sesEventId(event);
  const type = engagementTypeOf(event);
  const occurredAt = occurredAtOf(event);
  const addresses = recipientAddressesOf(event);
  const owners = await Promise.all(addresses.map((email) => deps.customers.findContactByEmail(email)));
  const suppressed = await suppressAll(event, eventId, deps);
  const suppresses = suppressionReasonOf(event) !== undefined;
  if (topics.length > 0) {
    for (const contact of distinctContacts(owners)) await deps.customers.addTopicOptOuts(contact.contactId, topics, new Date(occurredAt));
  }

  const common = { ...engagementDetailOf(event), ...change.detail, ...(topics.length > 0 ? { topics: topics.join(',') } : {}) };
  const filed = { eventId, suppressed, contactIds: [] as string[], unknownRecipients: 0, recorded: 0 };
  for (const [index, email] of addresses.entries()) {
    const contact = owners[index];
    const recipientEventId = sesRecipientEventId(event, email);
    if (contact) {
      if (!filed.contactIds.includes(contact.contactId)) filed.contactIds.push(contact.contactId);
      const ofThisSend = send?.contactId === contact.contactId ? send : undefined;
      const written = await deps.engagement.recordEvent({
        eventId: recipientEventId,
        type,
        contactId: contact.contactId,
        accountId: contact.accountId,
        occurredAt,
        ...(ofThisSend ? { campaignId: ofThisSend.campaignId, runId: ofThisSend.runId } : {}),
        machine: false,
        // The send's run, step, tier and locale: the unsubscribe counts where the email's other events do.
        detail: { ...common, ...(ofThisSend ? { ...(ofThisSend.kind ? { kind: ofThisSend.kind } : {}), ...(ofThisSend.stepId ? { stepId: ofThisSend.stepId } : {}), ...segmentDetailOf(ofThisSend) } : { send: 'unknown' }) },
      });
      if (written) filed.recorded += 1;
    } else {
      filed.unknownRecipients += 1;
      if (!suppresses) continue;
      const written = await deps.engagement.recordUnplacedSesEvent({ eventId: recipientEventId, type, occurredAt, recipientHash: recipientHashOf(email), detail: { ...common, send: 'unknown' } });
      if (written) filed.recorded += 1;
    }
  }
  return filed;
}

/**
 * SES list management changed the recipient's subscription. Unsubscribing from everything
 * suppresses the addresses (reason `unsubscribe`); opting out of a topic named like one of ours
 * opts the owning contact out of it. Either is an `unsubscribe` event of the contact owning the
 * address, attributed to the campaign when the email is that contact's send.
 */
async function recordSubscription(event: Extract<SesEvent, { eventType: 'Subscription' }>, tags: TaggedSendRead, deps: SesEventDeps): Promise<SesEventOutcome> {
  const all = event.subscription.newTopicPreferences.unsubscribeAll;
  const topics = topicOptOutsOf(event, deps.topics.topics.map((topic) => topic.id));
  if (!all && topics.length === 0) return { outcome: 'ignored', type: event.eventType, reason: 'opts out of nothing of this engine' };
  const send = await placeSend(event, tags, deps);
  const scope = all ? 'all' : 'topics';
  const filed = await fileByAddress(event, send, deps, { topics, detail: { scope } });
  return { outcome: 'unsubscribed', scope, topics, ...filed };
}

function distinctContacts(owners: ReadonlyArray<Contact | undefined>): Contact[] {
  const byId = new Map<string, Contact>();
  for (const owner of owners) if (owner) byId.set(owner.contactId, owner);
  return [...byId.values()];
}
