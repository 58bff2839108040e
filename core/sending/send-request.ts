/**
 * A send request: one email for one contact, as it travels on the send queue (SQS in AWS,
 * the in-process queue locally). Small on purpose: the sender looks up everything else.
 */
import { z } from 'zod';

export const messageSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('campaign'), campaignId: z.string().min(1) }),
  z.strictObject({ kind: z.literal('sequence'), sequenceId: z.string().min(1), stepId: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('webinar'),
    webinarId: z.string().min(1),
    sessionId: z.string().min(1),
    message: z.enum(['confirmation', 'reminder', 'rescheduled', 'cancellation', 'follow-up']),
    /** Reminders: the policy's offset (e.g. 24h). */
    reminder: z.string().min(1).optional(),
    /** Reminders and reschedule notices: the session's schedule revision they were planned for. */
    revision: z.number().int().min(0).optional(),
  }),
]);

export const sendRequestSchema = z.strictObject({
  source: messageSourceSchema,
  /** Campaign: the run id; sequence: `<stepId>-<enrolledAt>`, so a re-enrollment can send again; webinar: webinar-source.ts. */
  runId: z.string().min(1),
  contactId: z.string().min(1),
  accountId: z.string().min(1),
});

export type MessageSource = z.infer<typeof messageSourceSchema>;
export type SendRequest = z.infer<typeof sendRequestSchema>;

/** The id sends of this source are filed under (campaign id, sequence id, or webinar id). */
export function messageIdOf(source: MessageSource): string {
  return source.kind === 'campaign' ? source.campaignId : source.kind === 'sequence' ? source.sequenceId : source.webinarId;
}

export const skippedSendSchema = z.strictObject({
  campaignId: z.string().min(1),
  runId: z.string().min(1),
  contactId: z.string().min(1),
  accountId: z.string().min(1),
  reason: z.string().min(1),
  detail: z.string().optional(),
  skippedAt: z.iso.datetime(),
});

export type SkippedSend = z.infer<typeof skippedSendSchema>;

export const deferredSendSchema = z.strictObject({
  request: sendRequestSchema,
  notBefore: z.iso.datetime(),
});

export type DeferredSend = z.infer<typeof deferredSendSchema>;
