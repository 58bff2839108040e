/**
 * A webinar session's KPIs from its registrations and attendance: registered, attended,
 * registration-to-attendance rate, average watch time of attendees, the watch-time distribution,
 * and the drop-off curve (how many were still watching at each minute of the real session).
 * Pure; computed from the same marks the follow-ups are chosen by.
 */
import type { EngineConfig } from '../config/engine-config.ts';
import { mapBounded } from '../bounded-parallel.ts';
import type { WebinarStore } from '../ports.ts';
import { intervalsByPerson, sessionSpan } from '../webinars/finalize-session.ts';
import { allSessions, initialSessionState } from '../webinars/webinar-catalog.ts';
import { watchTimeOf, type SessionSpan } from '../webinars/watch-time.ts';
import type { AttendanceMark, Registrant, SessionState } from '../webinars/webinar.ts';

export interface WebinarKpis {
  registered: number;
  /** Registrants who attended (the policy's minimum watch time), plus attendees who never registered. */
  attended: number;
  noShows: number;
  /** attended registrants / registrants. */
  attendanceRate: number;
  averageWatchMinutes: number;
  /** People watching at the start of each minute of the session (index 0 = its first minute), attendees or not. */
  dropOff: number[];
  /** Attendees by watched share: 0-25 %, 25-50 %, 50-75 %, 75-100 %. */
  watchShareQuartiles: [number, number, number, number];
}

export function webinarKpis(registrants: readonly Registrant[], marks: readonly AttendanceMark[], span: SessionSpan, attendedMinutes: number): WebinarKpis {
  const byPerson = intervalsByPerson(marks);
  const registeredEmails = new Set(registrants.filter((registrant) => registrant.source !== 'attendance').map((registrant) => registrant.email));
  const minutes = Math.max(1, Math.ceil((span.endedAt.getTime() - span.startedAt.getTime()) / 60_000));
  const dropOff = new Array<number>(minutes).fill(0);
  const quartiles: [number, number, number, number] = [0, 0, 0, 0];
  let attended = 0;
  let attendedRegistrants = 0;
  let watchedSeconds = 0;
  for (const [person, intervals] of byPerson) {
    const watched = watchTimeOf(intervals, span);
    // The curve counts everyone who was there, however briefly; the rest counts attendees.
    for (let minute = 0; minute < minutes; minute++) {
      const at = span.startedAt.getTime() + minute * 60_000;
      if (intervals.some((interval) => interval.joinedAt.getTime() <= at && (interval.leftAt ?? span.endedAt).getTime() > at)) dropOff[minute] = (dropOff[minute] ?? 0) + 1;
    }
    if (watched.seconds < attendedMinutes * 60) continue;
    attended++;
    if (registeredEmails.has(person)) attendedRegistrants++;
    watchedSeconds += watched.seconds;
    const quartile = Math.min(3, Math.floor(watched.share * 4)) as 0 | 1 | 2 | 3;
    quartiles[quartile] += 1;
  }
  const registered = registeredEmails.size;
  return {
    registered,
    attended,
    noShows: registered - attendedRegistrants,
    attendanceRate: registered === 0 ? 0 : attendedRegistrants / registered,
    averageWatchMinutes: attended === 0 ? 0 : Math.round((watchedSeconds / attended / 60) * 10) / 10,
    dropOff,
    watchShareQuartiles: quartiles,
  };
}

export type SessionPhase = 'scheduled' | 'live' | 'ended' | 'cancelled';

/** The stored state keeps only scheduled or cancelled; whether it ran is in its platform signals and follow-up mark. */
export function sessionPhaseOf(state: Pick<SessionState, 'status' | 'startedAt' | 'endedAt' | 'followUpsPlannedAt'>): SessionPhase {
  if (state.status === 'cancelled') return 'cancelled';
  if (state.endedAt || state.followUpsPlannedAt) return 'ended';
  return state.startedAt ? 'live' : 'scheduled';
}

/** One configured session's KPIs, with what identifies it. */
export interface SessionKpis {
  webinarId: string;
  sessionId: string;
  title: string;
  startsAt: string;
  /** What happened to it: scheduled, live (started, not ended), ended (ran, or its follow-ups went out), cancelled. */
  status: SessionPhase;
  /** How many times the session was moved. */
  revision: number;
  kpis: WebinarKpis;
}

/**
 * Every configured session's KPIs (or those of `webinarIds`), from its registrant and attendance
 * items: two Queries per session, however many emails the webinar sent. What `npm run report --
 * webinar`, `npm run webinar -- report` and the dashboard show.
 */
export async function sessionKpis(config: Pick<EngineConfig, 'webinars' | 'webinarPolicies'>, webinars: Pick<WebinarStore, 'getSession' | 'listRegistrants' | 'listAttendance'>, webinarIds?: readonly string[]): Promise<SessionKpis[]> {
  const sessions = allSessions(config as EngineConfig).filter((configured) => !webinarIds || webinarIds.includes(configured.webinar.id));
  return mapBounded(sessions, 4, async (configured) => {
    const webinarId = configured.webinar.id;
    const sessionId = configured.session.id;
    const [state, registrants, marks] = await Promise.all([webinars.getSession(webinarId, sessionId), webinars.listRegistrants(webinarId, sessionId), webinars.listAttendance(webinarId, sessionId)]);
    const session = state ?? initialSessionState(configured);
    return {
      webinarId,
      sessionId,
      title: configured.webinar.title.en ?? configured.webinar.title.ja ?? webinarId,
      startsAt: session.startsAt,
      status: sessionPhaseOf(session),
      revision: session.revision,
      kpis: webinarKpis(registrants, marks, sessionSpan(session, marks), configured.policy.followUps.attendedMinutes),
    };
  });
}
