/**
 * A suppressed address: never emailed again, whatever campaign or sequence asks.
 * Keyed by the lower-cased address, because a bounce or complaint names an address, not a contact.
 */
import { z } from 'zod';

export const SUPPRESSION_REASONS = ['hard-bounce', 'complaint', 'unsubscribe', 'manual'] as const;

export const suppressionSchema = z.strictObject({
  email: z.string().min(3),
  reason: z.enum(SUPPRESSION_REASONS),
  suppressedAt: z.iso.datetime(),
  /** What caused it: an SES event id, a token id, an operator. */
  source: z.string().min(1),
});

export type Suppression = z.infer<typeof suppressionSchema>;
