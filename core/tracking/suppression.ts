/**
 * A suppressed address: never emailed again, whatever campaign or sequence asks.
 * Keyed by the lower-cased address, because a bounce or complaint names an address, not a contact.
 */
import { createHash } from 'node:crypto';
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

/**
 * A suppression kept after its person was erased (core/privacy/erase-person.ts): the address
 * only as `addressHashOf` of it, so a later re-import of the same address is still never mailed.
 */
export const hashedSuppressionSchema = z.strictObject({
  addressHash: z.string().regex(/^[0-9a-f]{64}$/u),
  reason: z.enum(SUPPRESSION_REASONS),
  suppressedAt: z.iso.datetime(),
  source: z.string().min(1),
});

export type HashedSuppression = z.infer<typeof hashedSuppressionSchema>;

/**
 * SHA-256 (hex) of the trimmed, lower-cased address. Unkeyed on purpose: every function that checks
 * suppressions must compute it, and a keyed hash (HMAC) would make that key one more secret whose
 * loss or rotation silently un-suppresses every erased person. What an unkeyed hash allows (someone
 * who already holds an address and the table confirms it was suppressed) is what the check does.
 */
export function addressHashOf(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}
