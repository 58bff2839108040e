/**
 * A send: one email to one contact in one campaign run (or sequence step). Claimed with a
 * conditional write before SES is called, so a retry can never send the same email twice.
 * A claim whose worker died before recording the outcome becomes `stranded` when its request comes
 * back (stranded-claims.ts): nobody knows whether SES took it, so ops decide, never a silent retry.
 */
import { z } from 'zod';
import { sendRequestSchema } from './send-request.ts';

export const SEND_STATES = ['claimed', 'sent', 'failed', 'stranded'] as const;

export const sendSchema = z.strictObject({
  campaignId: z.string().min(1),
  runId: z.string().min(1),
  contactId: z.string().min(1),
  accountId: z.string().min(1),
  /** The recipient's tier and locale when sent: the KPI counters of the email's events break down by them. */
  tier: z.string().min(1).optional(),
  locale: z.string().min(1).optional(),
  state: z.enum(SEND_STATES),
  claimedAt: z.iso.datetime(),
  sentAt: z.iso.datetime().optional(),
  messageId: z.string().min(1).optional(),
  /** Why SES refused, when state is failed. */
  reason: z.string().optional(),
  /** Identifies the worker holding the claim, so only it can release the claim after a throttle. */
  claimToken: z.string().min(1).optional(),
  /** Stranded sends: when the claim was found abandoned, and the request to send it again with. */
  strandedAt: z.iso.datetime().optional(),
  request: sendRequestSchema.optional(),
});

export type SendRef = Pick<Send, 'campaignId' | 'runId' | 'contactId'>;

export type Send = z.infer<typeof sendSchema>;
