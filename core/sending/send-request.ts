/**
 * A send request: one email for one contact, as it travels on the send queue (SQS in AWS,
 * the in-process queue locally). Small on purpose: the sender looks up everything else.
 */
import { z } from 'zod';

/**
 * An id on the queue, in the engine's id alphabet: config ids, CRM ids (externalIdSchema) and the run
 * ids made of them. Anything else is not a message the dispatcher wrote: a long id would overflow a
 * table key and fail the whole batch, and one holding an address would be quoted in the sender's log.
 */
const queuedId = z.string().regex(/^[A-Za-z0-9._:-]{1,256}$/, { error: 'expected an id of letters, digits, . _ : - (at most 256)' });

export const messageSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('campaign'), campaignId: queuedId }),
  z.strictObject({ kind: z.literal('sequence'), sequenceId: queuedId, stepId: queuedId }),
  z.strictObject({
    kind: z.literal('webinar'),
    webinarId: queuedId,
    sessionId: queuedId,
    message: z.enum(['confirmation', 'reminder', 'rescheduled', 'cancellation', 'follow-up']),
    /** Reminders: the policy's offset (e.g. 24h). */
    reminder: queuedId.optional(),
    /** Reminders and reschedule notices: the session's schedule revision they were planned for. */
    revision: z.number().int().min(0).optional(),
  }),
]);

export const sendRequestSchema = z.strictObject({
  source: messageSourceSchema,
  /** Campaign: the run id; sequence: `<stepId>-<enrolledAt>`, so a re-enrollment can send again; webinar: webinar-source.ts. */
  runId: queuedId,
  contactId: queuedId,
  accountId: queuedId,
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
