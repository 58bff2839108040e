/**
 * Amazon Pinpoint's email event-stream records (what Pinpoint wrote to Kinesis / Firehose, one JSON
 * record per line) read into history entries. Layout as AWS documents it
 * (https://docs.aws.amazon.com/pinpoint/latest/developerguide/event-streams-data-email.html):
 * `event_type` (`_email.send`, `_email.delivered`, `_email.open`, `_email.click`, `_email.hardbounce`,
 * `_email.softbounce`, `_email.complaint`, `_email.unsubscribe`, `_email.rejected`,
 * `_email.rendering_failure`), `event_timestamp` (the message's send time, ms), `arrival_timestamp`
 * (when Pinpoint received the event, ms: the time of an open or click), `attributes` (campaign_id /
 * journey_id, ...), `client.client_id`, and `facets.email_channel.mail_event` with `mail`
 * (message_id, message_send_timestamp, destination, tags) and one object named after the event
 * (`click`: link, ip_address, user_agent; `open`: ip_address, user_agent).
 * Records of other channels (`_SMS.*`, `_campaign.*`, app events) are skipped, not refused.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EngagementEventType } from '../tracking/engagement-event.ts';
import { problemsOf, type HistoryEntry, type LineParse } from './history-line.ts';

/** Pinpoint's email event types and what each becomes; `bounceType` for the two bounces. */
export const PINPOINT_EMAIL_EVENTS: Readonly<Record<string, { type: EngagementEventType; bounceType?: 'hard' | 'soft' }>> = {
  '_email.send': { type: 'send' },
  '_email.delivered': { type: 'delivery' },
  '_email.open': { type: 'open' },
  '_email.click': { type: 'click' },
  '_email.hardbounce': { type: 'bounce', bounceType: 'hard' },
  '_email.softbounce': { type: 'bounce', bounceType: 'soft' },
  '_email.complaint': { type: 'complaint' },
  '_email.unsubscribe': { type: 'unsubscribe' },
  '_email.rejected': { type: 'reject' },
  '_email.reject': { type: 'reject' },
  '_email.rendering_failure': { type: 'rendering-failure' },
};

export function isPinpointRecord(value: object): value is { event_type: unknown } {
  return 'event_type' in value;
}

const describe = (value: unknown) => (value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value)));
const millis = (what: string) =>
  z
    .number({ error: (issue) => `expected ${what} in milliseconds since 1970, got ${describe(issue.input)}` })
    .int()
    .min(0)
    .max(8_640_000_000_000);
/** The docs' table says RFC 822 for message_send_timestamp; its examples, and the stream, give milliseconds. */
const sendTime = z.union([millis('the send time'), z.string().refine((value) => !Number.isNaN(Date.parse(value)), { error: 'expected a time' })]);
// Pinpoint documents snake_case; some exports went through tools that camel-cased them.
const requestSchema = z.looseObject({
  ip_address: z.string().optional(),
  ipAddress: z.string().optional(),
  user_agent: z.string().optional(),
  userAgent: z.string().optional(),
  link: z.string().optional(),
});

const recordSchema = z.looseObject({
  event_type: z.string({ error: (issue) => `expected a Pinpoint event type like _email.open, got ${describe(issue.input)}` }),
  event_timestamp: millis('the event time'),
  arrival_timestamp: millis('the arrival time').optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  client: z.looseObject({ client_id: z.string().optional() }).optional(),
  endpoint: z.looseObject({ Address: z.string().optional() }).optional(),
  facets: z.looseObject({
    email_channel: z.looseObject({
      mail_event: z.looseObject({
        mail: z.looseObject({
          message_id: z.string({ error: (issue) => `expected the SES message id, got ${describe(issue.input)}` }).min(1),
          message_send_timestamp: sendTime.optional(),
          destination: z.array(z.string(), { error: (issue) => `expected the list of recipient addresses, got ${describe(issue.input)}` }).optional(),
        }),
        click: requestSchema.optional(),
        open: requestSchema.optional(),
      }),
    }),
  }),
});

const EMAIL = z.email();

export function parsePinpointRecord(value: { event_type: unknown }): LineParse {
  if (typeof value.event_type === 'string' && !value.event_type.startsWith('_email.')) return { ok: 'skip', reason: `Pinpoint ${value.event_type} (not an email event)` };
  if (typeof value.event_type === 'string' && !(value.event_type in PINPOINT_EMAIL_EVENTS)) return { ok: 'skip', reason: `Pinpoint ${value.event_type} (an email event type the engine does not record)` };
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  const record = parsed.data;
  const kind = PINPOINT_EMAIL_EVENTS[record.event_type] as { type: EngagementEventType; bounceType?: 'hard' | 'soft' };
  const mailEvent = record.facets.email_channel.mail_event;
  const mail = mailEvent.mail;
  const addressField = 'facets.email_channel.mail_event.mail.destination';
  const address = [mail.destination?.[0], record.endpoint?.Address, record.client?.client_id].find((candidate) => candidate !== undefined && EMAIL.safeParse(candidate).success);
  if (address === undefined) return { ok: false, problems: [{ field: addressField, message: `expected the recipient's address, got ${describe(mail.destination)}` }] };

  const request = kind.type === 'click' ? mailEvent.click : kind.type === 'open' ? mailEvent.open : undefined;
  const requestField = `facets.email_channel.mail_event.${kind.type}`;
  if (kind.type === 'click' && (request?.link === undefined || !URL.canParse(request.link))) {
    return { ok: false, problems: [{ field: `${requestField}.link`, message: `expected the clicked URL, got ${describe(request?.link)}` }] };
  }
  const sentAt = mail.message_send_timestamp ?? record.event_timestamp;
  // event_timestamp is the message's send time for every event of it; the open, click or bounce happened at arrival.
  const at = kind.type === 'send' ? record.event_timestamp : (record.arrival_timestamp ?? record.event_timestamp);
  const attribute = (name: string) => (typeof record.attributes?.[name] === 'string' && record.attributes[name] !== '' ? (record.attributes[name] as string) : undefined);
  const campaign = attribute('campaign_id');
  const journey = attribute('journey_id');
  const ip = request?.ip_address ?? request?.ipAddress;
  const userAgent = request?.user_agent ?? request?.userAgent;
  const entry: HistoryEntry = {
    format: 'pinpoint',
    contact: { email: address.toLowerCase() },
    type: kind.type,
    occurredAt: new Date(at).toISOString(),
    ...(campaign !== undefined ? { campaignId: `pinpoint-campaign:${campaign}` } : journey !== undefined ? { campaignId: `pinpoint-journey:${journey}` } : {}),
    messageId: mail.message_id,
    sentAt: new Date(sentAt).toISOString(),
    ...(request?.link === undefined ? {} : { link: request.link }),
    ...(userAgent === undefined ? {} : { userAgent }),
    ...(ip === undefined || ip === '' ? {} : { ip }),
    ...(kind.bounceType === undefined ? {} : { bounceType: kind.bounceType }),
    identity: '',
  };
  // Pinpoint gives no id per event: the record's type, message, arrival and request identify it.
  entry.identity = `pinpoint:${createHash('sha256')
    .update(JSON.stringify([record.event_type, mail.message_id, address.toLowerCase(), at, request?.link ?? null, ip ?? null, userAgent ?? null]))
    .digest('base64url')}`;
  return { ok: true, entry };
}
