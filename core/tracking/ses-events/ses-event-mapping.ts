/**
 * What an SES event means for us, as pure functions: its engagement type, when it happened,
 * a deterministic event id (so a redelivered event lands on the same key and is stored once),
 * the detail worth keeping, which addresses it suppresses, and which send its email tags name.
 * No email address goes into an id or a detail: ids and details end up in logs and exports.
 */
import { createHash } from 'node:crypto';
import { decodeTagValue } from '../../sending/email-tags.ts';
import type { EngagementEvent, EngagementEventType } from '../engagement-event.ts';
import type { Suppression } from '../suppression.ts';
import type { SesEvent } from './ses-event.ts';

export type SesEngagementType = Extract<EngagementEventType, 'send' | 'delivery' | 'bounce' | 'complaint' | 'reject' | 'delivery-delay' | 'rendering-failure'>;

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

/**
 * `ses:<messageId>:<type>:<occurredAt>:<recipients hash>`: the same SES event always gets the
 * same id, so its conditional put is a no-op the second time. The recipients enter as a short
 * hash, which keeps events for different recipients of one email apart without storing an address.
 */
export function sesEventId(event: SesEvent): string {
  const recipients = [...new Set(recipientsOf(event).map((email) => email.toLowerCase()))].sort();
  const hash = createHash('sha256').update(recipients.join('\n')).digest('hex').slice(0, 12);
  return `ses:${event.mail.messageId}:${engagementTypeOf(event)}:${occurredAtOf(event)}:${hash}`;
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
  }
}

/**
 * The addresses this event suppresses at once: every recipient of a permanent bounce or a
 * complaint. Transient and undetermined bounces are recorded, not suppressed: the mailbox may
 * accept the next email, and the bounce-rate guardrail watches them.
 */
export function suppressionsOf(event: SesEvent, source: string): Suppression[] {
  const suppressedAt = occurredAtOf(event);
  const suppress = (emails: string[], reason: Suppression['reason']) =>
    [...new Set(emails.map((email) => email.toLowerCase()))].map((email) => ({ email, reason, suppressedAt, source }));
  if (event.eventType === 'Bounce' && event.bounce.bounceType === 'Permanent') {
    return suppress(event.bounce.bouncedRecipients.map((recipient) => recipient.emailAddress), 'hard-bounce');
  }
  if (event.eventType === 'Complaint') return suppress(event.complaint.complainedRecipients.map((recipient) => recipient.emailAddress), 'complaint');
  return [];
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
}

/** The send named by the tags, or undefined when campaign, run or contact is missing (another sender's email). */
export function taggedSendOf(event: SesEvent): TaggedSend | undefined {
  const tag = (name: string): string | undefined => {
    const value = event.mail.tags[name]?.[0];
    if (!value) return undefined;
    const decoded = decodeTagValue(value);
    return decoded.length > 0 ? decoded : undefined;
  };
  const campaignId = tag('campaign');
  const runId = tag('run');
  const contactId = tag('contact');
  if (!campaignId || !runId || !contactId) return undefined;
  const accountId = tag('account');
  const kind = tag('kind');
  const stepId = tag('step');
  return { campaignId, runId, contactId, ...(accountId ? { accountId } : {}), ...(kind ? { kind } : {}), ...(stepId ? { stepId } : {}) };
}

function iso(timestamp: string): string {
  return new Date(timestamp).toISOString();
}

/** Free text from mail servers can quote an address: those are masked, and the text is kept short. */
function clip(text: string, max: number): string {
  const masked = text.replace(/[^\s<>"'();,]+@[^\s<>"'();,]+/gu, '<address>');
  return masked.length > max ? `${masked.slice(0, max - 1)}…` : masked;
}
