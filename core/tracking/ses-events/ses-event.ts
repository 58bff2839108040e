/**
 * The SES events this engine reads, in the JSON shape SES publishes through a configuration-set
 * event destination on EventBridge (`source: aws.ses`, the SES record in `detail`): the sending
 * events recorded against their email, the Subscription event (an unsubscribe through SES list
 * management), and the types SES can publish that the engine does not ingest (Open, Click, any
 * later one), which are recognised and ignored rather than refused.
 *
 * Strict where a mistake would corrupt what we store (event type and the detail-type that must
 * agree with it, message id, timestamps, the recipients a bounce or complaint names); lenient to
 * every field SES adds that we do not read (objects are loose), so a new SES field never drops
 * real events.
 */
import { z } from 'zod';

const timestamp = z.iso.datetime({ offset: true });

/**
 * An addr-spec: a dot-atom or a quoted local part (`"john doe"@example.com`, `"a@b"@example.jp`),
 * `@`, a domain. Only the shape is checked: a full RFC 5322 check would refuse real addresses.
 */
const ADDR_SPEC = /^(?:"(?:[^"\\\r\n]|\\[^\r\n])*"|[^@\s"]+)@[^@\s"]+$/u;
/** A name-addr (`Taro Yamada <taro@example.jp>`, `"Yamada, Taro" <taro@example.jp>`): the address is in the brackets. */
const NAME_ADDR = /<([^<>]*)>$/u;

/** The bare address of a recipient as SES names it (with or without a display name), or undefined when it is none. */
export function bareAddressOf(entry: string): string | undefined {
  const trimmed = entry.trim();
  const bracketed = NAME_ADDR.exec(trimmed)?.[1];
  const candidate = bracketed === undefined ? trimmed : bracketed.trim();
  return ADDR_SPEC.test(candidate) ? candidate : undefined;
}

const address = z
  .string()
  .refine((value) => bareAddressOf(value) !== undefined, { error: 'expected an email address' })
  .transform((value) => bareAddressOf(value) as string);
const recipient = z.looseObject({ emailAddress: address, action: z.string().optional(), status: z.string().optional() });

/** The `mail` object every event carries: which email it is about. */
export const sesMailSchema = z.looseObject({
  timestamp,
  /** SES's id of the email (a key we look sends up by): id characters only, so no text from elsewhere reaches a key or a log. */
  messageId: z.string().regex(/^[A-Za-z0-9._-]{1,256}$/, { error: 'expected an SES message id (letters, digits, . _ -)' }),
  source: z.string().min(1),
  /** As given to SES; a display-name entry becomes its bare address, anything else is kept as it came (only hashed). */
  destination: z.array(z.string().min(1).transform((entry) => bareAddressOf(entry) ?? entry)).min(1),
  /** Email tags as SES publishes them: each tag name to a list of values (SES caps a value at 256 characters; a longer one would overflow a key). */
  tags: z.record(z.string(), z.array(z.string().max(256, { error: 'expected an SES tag value (at most 256 characters)' }))).default({}),
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

/** A contact list's preferences for one address: all topics off, or per topic `OptIn` / `OptOut`. */
const topicPreferences = z.looseObject({
  unsubscribeAll: z.boolean(),
  /** `OptIn` or `OptOut` today; any status is read, only `OptOut` acted on. */
  topicSubscriptionStatus: z.array(z.looseObject({ topicName: z.string().min(1), subscriptionStatus: z.string().min(1) })).default([]),
});
/**
 * The recipient changed their subscription through SES list management (the one-click
 * List-Unsubscribe SES adds, or its preference page). The address is the email's destination.
 */
const subscriptionEvent = z.looseObject({
  eventType: z.literal('Subscription'),
  mail: sesMailSchema,
  subscription: z.looseObject({
    contactList: z.string().min(1),
    timestamp,
    /** What made the change, e.g. UnsubscribeHeader or UnsubscribeLink. */
    source: z.string().min(1),
    newTopicPreferences: topicPreferences,
    oldTopicPreferences: topicPreferences.optional(),
  }),
});

/** One SES event record (the EventBridge `detail`) of a type this engine acts on. */
export const sesEventSchema = z.discriminatedUnion('eventType', [
  sendEvent,
  deliveryEvent,
  bounceEvent,
  complaintEvent,
  rejectEvent,
  deliveryDelayEvent,
  renderingFailureEvent,
  subscriptionEvent,
]);

/** The EventBridge envelope around it; the envelope's own fields are not used beyond sanity checks. */
export const sesEventBridgeEventSchema = z.looseObject({
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  detail: sesEventSchema,
});

export type SesMail = z.infer<typeof sesMailSchema>;
export type SesEvent = z.infer<typeof sesEventSchema>;
export type SesEventType = SesEvent['eventType'];
/** The sending events: each is recorded against the email it is about. */
export type SesSendingEventType = Exclude<SesEventType, 'Subscription'>;
export type SesEventBridgeEvent = z.infer<typeof sesEventBridgeEventSchema>;

/**
 * The EventBridge detail-type SES uses for each sending event type: the rule in infra/ routes
 * exactly these to the SES events function.
 */
export const SES_DETAIL_TYPES = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Reject: 'Email Rejected',
  DeliveryDelay: 'Email Delivery Delayed',
  'Rendering Failure': 'Email Rendering Failed',
  RenderingFailure: 'Email Rendering Failed',
} as const satisfies Record<SesSendingEventType, string>;

/** The detail-type of a Subscription event: honoured when it arrives (the configuration set must publish it). */
export const SES_SUBSCRIPTION_DETAIL_TYPE = 'Email Subscribed';

/** Types SES can publish that the engine does not ingest: opens and clicks are tracked by our own links. */
export const SES_IGNORED_DETAIL_TYPES = { Open: 'Email Opened', Click: 'Email Clicked' } as const;

const DETAIL_TYPE_OF: Readonly<Record<string, string>> = { ...SES_DETAIL_TYPES, Subscription: SES_SUBSCRIPTION_DETAIL_TYPE, ...SES_IGNORED_DETAIL_TYPES };

/** The detail-type SES puts on the envelope of an event of this type. */
export function sesDetailTypeOf(eventType: SesEventType): string {
  return eventType === 'Subscription' ? SES_SUBSCRIPTION_DETAIL_TYPE : SES_DETAIL_TYPES[eventType];
}
const KNOWN_DETAIL_TYPES = new Set(Object.values(DETAIL_TYPE_OF));
/** An event type SES may add later: a word or two, nothing that could be an address. */
const TYPE_NAME = /^[A-Za-z][A-Za-z ]{0,39}$/u;

export type SesEventParse =
  | { outcome: 'parsed'; event: SesEvent }
  /** A well-formed event of a type the engine does not ingest: nothing to do, nothing wrong. */
  | { outcome: 'ignored'; type: string }
  | { outcome: 'rejected'; reason: string };

/**
 * Parses an EventBridge event carrying an SES record. Never throws: a malformed event gets a
 * reason naming the field (`detail.bounce.bouncedRecipients: ...`), without personal data; an
 * event whose detail-type disagrees with its event type is rejected (one of the two is wrong, and
 * acting on either could file it as something it is not).
 */
export function parseSesEventBridgeEvent(input: unknown): SesEventParse {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { outcome: 'rejected', reason: `expected an EventBridge event object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}` };
  }
  const envelope = input as { source?: unknown; 'detail-type'?: unknown; detail?: unknown };
  const eventType = typeof envelope.detail === 'object' && envelope.detail !== null ? (envelope.detail as { eventType?: unknown }).eventType : undefined;
  const ingested = typeof eventType === 'string' && (eventType in SES_DETAIL_TYPES || eventType === 'Subscription');
  if (typeof eventType === 'string' && !ingested && TYPE_NAME.test(eventType)) return ignoredOrRejected(envelope, eventType);

  const parsed = sesEventBridgeEventSchema.safeParse(input);
  if (!parsed.success) return { outcome: 'rejected', reason: describeIssues(parsed.error.issues, input) };
  if (parsed.data.source !== 'aws.ses') return { outcome: 'rejected', reason: `source: expected 'aws.ses', got ${quoted(parsed.data.source)}` };
  const mismatch = detailTypeMismatch(parsed.data['detail-type'], parsed.data.detail.eventType);
  if (mismatch) return { outcome: 'rejected', reason: mismatch };
  return { outcome: 'parsed', event: parsed.data.detail };
}

/** Open, Click or a type SES adds later: ignored when the envelope is SES's and agrees with it. */
function ignoredOrRejected(envelope: { source?: unknown; 'detail-type'?: unknown }, eventType: string): SesEventParse {
  if (envelope.source !== 'aws.ses') return { outcome: 'rejected', reason: `source: expected 'aws.ses', got ${typeof envelope.source === 'string' ? quoted(envelope.source) : 'none'}` };
  const detailType = envelope['detail-type'];
  if (typeof detailType !== 'string' || detailType.length === 0) return { outcome: 'rejected', reason: 'detail-type: expected the SES detail-type of the event' };
  const mismatch = detailTypeMismatch(detailType, eventType);
  return mismatch ? { outcome: 'rejected', reason: mismatch } : { outcome: 'ignored', type: eventType };
}

/** Why detail-type and event type disagree, or undefined when they agree (or neither is known to us). */
function detailTypeMismatch(detailType: string, eventType: string): string | undefined {
  const expected = DETAIL_TYPE_OF[eventType];
  if (expected === undefined ? !KNOWN_DETAIL_TYPES.has(detailType) : detailType === expected) return undefined;
  return `detail-type: ${quoted(detailType)} does not match detail.eventType '${eventType}'${expected ? ` (expected '${expected}')` : ''}`;
}

/** A value from the event, quoted for a reason; never an address (reasons end up in logs). */
function quoted(value: string): string {
  return value.includes('@') ? 'a value that is not a type name' : `'${value.slice(0, 64)}'`;
}

/** A path segment for a reason: a key of the event's own (a tag name) may be anything, an address too. */
function pathSegment(segment: PropertyKey): string {
  const text = String(segment);
  return /^[A-Za-z0-9_:-]{1,64}$/.test(text) ? text : '[key]';
}

/** Our sender's tag names (SENDER_TAG_NAMES in ses-event-mapping.ts, and the signature) are named in a reason. */
const NAMED_TAGS: ReadonlySet<string> = new Set(['campaign', 'run', 'contact', 'account', 'kind', 'step', 'tier', 'locale', 'sig']);

/** A tag's name is whatever its sender chose, data as much as its value: only ours and SES's own (`ses:`) are echoed. */
function tagSegment(segment: PropertyKey): string {
  const text = String(segment);
  return NAMED_TAGS.has(text) || /^ses:[a-z-]{1,40}$/.test(text) ? text : '[key]';
}

function describeIssues(issues: readonly z.core.$ZodIssue[], input: object): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map((segment, index) => (issue.path[index - 1] === 'tags' ? tagSegment(segment) : pathSegment(segment))).join('.') || '(event)';
      if (issue.code === 'invalid_union' && issue.path.at(-1) === 'eventType') {
        // Zod's discriminator message lists every option; say which type came and which are read.
        const given = (input as { detail?: { eventType?: unknown } }).detail?.eventType;
        const what = given === undefined ? 'missing, expected' : 'not a type name, expected';
        return `${path}: ${what} one of the SES event types (${[...Object.keys(SES_DETAIL_TYPES), 'Subscription', ...Object.keys(SES_IGNORED_DETAIL_TYPES)].join(', ')})`;
      }
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
