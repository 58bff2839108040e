/**
 * An engagement event: something a contact did or that happened to an email sent to them.
 * `eventId` is deterministic from the source (SES event id, token + minute, webhook id),
 * so a redelivered event is stored once.
 */
import { z } from 'zod';

export const ENGAGEMENT_EVENT_TYPES = [
  'send',
  'delivery',
  'bounce',
  'complaint',
  'reject',
  'delivery-delay',
  'rendering-failure',
  'open',
  'click',
  /**
   * A click recorded as a person's, later shown to be a machine's (a honeypot or burst after it):
   * it cancels that click's score (same time, minus its weight) and its people counts; the
   * original stays as it was stored (the path is add-only). `detail.clickEventId` names it.
   */
  'click-reclassified',
  'unsubscribe',
  'webinar-registered',
  'webinar-attended',
  'webinar-no-show',
  'webinar-survey',
  'product-usage',
  'survey-answered',
] as const;

export const engagementEventSchema = z.strictObject({
  eventId: z.string().min(1),
  type: z.enum(ENGAGEMENT_EVENT_TYPES),
  contactId: z.string().min(1),
  accountId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  campaignId: z.string().min(1).optional(),
  runId: z.string().min(1).optional(),
  /** Machine opens (privacy proxies) and scanner clicks: counted, but kept out of scores. */
  machine: z.boolean().default(false),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

export type EngagementEvent = z.infer<typeof engagementEventSchema>;
export type EngagementEventType = EngagementEvent['type'];

/** Raw events are kept this long, then expire by DynamoDB TTL; aggregates are kept. */
export const RAW_EVENT_RETENTION_DAYS = 400;
