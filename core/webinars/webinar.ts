/**
 * A webinar session's state, its registrants and their attendance, as the engine stores them.
 * The config says what a webinar is (config/schema/webinars.ts); the store keeps what happened:
 * reschedules and cancellations from the platform, registrations (matched to a contact by email,
 * or kept unmatched until the contact is imported), join/leave marks and attended stays, and the
 * watch-time summary computed from them when the session ends.
 */
import { z } from 'zod';

export const sessionStateSchema = z.strictObject({
  webinarId: z.string().min(1),
  sessionId: z.string().min(1),
  /** Current scheduled start and end (UTC); a reschedule moves them and bumps `revision`. */
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  status: z.enum(['scheduled', 'cancelled']),
  /** 0 as configured; +1 per reschedule: reminders of an older revision are stale. */
  revision: z.number().int().min(0),
  /** Platform time of the last change applied (Zoom's time_stamp), so an older update never wins. */
  changedAt: z.iso.datetime().optional(),
  /** When the session really ran (platform started/ended signals). */
  startedAt: z.iso.datetime().optional(),
  endedAt: z.iso.datetime().optional(),
  /** Set once, conditionally: follow-ups are planned exactly once. */
  followUpsPlannedAt: z.iso.datetime().optional(),
  cancelledAt: z.iso.datetime().optional(),
});

export type SessionState = z.infer<typeof sessionStateSchema>;

export const registrationSourceSchema = z.enum(['link', 'zoom', 'report', 'api', 'attendance']);

export const registrationAnswerSchema = z.strictObject({ question: z.string().min(1), answer: z.string().min(1) });
export type RegistrationAnswer = z.infer<typeof registrationAnswerSchema>;

export const registrantSchema = z.strictObject({
  webinarId: z.string().min(1),
  sessionId: z.string().min(1),
  /** Lower-cased: the key people are matched by. */
  email: z.string().min(1),
  /** Absent until a contact with this address exists (the unique email look-up). */
  contactId: z.string().min(1).optional(),
  accountId: z.string().min(1).optional(),
  name: z.string().optional(),
  registeredAt: z.iso.datetime(),
  source: registrationSourceSchema,
  /** What they told us beforehand (platform registration questions, the page after one-click registration). */
  answers: z.array(registrationAnswerSchema).default([]),
  /** The watch-time summary, written when the session ends (and again after a later import). */
  attended: z.boolean().optional(),
  watchSeconds: z.number().min(0).optional(),
  watchShare: z.number().min(0).max(1).optional(),
  firstJoinedAt: z.iso.datetime().optional(),
  lastLeftAt: z.iso.datetime().optional(),
});

export type Registrant = z.infer<typeof registrantSchema>;

/**
 * One attendance fact: a join or a leave from a webhook (paired later, so their order of arrival
 * does not matter), or a whole stay from a report row. Keyed by what it is, so a resent webhook or
 * a re-imported file writes the same item again.
 */
export const attendanceMarkSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.enum(['join', 'leave']),
    webinarId: z.string().min(1),
    sessionId: z.string().min(1),
    /** Lower-cased email, or `guest:<participant key>` for a participant without an address. */
    person: z.string().min(1),
    /** Pairs a join with its leave: the platform's participant key. */
    stayKey: z.string().min(1),
    at: z.iso.datetime(),
    name: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal('stay'),
    webinarId: z.string().min(1),
    sessionId: z.string().min(1),
    person: z.string().min(1),
    /** Where the stay came from (e.g. `report`), part of its key. */
    stayKey: z.string().min(1),
    at: z.iso.datetime(),
    leftAt: z.iso.datetime(),
    name: z.string().optional(),
  }),
]);

export type AttendanceMark = z.infer<typeof attendanceMarkSchema>;

/** The person key of an attendance mark. */
export function personKey(email: string | undefined, participantKey: string): string {
  return email ? email.trim().toLowerCase() : `guest:${participantKey}`;
}
