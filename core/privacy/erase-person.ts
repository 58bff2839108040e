/**
 * Erasure of one person (a right-to-erasure request, `npm run erase`, `POST /api/ingest/erasure`):
 * their personal data goes from every item that holds it, while what is anonymous stays (KPI
 * counters, account scores, a webinar's attendance figures) and so does their suppression, as a
 * hash of the address, so a later re-import of the same address is still never mailed.
 *
 * Retry-safe: each step is idempotent, and what lets a retry find the person (the contact and its
 * email look-up) goes last, so an erasure cut short is finished by running it again; a second
 * erasure of the same person finds nothing left. What goes per item kind: docs/data-model.md,
 * "Retention and erasure".
 */
import { z } from 'zod';
import { emailSchema } from '../config/schema/common.ts';
import { externalIdSchema } from '../customers/account.ts';
import type { Clock, CustomerStore, ErasureStore } from '../ports.ts';

/** Whom to erase: an address (the contact owning it, and registrations kept by it) or a contact id. */
export type PersonIdentifier = { email: string } | { contactId: string };

export const personIdentifierSchema = z.union([
  // 254: the longest address SMTP carries (RFC 5321), and well inside a DynamoDB key.
  z.strictObject({ email: z.string().trim().toLowerCase().max(254, { error: 'expected an address of at most 254 characters' }).pipe(emailSchema) }),
  z.strictObject({ contactId: externalIdSchema }),
]);

/** An argument that is neither an email address nor a contact id. */
export class PersonIdentifierError extends Error {}

/** `someone@example.com` is an address, anything else a contact id; both are checked like the import checks them. */
export function parsePersonIdentifier(text: string): PersonIdentifier {
  const candidate = text.includes('@') ? { email: text } : { contactId: text };
  const parsed = personIdentifierSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const field = 'email' in candidate ? 'an email address' : 'a contact id';
  throw new PersonIdentifierError(`expected an email address or a contact id; as ${field}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
}

/** How many items of each kind an erasure deleted, stripped or replaced. */
export interface ErasureCounts {
  /** Contact profiles deleted. */
  contacts: number;
  /** Unique email look-ups (`EMAIL#<address>`) deleted. */
  emailLookUps: number;
  enrollments: number;
  engagementEvents: number;
  contactScores: number;
  /** Sends parked until a send window, deleted (nothing is sent to an erased person). */
  deferredSends: number;
  /** Survey answers whose free-text comment was removed (the score stays in the survey's NPS). */
  surveyComments: number;
  /** Usage records no longer naming the contact (the account's figures stay). */
  usageRecords: number;
  /** Registrations replaced by anonymous ones (attendance figures stay). */
  registrants: number;
  /** Join / leave marks and stays moved to the anonymous registrant, without the address or name. */
  attendanceMarks: number;
  /** Suppressions by address replaced by the hash of the address. */
  suppressionsHashed: number;
  /** Suppressions created (as a hash) for an address that had none: an erased person is not mailed again. */
  suppressionsCreated: number;
}

export type ContactActivityCounts = Pick<ErasureCounts, 'enrollments' | 'engagementEvents' | 'contactScores' | 'deferredSends' | 'surveyComments' | 'usageRecords'>;

export type ErasureResult =
  | { outcome: 'erased'; removed: ErasureCounts }
  /** Only the hashed suppression of the address is left: it was erased before. */
  | { outcome: 'nothing-left'; removed: ErasureCounts }
  /** No item names this person: nothing was changed. */
  | { outcome: 'unknown'; message: string };

export interface ErasePersonDeps {
  customers: Pick<CustomerStore, 'findContactByEmail' | 'getContact'>;
  erasure: ErasureStore;
  clock: Clock;
}

export const NO_ERASURE: ErasureCounts = {
  contacts: 0,
  emailLookUps: 0,
  enrollments: 0,
  engagementEvents: 0,
  contactScores: 0,
  deferredSends: 0,
  surveyComments: 0,
  usageRecords: 0,
  registrants: 0,
  attendanceMarks: 0,
  suppressionsHashed: 0,
  suppressionsCreated: 0,
};

export async function erasePerson(person: PersonIdentifier, deps: ErasePersonDeps): Promise<ErasureResult> {
  const contact = 'email' in person ? await deps.customers.findContactByEmail(person.email) : await deps.customers.getContact(person.contactId);
  const contactId = contact?.contactId ?? ('contactId' in person ? person.contactId : undefined);
  const addresses = new Set([...(contact ? [contact.email] : []), ...('email' in person ? [person.email] : [])]);
  const registrations = await deps.erasure.registrationsOf(contactId, [...addresses]);
  // A registration joined to the contact may carry an address the contact had before: its suppression goes to a hash too.
  for (const registration of registrations) addresses.add(registration.email);

  if ('email' in person && !contact && registrations.length === 0) {
    const state = await deps.erasure.suppressionState(person.email);
    if (state === 'none') return { outcome: 'unknown', message: 'no contact, registration or suppression has this address: nothing was changed' };
    if (state === 'hashed') return { outcome: 'nothing-left', removed: { ...NO_ERASURE } };
  }

  const removed: ErasureCounts = { ...NO_ERASURE };
  for (const registration of registrations) {
    const { attendanceMarks } = await deps.erasure.anonymiseRegistration(registration);
    removed.registrants += 1;
    removed.attendanceMarks += attendanceMarks;
  }
  if (contactId !== undefined) Object.assign(removed, await deps.erasure.eraseContactActivity(contactId, contact?.accountId));
  const erasedAt = deps.clock.now().toISOString();
  for (const address of addresses) {
    const kept = await deps.erasure.keepSuppressionAsHash(address, { reason: 'manual', suppressedAt: erasedAt, source: 'erasure' });
    if (kept === 'hashed') removed.suppressionsHashed += 1;
    if (kept === 'created') removed.suppressionsCreated += 1;
  }
  // Last: the contact and its look-up are how a retry of an erasure cut short finds the person.
  if (contact) Object.assign(removed, await deps.erasure.deleteContact(contact.contactId, contact.email));

  if (Object.values(removed).every((count) => count === 0)) {
    return { outcome: 'unknown', message: 'no item names this contact id (unknown, or erased before): nothing was changed' };
  }
  return { outcome: 'erased', removed };
}

/** `contacts 1, engagementEvents 12, ...`: the kinds that moved, never the person's data. */
export function describeErasure(removed: ErasureCounts): string {
  const moved = Object.entries(removed).filter(([, count]) => count > 0);
  return moved.length === 0 ? 'nothing left to remove' : moved.map(([kind, count]) => `${kind} ${count}`).join(', ');
}
