/**
 * Use case: someone registered for a webinar session (the one-click link, a Zoom registration, a
 * registration report, the JSON endpoint). The registration is stored once per address and
 * session, matched to the contact that owns the address, or kept unmatched (and joined when the
 * contact is imported: link-unmatched-registrants.ts). A new matched registration records a
 * `webinar-registered` event and plans the confirmation and reminders. A repeat adds answers not
 * yet stored and welcomes the registrant again, which changes nothing unless the first attempt
 * failed before its welcome.
 */
import type { Clock, CustomerStore, EngagementRecorder, SendStore, WebinarStore } from '../ports.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import type { EngagementEvent } from '../tracking/engagement-event.ts';
import { isMatched, planWebinarEmails, type MatchedRegistrant } from './plan-webinar-emails.ts';
import { initialSessionState, requireSession, sessionsOf, UnknownWebinarError, type ConfiguredSession } from './webinar-catalog.ts';
import type { Registrant, RegistrationAnswer, SessionState } from './webinar.ts';

export interface WebinarDeps {
  config: EngineConfig;
  webinars: WebinarStore;
  customers: Pick<CustomerStore, 'findContactByEmail' | 'contactIdsByEmail' | 'getContacts'>;
  engagement: EngagementRecorder;
  sends: Pick<SendStore, 'deferSends'>;
  clock: Clock;
}

export interface RegistrationInput {
  webinarId: string;
  /** Absent for a link to the webinar as a whole: the next session that has not started. */
  sessionId?: string;
  email: string;
  name?: string;
  answers?: readonly RegistrationAnswer[];
  source: Registrant['source'];
  /** When it happened (the platform's time); default now. */
  registeredAt?: Date;
}

export type RegistrationOutcome =
  | { outcome: 'registered' | 'already-registered' | 'unmatched'; sessionId: string; contactId?: string }
  | { outcome: 'session-over' | 'cancelled' | 'no-open-session'; sessionId?: string };

export async function registerForWebinar(input: RegistrationInput, deps: WebinarDeps): Promise<RegistrationOutcome> {
  const now = deps.clock.now();
  const configured = input.sessionId ? requireSession(deps.config, input.webinarId, input.sessionId) : await nextOpenSession(input.webinarId, now, deps);
  if (!configured) return { outcome: 'no-open-session' };
  const sessionId = configured.session.id;
  const state = await deps.webinars.ensureSession(initialSessionState(configured));
  if (state.status === 'cancelled') return { outcome: 'cancelled', sessionId };
  // People register through our link only for what is still ahead; platform records of the past are history, kept.
  if (input.source === 'link' && now.getTime() >= Date.parse(state.endsAt)) return { outcome: 'session-over', sessionId };
  const email = input.email.trim().toLowerCase();
  const contact = await deps.customers.findContactByEmail(email);
  const registrant: Registrant = {
    webinarId: input.webinarId,
    sessionId,
    email,
    ...(contact ? { contactId: contact.contactId, accountId: contact.accountId } : {}),
    ...(input.name ? { name: input.name } : {}),
    registeredAt: (input.registeredAt ?? now).toISOString(),
    source: input.source,
    answers: [...(input.answers ?? [])],
  };
  if (!(await deps.webinars.register(registrant))) {
    await deps.webinars.addAnswers(input.webinarId, sessionId, email, input.answers ?? []);
    const stored = await deps.webinars.getRegistrant(input.webinarId, sessionId, email);
    // The attempt that stored it may have failed before welcoming it (a lost answer, a crash) and is
    // being retried now: welcoming again is idempotent (the event by its id, the parked emails by
    // their keys, and each email is claimed once), so the event and the confirmation are never lost.
    if (stored && isMatched(stored)) await welcomeRegistrant(configured, state, stored, deps);
    return { outcome: 'already-registered', sessionId, ...(stored?.contactId ? { contactId: stored.contactId } : {}) };
  }
  if (!contact) return { outcome: 'unmatched', sessionId };
  await welcomeRegistrant(configured, state, registrant as MatchedRegistrant, deps);
  return { outcome: 'registered', sessionId, contactId: contact.contactId };
}

/**
 * What a newly matched registration gets: its event, and (while the session is ahead) the
 * confirmation and reminders. Also used when an unmatched registrant's contact is imported.
 */
export async function welcomeRegistrant(configured: ConfiguredSession, state: SessionState, registrant: MatchedRegistrant, deps: WebinarDeps): Promise<void> {
  await deps.engagement.recordEvent(registrationEvent(registrant));
  if (state.status === 'scheduled' && deps.clock.now().getTime() < Date.parse(state.endsAt)) {
    await planWebinarEmails(configured, state, [registrant], ['confirmation', 'reminders'], deps);
  }
}

export function registrationEvent(registrant: MatchedRegistrant): EngagementEvent {
  return {
    eventId: `webinar-registered:${registrant.webinarId}:${registrant.sessionId}:${registrant.contactId}`,
    type: 'webinar-registered',
    contactId: registrant.contactId,
    accountId: registrant.accountId,
    occurredAt: registrant.registeredAt,
    campaignId: registrant.webinarId,
    runId: registrant.sessionId,
    machine: false,
    detail: { webinarId: registrant.webinarId, sessionId: registrant.sessionId, source: registrant.source, answers: registrant.answers.length },
  };
}

async function nextOpenSession(webinarId: string, now: Date, deps: WebinarDeps): Promise<ConfiguredSession | undefined> {
  const sessions = sessionsOf(deps.config, webinarId);
  if (sessions.length === 0) throw new UnknownWebinarError(`no webinar '${webinarId}' in the config`);
  for (const configured of sessions) {
    const state = (await deps.webinars.getSession(webinarId, configured.session.id)) ?? initialSessionState(configured);
    if (state.status === 'scheduled' && Date.parse(state.startsAt) > now.getTime()) return configured;
  }
  return undefined;
}
