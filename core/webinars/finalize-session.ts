/**
 * Use case: a session is over (the platform's end signal, an attendance report imported after it,
 * or the sweep once its follow-ups are due without one). From every join / leave mark and stay it
 * computes each person's watch time within the session's real span, writes the summary on their
 * registration (attendees who never registered get one), records `webinar-attended` (with watch
 * minutes and share) or `webinar-no-show` events once per contact and session, and plans the
 * follow-ups once. Running it again (a resent webhook, a second import) converges: summaries are
 * recomputed from the same marks, events are deduplicated by id, follow-ups are planned once and
 * claimed once.
 */
import type { EngagementEvent } from '../tracking/engagement-event.ts';
import { isMatched, planWebinarEmails } from './plan-webinar-emails.ts';
import type { WebinarDeps } from './register-for-webinar.ts';
import { watchTimeOf, type AttendanceInterval, type SessionSpan } from './watch-time.ts';
import { initialSessionState, requireSession } from './webinar-catalog.ts';
import type { AttendanceMark, Registrant, SessionState } from './webinar.ts';
import { mapBounded } from '../bounded-parallel.ts';

export interface FinalizeOutcome {
  registrants: number;
  attended: number;
  noShows: number;
  /** Summaries that changed in this run. */
  updated: number;
  /** Follow-up sends parked (0 when they were planned before). */
  followUpsPlanned: number;
  span: { startedAt: string; endedAt: string };
}

const EVENT_WRITE_CONCURRENCY = 16;
/** Summaries saved per step (one BatchWriteItem): a retried run redoes at most one chunk's events. */
const SUMMARY_CHUNK = 25;

export async function finalizeSession(webinarId: string, sessionId: string, deps: WebinarDeps): Promise<FinalizeOutcome> {
  const configured = requireSession(deps.config, webinarId, sessionId);
  const state = await deps.webinars.ensureSession(initialSessionState(configured));
  const [marks, registrants] = await Promise.all([deps.webinars.listAttendance(webinarId, sessionId), deps.webinars.listRegistrants(webinarId, sessionId)]);
  const byPerson = intervalsByPerson(marks);
  const span = sessionSpan(state, marks);
  // Attendees with an address but no registration (walk-ins, a report of attendees only) are registrants too.
  const known = new Set(registrants.map((registrant) => registrant.email));
  const walkIns = [...byPerson.keys()].filter((person) => !person.startsWith('guest:') && !known.has(person));
  const owners = walkIns.length > 0 ? await deps.customers.contactIdsByEmail(walkIns) : new Map<string, string>();
  const walkInContacts = owners.size > 0 ? await deps.customers.getContacts([...owners.values()]) : new Map();
  const everyone: Registrant[] = [
    ...registrants,
    ...walkIns.map((email): Registrant => {
      const contact = walkInContacts.get(owners.get(email) ?? '');
      return {
        webinarId,
        sessionId,
        email,
        ...(contact ? { contactId: contact.contactId, accountId: contact.accountId } : {}),
        registeredAt: span.startedAt.toISOString(),
        source: 'attendance',
        answers: [],
      };
    }),
  ];
  const attendedSeconds = configured.policy.followUps.attendedMinutes * 60;
  const changed: Registrant[] = [];
  for (const registrant of everyone) {
    const watched = watchTimeOf(byPerson.get(registrant.email) ?? [], span);
    const summary: Registrant = {
      ...registrant,
      attended: watched.seconds >= attendedSeconds,
      watchSeconds: watched.seconds,
      watchShare: Math.round(watched.share * 1000) / 1000,
      ...(watched.firstJoinedAt ? { firstJoinedAt: watched.firstJoinedAt.toISOString() } : {}),
      ...(watched.lastLeftAt ? { lastLeftAt: watched.lastLeftAt.toISOString() } : {}),
    };
    if (JSON.stringify(summary) !== JSON.stringify(registrant)) changed.push(summary);
  }
  // Each chunk's events before its summaries: a run that fails in between is run again, and sees a
  // saved summary as unchanged, so an event not written before its summary would never be written.
  for (let start = 0; start < changed.length; start += SUMMARY_CHUNK) {
    const chunk = changed.slice(start, start + SUMMARY_CHUNK);
    await mapBounded(chunk.filter(isMatched), EVENT_WRITE_CONCURRENCY, (registrant) => deps.engagement.recordEvent(attendanceEvent(registrant, span)));
    await deps.webinars.saveRegistrants(chunk);
  }
  let followUpsPlanned = 0;
  const withSummaries = everyone.map((registrant) => changed.find((candidate) => candidate.email === registrant.email) ?? registrant);
  const ended = { ...state, endedAt: span.endedAt.toISOString() };
  if (!state.followUpsPlannedAt && state.status === 'scheduled') {
    // Parked first, marked second: a crash in between plans them again, and the claim sends each once.
    followUpsPlanned = await planWebinarEmails(configured, ended, withSummaries, ['follow-up'], deps);
    await deps.webinars.markFollowUpsPlanned(webinarId, sessionId, deps.clock.now());
  } else if (state.status === 'scheduled' && walkIns.length > 0) {
    // Planned before these attendees were known (a report imported after the end): theirs now.
    const newcomers = new Set(walkIns);
    followUpsPlanned = await planWebinarEmails(configured, ended, withSummaries.filter((registrant) => newcomers.has(registrant.email)), ['follow-up'], deps);
  }
  const summaries = withSummaries;
  const attended = summaries.filter((registrant) => registrant.attended).length;
  return {
    registrants: summaries.length,
    attended,
    noShows: summaries.length - attended,
    updated: changed.length,
    followUpsPlanned,
    span: { startedAt: span.startedAt.toISOString(), endedAt: span.endedAt.toISOString() },
  };
}

