/**
 * The SES sending events this engine ingests, in the JSON shape SES publishes through a
 * configuration-set event destination on EventBridge (`source: aws.ses`, the SES record in
 * `detail`). Strict where a mistake would corrupt what we store (event type, message id,
 * timestamps, the recipients a bounce or complaint names); lenient to every field SES adds
 * that we do not read (objects are loose), so a new SES field never drops real events.
 */
import { z } from 'zod';

const timestamp = z.iso.datetime({ offset: true });
/** SES names addresses as given; a full RFC 5322 check would refuse real ones, so only the shape is checked. */
const address = z.string().regex(/^[^@\s]+@[^@\s]+$/u, { error: 'expected an email address' });
const recipient = z.looseObject({ emailAddress: address, action: z.string().optional(), status: z.string().optional() });

/** The `mail` object every event carries: which email it is about. */
export const sesMailSchema = z.looseObject({
  timestamp,
  messageId: z.string().min(1),
  source: z.string().min(1),
  destination: z.array(z.string().min(1)).min(1),
  /** Email tags as SES publishes them: each tag name to a list of values. */
  tags: z.record(z.string(), z.array(z.string())).default({}),
});

export const SES_BOUNCE_TYPES = ['Permanent', 'Transient', 'Undetermined'] as const;

const sendEvent = z.looseObject({ eventType: z.literal('Send'), mail: sesMailSchema, send: z.looseObject({}) });
const deliveryEvent = z.looseObject({
  eventType: z.literal('Delivery'),
  mail: sesMailSchema,
  delivery: z.looseObject({
    timestamp,
    recipients: z.array(address).min(1),
    processingTimeMillis: z.number().nonnegative(),
    smtpResponse: z.string(),
    reportingMTA: z.string().optional(),
  }),
});
const bounceEvent = z.looseObject({
  eventType: z.literal('Bounce'),
  mail: sesMailSchema,
  bounce: z.looseObject({
    bounceType: z.enum(SES_BOUNCE_TYPES),
    bounceSubType: z.string().min(1),
    bouncedRecipients: z.array(recipient).min(1),
    timestamp,
    feedbackId: z.string().min(1),
  }),
});
const complaintEvent = z.looseObject({
  eventType: z.literal('Complaint'),
  mail: sesMailSchema,
  complaint: z.looseObject({
    complainedRecipients: z.array(z.looseObject({ emailAddress: address })).min(1),
    timestamp,
    feedbackId: z.string().min(1),
    complaintFeedbackType: z.string().optional(),
    /** null, or OnAccountSuppressionList when SES did not send because of an earlier complaint. */
    complaintSubType: z.string().nullable().optional(),
  }),
});
const rejectEvent = z.looseObject({ eventType: z.literal('Reject'), mail: sesMailSchema, reject: z.looseObject({ reason: z.string().min(1) }) });
const deliveryDelayEvent = z.looseObject({
  eventType: z.literal('DeliveryDelay'),
  mail: sesMailSchema,
  deliveryDelay: z.looseObject({
    timestamp,
    /** InternalFailure, MailboxFull, SpamDetected, ...: SES adds kinds, so any name is accepted. */
    delayType: z.string().min(1),
    delayedRecipients: z.array(recipient).min(1),
    expirationTime: timestamp,
  }),
});
/** SES writes this type with a space in its records; the compact spelling is accepted too. */
const renderingFailureEvent = z.looseObject({
  eventType: z.literal(['Rendering Failure', 'RenderingFailure']),
  mail: sesMailSchema,
  failure: z.looseObject({ errorMessage: z.string(), templateName: z.string() }),
});

/** One SES event record (the EventBridge `detail`). */
export const sesEventSchema = z.discriminatedUnion('eventType', [
  sendEvent,
  deliveryEvent,
  bounceEvent,
  complaintEvent,
  rejectEvent,
  deliveryDelayEvent,
  renderingFailureEvent,
]);

/** The EventBridge envelope around it; the envelope's own fields are not used beyond a sanity check. */
export const sesEventBridgeEventSchema = z.looseObject({
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  detail: sesEventSchema,
});

export type SesMail = z.infer<typeof sesMailSchema>;
export type SesEvent = z.infer<typeof sesEventSchema>;
export type SesEventType = SesEvent['eventType'];
export type SesEventBridgeEvent = z.infer<typeof sesEventBridgeEventSchema>;

/** The EventBridge detail-type SES uses for each event type. */
export const SES_DETAIL_TYPES = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Reject: 'Email Rejected',
  DeliveryDelay: 'Email Delivery Delayed',
  'Rendering Failure': 'Email Rendering Failed',
  RenderingFailure: 'Email Rendering Failed',
} as const satisfies Record<SesEventType, string>;

export type SesEventParse = { success: true; event: SesEvent } | { success: false; reason: string };

/**
 * Parses an EventBridge event carrying an SES record. Never throws: a malformed event gets a
 * reason naming the field (`detail.bounce.bouncedRecipients: ...`), without personal data.
 */
export function parseSesEventBridgeEvent(input: unknown): SesEventParse {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { success: false, reason: `expected an EventBridge event object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}` };
  }
  const parsed = sesEventBridgeEventSchema.safeParse(input);
  if (!parsed.success) return { success: false, reason: describeIssues(parsed.error.issues, input) };
  if (parsed.data.source !== 'aws.ses') return { success: false, reason: `source: expected 'aws.ses', got '${parsed.data.source.slice(0, 64)}'` };
  return { success: true, event: parsed.data.detail };
}

function describeIssues(issues: readonly z.core.$ZodIssue[], input: object): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join('.') || '(event)';
      if (issue.code === 'invalid_union' && issue.path.at(-1) === 'eventType') {
        // Zod's discriminator message lists every option; say which type came and which are ingested.
        const given = (input as { detail?: { eventType?: unknown } }).detail?.eventType;
        const what =
          typeof given === 'string' && !given.includes('@') ? `'${given.slice(0, 40)}' is not` : given === undefined ? 'missing, expected' : 'not a type name, expected';
        return `${path}: ${what} one of the SES event types this engine ingests (${Object.keys(SES_DETAIL_TYPES).join(', ')})`;
      }
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
