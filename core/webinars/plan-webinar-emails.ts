/**
 * Plans a webinar's emails for its registrants as parked sends (the due index the release job
 * sweeps every minute): the confirmation at once, each reminder at its offset before the start in
 * the registrant's zone (moved out of their quiet hours, never after the start), notices of a
 * reschedule or a cancellation at once, and follow-ups after the session, the same day or early
 * the next business day. Parked sends are idempotent puts keyed by (webinar, run, contact): a
 * planning step that runs twice writes the same items, and the sender's claim sends each once.
 */
import { parseDuration } from '../config/duration.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import type { Contact } from '../customers/contact.ts';
import type { Clock, CustomerStore, SendStore } from '../ports.ts';
import type { DeferredSend } from '../sending/send-request.ts';
import { sendWindowRules } from '../sending/send-window.ts';
import type { ConfiguredSession } from './webinar-catalog.ts';
import { followUpSendTime, reminderSendTime } from './webinar-timing.ts';
import { webinarRunId, webinarSource, type WebinarMessageKind } from './webinar-source.ts';
import type { Registrant, SessionState } from './webinar.ts';

export interface PlanningDeps {
  config: EngineConfig;
  customers: Pick<CustomerStore, 'getContacts'>;
  sends: Pick<SendStore, 'deferSends'>;
  clock: Clock;
}

/** A registrant joined to its contact: only those can be emailed. */
export type MatchedRegistrant = Registrant & { contactId: string; accountId: string };

export function isMatched(registrant: Registrant): registrant is MatchedRegistrant {
  return registrant.contactId !== undefined && registrant.accountId !== undefined;
}

type Planned = 'confirmation' | 'reminders' | 'rescheduled' | 'cancellation' | 'follow-up';

/** Parks the named emails for these registrants; returns how many sends were parked. */
export async function planWebinarEmails(
  configured: ConfiguredSession,
  state: SessionState,
  registrants: readonly Registrant[],
  what: readonly Planned[],
  deps: PlanningDeps,
): Promise<number> {
  const matched = registrants.filter(isMatched);
  if (matched.length === 0) return 0;
  const contacts = await deps.customers.getContacts(matched.map((registrant) => registrant.contactId));
  const now = deps.clock.now();
  const rules = sendWindowRules(deps.config.guardrails);
  const { policy } = configured;
  const startsAt = new Date(state.startsAt);
  const parked: DeferredSend[] = [];
  const park = (registrant: MatchedRegistrant, message: WebinarMessageKind, notBefore: Date, extra: { reminder?: string; revision?: number } = {}) => {
    const source = webinarSource(state.webinarId, state.sessionId, message, extra);
    parked.push({ request: { source, runId: webinarRunId(source), contactId: registrant.contactId, accountId: registrant.accountId }, notBefore: notBefore.toISOString() });
  };
  for (const registrant of matched) {
    const contact: Contact | undefined = contacts.get(registrant.contactId);
    if (!contact) continue;
    if (what.includes('confirmation')) park(registrant, 'confirmation', now);
    if (what.includes('rescheduled')) park(registrant, 'rescheduled', now, { revision: state.revision });
    if (what.includes('cancellation')) park(registrant, 'cancellation', now);
    if (what.includes('reminders') && state.status === 'scheduled') {
      for (const reminder of policy.reminders) {
        const beforeMs = parseDuration(reminder.before) ?? 0;
        // Registered after the reminder was due: the confirmation already says when it starts.
        if (startsAt.getTime() - beforeMs <= now.getTime()) continue;
        const at = reminderSendTime({ startsAt, beforeMs, now, timeZone: contact.timeZone, rules });
        if (at) park(registrant, 'reminder', at, { reminder: reminder.before, revision: state.revision });
      }
    }
    if (what.includes('follow-up')) {
      const endedAt = new Date(state.endedAt ?? state.endsAt);
      const at = followUpSendTime({
        endedAt,
        delayMs: parseDuration(policy.followUps.delay) ?? 0,
        latestLocalTime: policy.followUps.latestLocalTime,
        nextBusinessDayAt: policy.followUps.nextBusinessDayAt,
        timeZone: contact.timeZone,
        rules,
      });
      park(registrant, 'follow-up', at);
    }
  }
  await deps.sends.deferSends(parked);
  return parked.length;
}