/** One event per contact and session: attended (with watch time) or no-show. */
function attendanceEvent(registrant: Registrant & { contactId: string; accountId: string }, span: SessionSpan): EngagementEvent {
  const attended = registrant.attended === true;
  return {
    eventId: `${attended ? 'webinar-attended' : 'webinar-no-show'}:${registrant.webinarId}:${registrant.sessionId}:${registrant.contactId}`,
    type: attended ? 'webinar-attended' : 'webinar-no-show',
    contactId: registrant.contactId,
    accountId: registrant.accountId,
    occurredAt: (attended && registrant.firstJoinedAt ? registrant.firstJoinedAt : span.endedAt.toISOString()),
    campaignId: registrant.webinarId,
    runId: registrant.sessionId,
    machine: false,
    detail: attended ? { watchMinutes: Math.round((registrant.watchSeconds ?? 0) / 60), watchShare: registrant.watchShare ?? 0 } : {},
  };
}

/**
 * The session's real span: the platform's start and end when reported, else the schedule, stretched
 * to cover every stay (a session that ran over is still the session).
 */
export function sessionSpan(state: SessionState, marks: readonly AttendanceMark[]): SessionSpan {
  const times = marks.flatMap((mark) => (mark.kind === 'stay' ? [Date.parse(mark.at), Date.parse(mark.leftAt)] : [Date.parse(mark.at)]));
  const startedAt = state.startedAt ? Date.parse(state.startedAt) : Math.min(Date.parse(state.startsAt), ...times);
  const endedAt = state.endedAt ? Date.parse(state.endedAt) : Math.max(Date.parse(state.endsAt), ...times);
  return { startedAt: new Date(startedAt), endedAt: new Date(Math.max(endedAt, startedAt + 60_000)) };
}

/**
 * Each person's stays: report stays as they are; webhook joins paired with the next leave of the
 * same participant key (a join with no leave lasts to the end; a leave with no join is dropped:
 * its join is what says when they came).
 */
export function intervalsByPerson(marks: readonly AttendanceMark[]): Map<string, AttendanceInterval[]> {
  const result = new Map<string, AttendanceInterval[]>();
  const add = (person: string, interval: AttendanceInterval) => {
    const list = result.get(person) ?? [];
    list.push(interval);
    result.set(person, list);
  };
  const edges = new Map<string, AttendanceMark[]>();
  for (const mark of marks) {
    if (mark.kind === 'stay') {
      add(mark.person, { joinedAt: new Date(mark.at), leftAt: new Date(mark.leftAt) });
      continue;
    }
    const key = `${mark.person}\u0000${mark.stayKey}`;
    const list = edges.get(key) ?? [];
    list.push(mark);
    edges.set(key, list);
  }
  for (const list of edges.values()) {
    // Leaves sort before joins at the same instant: a reconnect closes the old stay before opening the new.
    list.sort((a, b) => a.at.localeCompare(b.at) || (a.kind === b.kind ? 0 : a.kind === 'leave' ? -1 : 1));
    let open: Date | undefined;
    for (const mark of list) {
      if (mark.kind === 'join') {
        if (open === undefined) open = new Date(mark.at);
      } else if (open !== undefined) {
        add(mark.person, { joinedAt: open, leftAt: new Date(mark.at) });
        open = undefined;
      }
    }
    const person = list[0]?.person;
    if (open !== undefined && person) add(person, { joinedAt: open });
  }
  return result;
}
