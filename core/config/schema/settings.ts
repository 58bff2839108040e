/**
 * Engine-wide settings: sender identities, preference topics, and the guardrails every send
 * passes through (frequency caps, quiet hours, send window, holidays, reputation limits).
 */
import { z } from 'zod';
import {
  calendarDateSchema,
  durationSchema,
  emailSchema,
  idSchema,
  localizedTextSchema,
  timeOfDaySchema,
  timeZoneSchema,
} from './common.ts';

export const sendersSchema = z
  .strictObject({
    kind: z.literal('senders'),
    identities: z
      .array(
        z.strictObject({
          id: idSchema,
          email: emailSchema.describe('a verified SES identity (address or an address at a verified domain)'),
          displayName: localizedTextSchema,
          organization: localizedTextSchema.describe("the sender's legal name, shown in every email's footer (CAN-SPAM; Japan's Specified Electronic Mail Act)"),
          postalAddress: localizedTextSchema.describe("the sender's postal address, shown in every email's footer (CAN-SPAM; Japan's Specified Electronic Mail Act)"),
          replyTo: emailSchema.optional(),
          configurationSet: z.string().min(1).describe('SES configuration set that publishes events for these sends'),
        }),
      )
      .min(1, { error: 'declare at least one sender identity' }),
  })
  .describe('The From identities campaigns may use');

export const topicsSchema = z
  .strictObject({
    kind: z.literal('topics'),
    topics: z
      .array(z.strictObject({ id: idSchema, label: localizedTextSchema, description: localizedTextSchema.optional() }))
      .min(1, { error: 'declare at least one topic' }),
  })
  .describe('Subscription topics shown in the preference centre');

export const productsSchema = z
  .strictObject({
    kind: z.literal('products'),
    products: z
      .array(z.strictObject({ id: idSchema, label: localizedTextSchema, description: localizedTextSchema.optional() }))
      .min(1, { error: 'declare at least one product' }),
  })
  .describe('The products customers own: imports, segments, CSQL rules and webinars may name only these');

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const guardrailsSchema = z
  .strictObject({
    kind: z.literal('guardrails'),
    frequencyCaps: z
      .array(
        z.strictObject({
          max: z.number().int().min(1, { error: 'a cap allows at least 1 email' }),
          per: durationSchema,
        }),
      )
      .describe('Across all campaigns: at most `max` emails per contact in any window of `per`'),
    quietHours: z
      .strictObject({ start: timeOfDaySchema, end: timeOfDaySchema })
      .describe("No sends between start and end in the contact's time zone; sends are deferred, not dropped"),
    sendWindow: z
      .strictObject({
        days: z.array(z.enum(WEEKDAYS)).min(1),
        start: timeOfDaySchema,
        end: timeOfDaySchema,
      })
      .optional()
      .describe("Business days and hours (contact's time zone) bulk mail may go out"),
    holidays: z
      .array(
        z.strictObject({
          calendar: z.enum(['JP']).describe('JP: Japanese public holidays from a maintained package'),
          timeZones: z.array(timeZoneSchema).min(1).describe('contacts in these zones observe the calendar'),
          extraDates: z.array(calendarDateSchema).default([]).describe('company holidays, e.g. year-end closure'),
        }),
      )
      .default([]),
    reputation: z
      .strictObject({
        maxBounceRate: z.number().min(0).max(0.05, { error: 'keep the bounce-rate pause at 5 % (0.05) or lower' }),
        maxComplaintRate: z.number().min(0).max(0.003, { error: 'keep the complaint-rate pause at 0.3 % (0.003) or lower' }),
        minimumSample: z.number().int().min(1).default(200),
      })
      .describe('A campaign run pauses itself when its bounce or complaint rate crosses these'),
  })
  .describe('Rules applied to every contact before anything is queued');

export type Senders = z.infer<typeof sendersSchema>;
export type SenderIdentity = Senders['identities'][number];
export type Topics = z.infer<typeof topicsSchema>;
export type Products = z.infer<typeof productsSchema>;
export type Guardrails = z.infer<typeof guardrailsSchema>;
