/**
 * Use cases: attendance arrives, from the platform live (joins and leaves, started and ended) or
 * afterwards (a report file, the JSON endpoint). Each fact is stored as a mark keyed by what it is,
 * so a resent webhook or a re-imported file stores nothing new; the watch time is computed from all
 * marks together when the session is finalized (finalize-session.ts), so the order in which facts
 * arrive does not matter. A report that arrives after the session ended finalizes it again.
 */
import { finalizeSession, type FinalizeOutcome } from './finalize-session.ts';
import { registerForWebinar, type WebinarDeps } from './register-for-webinar.ts';
import { initialSessionState, requireSession } from './webinar-catalog.ts';
import { personKey, type AttendanceMark, type RegistrationAnswer } from './webinar.ts';

export interface AttendedStay {
  email: string;
  name?: string;
  joinedAt: Date;
  leftAt: Date;
}

export interface ReportedRegistration {
  email: string;
  name?: string;
  registeredAt?: Date;
  answers: readonly RegistrationAnswer[];
}

export interface AttendanceImport {
  webinarId: string;
  sessionId: string;
  /** Where the stays came from (`report`, `api`): part of each stay's key. */
  origin: string;
  stays: readonly AttendedStay[];
  registrations: readonly ReportedRegistration[];
}

export interface AttendanceImportOutcome {
  stays: number;
  registered: number;
  alreadyRegistered: number;
  unmatched: number;
  /** Set when the session was over and was finalized again with the new facts. */
  finalized?: FinalizeOutcome;
}

export async function importAttendance(input: AttendanceImport, deps: WebinarDeps): Promise<AttendanceImportOutcome> {
  const configured = requireSession(deps.config, input.webinarId, input.sessionId);
  const state = await deps.webinars.ensureSession(initialSessionState(configured));
  const counts = { registered: 0, alreadyRegistered: 0, unmatched: 0 };
  for (const registration of input.registrations) {
    const { outcome } = await registerForWebinar(
      {
        webinarId: input.webinarId,
        sessionId: input.sessionId,
        email: registration.email,
        ...(registration.name ? { name: registration.name } : {}),
        answers: registration.answers,
        source: input.origin === 'api' ? 'api' : 'report',
        ...(registration.registeredAt ? { registeredAt: registration.registeredAt } : {}),
      },
      deps,
    );
    if (outcome === 'registered') counts.registered++;
    else if (outcome === 'already-registered') counts.alreadyRegistered++;
    else if (outcome === 'unmatched') counts.unmatched++;
  }
  const marks: AttendanceMark[] = input.stays.map((stay) => ({
    kind: 'stay',
    webinarId: input.webinarId,
    sessionId: input.sessionId,
    person: personKey(stay.email, ''),
    stayKey: input.origin,
    at: stay.joinedAt.toISOString(),
    leftAt: stay.leftAt.toISOString(),
    ...(stay.name ? { name: stay.name } : {}),
  }));
  await deps.webinars.recordAttendance(marks);
  const over = state.endedAt !== undefined || deps.clock.now().getTime() >= Date.parse(state.endsAt);
  const finalized = over && marks.length > 0 ? await finalizeSession(input.webinarId, input.sessionId, deps) : undefined;
  return { stays: marks.length, ...counts, ...(finalized ? { finalized } : {}) };
}

/** A join or leave from the platform, stored as a mark (paired with its counterpart when finalized). */
export async function recordPresence(
  webinarId: string,
  sessionId: string,
  presence: { kind: 'join' | 'leave'; email?: string; name?: string; participantKey: string; at: Date; joinedAt?: Date },
  deps: Pick<WebinarDeps, 'webinars'>,
): Promise<void> {
  const base = { webinarId, sessionId, person: personKey(presence.email, presence.participantKey), stayKey: presence.participantKey, ...(presence.name ? { name: presence.name } : {}) };
  const marks: AttendanceMark[] = [{ ...base, kind: presence.kind, at: presence.at.toISOString() }];
  // A leave that says when its stay began also stands for that join: the join webhook may be lost.
  if (presence.kind === 'leave' && presence.joinedAt) marks.push({ ...base, kind: 'join', at: presence.joinedAt.toISOString() });
  await deps.webinars.recordAttendance(marks);
}
