/**
 * What an SES event means for us, as pure functions: its engagement type, when it happened,
 * a deterministic event id (so a redelivered event lands on the same key and is stored once),
 * the detail worth keeping, which addresses it suppresses, which send its email tags name (and
 * whether those tags can be trusted), and which of our topics a Subscription event opts out of.
 * No email address goes into an id or a detail: ids and details end up in logs and exports.
 */
import { createHash } from 'node:crypto';
import { decodeTagValue, hasValidTagSignature } from '../../sending/email-tags.ts';
import type { EngagementEvent, EngagementEventType } from '../engagement-event.ts';
import type { Suppression } from '../suppression.ts';
import { bareAddressOf, type SesEvent } from './ses-event.ts';

export type SesEngagementType = Extract<EngagementEventType, 'send' | 'delivery' | 'bounce' | 'complaint' | 'reject' | 'delivery-delay' | 'rendering-failure' | 'unsubscribe'>;

export function engagementTypeOf(event: SesEvent): SesEngagementType {
  switch (event.eventType) {
    case 'Send':
      return 'send';
    case 'Delivery':
      return 'delivery';
    case 'Bounce':
      return 'bounce';
    case 'Complaint':
      return 'complaint';
    case 'Reject':
      return 'reject';
    case 'DeliveryDelay':
      return 'delivery-delay';
    case 'Rendering Failure':
    case 'RenderingFailure':
      return 'rendering-failure';
    case 'Subscription':
      return 'unsubscribe';
  }
}

/** When it happened, from the event itself (never the clock), normalised to ISO UTC with milliseconds. */
export function occurredAtOf(event: SesEvent): string {
  switch (event.eventType) {
    case 'Delivery':
      return iso(event.delivery.timestamp);
    case 'Bounce':
      return iso(event.bounce.timestamp);
    case 'Complaint':
      return iso(event.complaint.timestamp);
    case 'DeliveryDelay':
      return iso(event.deliveryDelay.timestamp);
    case 'Subscription':
      return iso(event.subscription.timestamp);
    // Send, Reject and Rendering Failure carry no time of their own: the email's is theirs.
    default:
      return iso(event.mail.timestamp);
  }
}

/** The addresses the event is about (the recipients it names, else the email's destination). */
export function recipientsOf(event: SesEvent): string[] {
  switch (event.eventType) {
    case 'Delivery':
      return event.delivery.recipients;
    case 'Bounce':
      return event.bounce.bouncedRecipients.map((recipient) => recipient.emailAddress);
    case 'Complaint':
      return event.complaint.complainedRecipients.map((recipient) => recipient.emailAddress);
    case 'DeliveryDelay':
      return event.deliveryDelay.delayedRecipients.map((recipient) => recipient.emailAddress);
    default:
      return event.mail.destination;
  }
}

/** The distinct addresses (lower-cased, bare) the event names: whom it suppresses, whom it is looked up by. */
export function recipientAddressesOf(event: SesEvent): string[] {
  return [...new Set(recipientsOf(event).flatMap((entry) => bareAddressOf(entry) ?? []).map((email) => email.toLowerCase()))];
}

/**
 * `ses:<messageId>:<type>:<occurredAt>:<recipients hash>`: the same SES event always gets the
 * same id, so its conditional put is a no-op the second time. The recipients enter as a short
 * hash, which keeps events for different recipients of one email apart without storing an address.
 */
export function sesEventId(event: SesEvent): string {
  return eventIdFor(event, recipientsOf(event));
}

/**
 * The id of the event as it concerns one of its recipients (an event of no known send is filed
 * per address). For a one-recipient event, the same as `sesEventId`.
 */
export function sesRecipientEventId(event: SesEvent, email: string): string {
  return eventIdFor(event, [email]);
}

/**
 * A short hash of one address (the same as in event ids): lets an event of no known contact be
 * matched to a contact created later without storing the address.
 */
export function recipientHashOf(email: string): string {
  return recipientsHash([email]);
}

function eventIdFor(event: SesEvent, recipients: readonly string[]): string {
  return `ses:${event.mail.messageId}:${engagementTypeOf(event)}:${occurredAtOf(event)}:${recipientsHash(recipients)}`;
}

function recipientsHash(recipients: readonly string[]): string {
  const unique = [...new Set(recipients.map((email) => email.toLowerCase()))].sort();
  return createHash('sha256').update(unique.join('\n')).digest('hex').slice(0, 12);
}

/** What is worth keeping from the event for reports and support, without addresses or free-text diagnostics. */
export function engagementDetailOf(event: SesEvent): EngagementEvent['detail'] {
  const common = { sesMessageId: event.mail.messageId };
  switch (event.eventType) {
    case 'Send':
      return common;
    case 'Delivery':
      return { ...common, processingTimeMillis: event.delivery.processingTimeMillis, smtpResponse: clip(event.delivery.smtpResponse, 200) };
    case 'Bounce': {
      const first = event.bounce.bouncedRecipients[0];
      return {
        ...common,
        bounceType: event.bounce.bounceType,
        bounceSubType: event.bounce.bounceSubType,
        feedbackId: event.bounce.feedbackId,
        // diagnosticCode is left out: it often quotes the address.
        ...(first?.status ? { status: first.status } : {}),
        ...(first?.action ? { action: first.action } : {}),
      };
    }
    case 'Complaint':
      return {
        ...common,
        feedbackId: event.complaint.feedbackId,
        ...(event.complaint.complaintFeedbackType ? { complaintFeedbackType: event.complaint.complaintFeedbackType } : {}),
        ...(event.complaint.complaintSubType ? { complaintSubType: event.complaint.complaintSubType } : {}),
      };
    case 'Reject':
      return { ...common, reason: clip(event.reject.reason, 200) };
    case 'DeliveryDelay': {
      const first = event.deliveryDelay.delayedRecipients[0];
      return { ...common, delayType: event.deliveryDelay.delayType, expirationTime: iso(event.deliveryDelay.expirationTime), ...(first?.status ? { status: first.status } : {}) };
    }
    case 'Rendering Failure':
    case 'RenderingFailure':
      return { ...common, templateName: clip(event.failure.templateName, 200), errorMessage: clip(event.failure.errorMessage, 500) };
    case 'Subscription':
      return { ...common, contactList: clip(event.subscription.contactList, 200), subscriptionSource: clip(event.subscription.source, 100) };
  }
}

