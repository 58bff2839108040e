/**
 * An SES event that suppresses an address (permanent bounce, complaint, unsubscribe) for an
 * email we cannot place and an address no contact owns: mail sent before a table restore, or by
 * the system this engine replaces. The suppression is what matters and is keyed by the address;
 * this record keeps the event itself, for the bounce and complaint counts and for support,
 * without the address: only its hash, to match it to a contact created later.
 */
import { z } from 'zod';
import { ENGAGEMENT_EVENT_TYPES } from '../engagement-event.ts';

export const unplacedSesEventSchema = z.strictObject({
  /** The event's id as it concerns this address (`ses:<messageId>:<type>:<occurredAt>:<address hash>`). */
  eventId: z.string().min(1),
  type: z.enum(ENGAGEMENT_EVENT_TYPES),
  occurredAt: z.iso.datetime(),
  /** Short SHA-256 of the lower-cased address (the same hash the event id ends with). */
  recipientHash: z.string().regex(/^[0-9a-f]{12}$/u),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

export type UnplacedSesEvent = z.infer<typeof unplacedSesEventSchema>;

/** The month partition an unplaced event is kept in (`yyyy-mm` of when it happened, UTC). */
export function unplacedMonthOf(occurredAt: string): string {
  return occurredAt.slice(0, 7);
}
