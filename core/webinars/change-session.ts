/**
 * Use case: a session moved or was cancelled (Zoom's webinar.updated / webinar.deleted, or the
 * `npm run webinar` command). The state changes under a revision check; a change older than the
 * one applied (the platform's time stamp) is ignored, and a repeat of it changes nothing. A move
 * plans new reminders under the new revision (the old ones are skipped at send time as stale) and
 * tells registrants the new time; a cancellation tells them, and no reminder goes out after it.
 */
import { planWebinarEmails } from './plan-webinar-emails.ts';
import type { WebinarDeps } from './register-for-webinar.ts';
import { initialSessionState, requireSession } from './webinar-catalog.ts';
import type { SessionState } from './webinar.ts';

export type SessionChange =
  | { kind: 'reschedule'; startsAt: Date; endsAt: Date; changedAt: Date }
  | { kind: 'cancel'; changedAt: Date };

export type SessionChangeOutcome = { outcome: 'rescheduled' | 'cancelled'; revision: number; notified: number } | { outcome: 'unchanged' | 'stale' | 'already-cancelled' | 'already-over' };

const MAX_ATTEMPTS = 5;

export async function changeSession(webinarId: string, sessionId: string, change: SessionChange, deps: WebinarDeps): Promise<SessionChangeOutcome> {
  const configured = requireSession(deps.config, webinarId, sessionId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const state = await deps.webinars.ensureSession(initialSessionState(configured));
    if (state.changedAt && Date.parse(state.changedAt) > change.changedAt.getTime()) return { outcome: 'stale' };
    if (state.status === 'cancelled') return { outcome: 'already-cancelled' };
    if (state.endedAt) return { outcome: 'already-over' };
    let next: SessionState;
    if (change.kind === 'reschedule') {
      if (state.startsAt === change.startsAt.toISOString() && state.endsAt === change.endsAt.toISOString()) return { outcome: 'unchanged' };
      next = { ...state, startsAt: change.startsAt.toISOString(), endsAt: change.endsAt.toISOString(), revision: state.revision + 1, changedAt: change.changedAt.toISOString() };
    } else {
      next = { ...state, status: 'cancelled', cancelledAt: deps.clock.now().toISOString(), revision: state.revision + 1, changedAt: change.changedAt.toISOString() };
    }
    if (!(await deps.webinars.updateSession(next, state.revision))) continue;
    const registrants = await deps.webinars.listRegistrants(webinarId, sessionId);
    const notified = await planWebinarEmails(configured, next, registrants, change.kind === 'reschedule' ? ['rescheduled', 'reminders'] : ['cancellation'], deps);
    return { outcome: change.kind === 'reschedule' ? 'rescheduled' : 'cancelled', revision: next.revision, notified };
  }
  throw new Error(`webinar ${webinarId} session ${sessionId} kept changing under this update (${MAX_ATTEMPTS} attempts): try again`);
}