/**
 * The addresses this event suppresses at once: every recipient of a permanent bounce or a
 * complaint, and of a Subscription event that unsubscribes from everything. Transient and
 * undetermined bounces are recorded, not suppressed: the mailbox may accept the next email, and
 * the bounce-rate guardrail watches them.
 */
export function suppressionsOf(event: SesEvent, source: string): Suppression[] {
  const reason = suppressionReasonOf(event);
  if (!reason) return [];
  const suppressedAt = occurredAtOf(event);
  return recipientAddressesOf(event).map((email) => ({ email, reason, suppressedAt, source }));
}

/** Why this event suppresses its addresses, or undefined when it does not. */
export function suppressionReasonOf(event: SesEvent): Suppression['reason'] | undefined {
  if (event.eventType === 'Bounce' && event.bounce.bounceType === 'Permanent') return 'hard-bounce';
  if (event.eventType === 'Complaint') return 'complaint';
  if (event.eventType === 'Subscription' && event.subscription.newTopicPreferences.unsubscribeAll) return 'unsubscribe';
  return undefined;
}

/**
 * Our topics a Subscription event opts the address out of: a topic of the SES contact list
 * whose new status is `OptOut` and whose name is one of our topic ids (other names are another
 * list's business). Opt-ins are not applied: the preference centre is where topics come back.
 */
export function topicOptOutsOf(event: SesEvent, topicIds: readonly string[]): string[] {
  if (event.eventType !== 'Subscription') return [];
  const ours = new Set(topicIds);
  const optedOut = event.subscription.newTopicPreferences.topicSubscriptionStatus
    .filter((topic) => topic.subscriptionStatus === 'OptOut' && ours.has(topic.topicName))
    .map((topic) => topic.topicName);
  return [...new Set(optedOut)].sort();
}

/** The send an email's tags name (what the sender sets: kind, campaign, run, contact, step; account when present). */
export interface TaggedSend {
  campaignId: string;
  runId: string;
  contactId: string;
  /** Present when the sender tags the account too; then no read is needed to record the event. */
  accountId?: string;
  kind?: string;
  stepId?: string;
  /** The recipient's tier and locale when sent (KPI breakdowns). */
  tier?: string;
  locale?: string;
}

/** What the email's tags say about its send. */
export type TaggedSendRead =
  /** Not our tags (campaign, run or contact missing): another sender's email, or ours without tags. */
  | { tags: 'none' }
  /** One of our tags holds a value our encoder cannot have written: none of them is trusted. */
  | { tags: 'refused'; tag: SenderTagName }
  /** `signed`: the tags carry our signature over these values (a secret was given and it matched). */
  | { tags: 'named'; send: TaggedSend; signed: boolean };

/** The tags the sender sets (core/sending/send-emails.ts). */
export const SENDER_TAG_NAMES = ['campaign', 'run', 'contact', 'account', 'kind', 'step', 'tier', 'locale'] as const;
export type SenderTagName = (typeof SENDER_TAG_NAMES)[number];

/**
 * The send named by the tags. A tag whose value is not exactly what the encoder writes (another
 * spelling of an id, bytes that are not UTF-8, a relay's rewrite) makes the whole set untrusted:
 * a lenient reading could name another contact's send, and an event must be filed under its own.
 */
export function taggedSendOf(event: SesEvent, tagSecret?: string): TaggedSendRead {
  const values: Partial<Record<SenderTagName, string>> = {};
  for (const name of SENDER_TAG_NAMES) {
    const value = event.mail.tags[name]?.[0];
    if (!value) continue;
    const decoded = decodeTagValue(value);
    if (decoded === undefined) return { tags: 'refused', tag: name };
    values[name] = decoded;
  }
  const { campaign: campaignId, run: runId, contact: contactId, account: accountId, kind, step: stepId, tier, locale } = values;
  if (!campaignId || !runId || !contactId) return { tags: 'none' };
  const raw = Object.fromEntries(Object.entries(event.mail.tags).map(([name, list]) => [name, list[0]]));
  const signed = tagSecret !== undefined && hasValidTagSignature(raw, tagSecret);
  return { tags: 'named', send: { campaignId, runId, contactId, ...(accountId ? { accountId } : {}), ...(kind ? { kind } : {}), ...(stepId ? { stepId } : {}), ...(tier ? { tier } : {}), ...(locale ? { locale } : {}) }, signed };
}

function iso(timestamp: string): string {
  return new Date(timestamp).toISOString();
}

/** Free text from mail servers can quote an address: those are masked, and the text is kept short. */
function clip(text: string, max: number): string {
  // Cut before masking (with room for an address across the cut): the pattern backtracks over long runs without an '@'.
  const masked = text.slice(0, max + 320).replace(/[^\s<>"'();,]+@[^\s<>"'();,]+/gu, '<address>');
  return masked.length > max ? `${masked.slice(0, max - 1)}…` : masked;
}
