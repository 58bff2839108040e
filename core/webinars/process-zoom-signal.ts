/**
 * Use case: one Zoom webhook, taken off the queue the webhook route put it on. Maps the signal to
 * the webinar use cases; every one of them is idempotent, because Zoom resends a webhook it got no
 * quick answer for and the queue may deliver twice. A webinar id no session is configured for is
 * answered `unknown-webinar` (other webinars of the same Zoom account arrive here too).
 */
import { changeSession } from './change-session.ts';
import { finalizeSession } from './finalize-session.ts';
import { recordPresence } from './record-attendance.ts';
import { registerForWebinar, type WebinarDeps } from './register-for-webinar.ts';
import { sessionByPlatformId } from './webinar-catalog.ts';
import type { ZoomSignal } from './zoom-events.ts';

export type ZoomSignalOutcome = { outcome: string; webinarId?: string; sessionId?: string };

export async function processZoomSignal(signal: ZoomSignal, receivedAt: Date, deps: WebinarDeps): Promise<ZoomSignalOutcome> {
  if (signal.kind === 'url-validation' || signal.kind === 'ignored') return { outcome: 'ignored' };
  const configured = sessionByPlatformId(deps.config, signal.platformId);
  if (!configured) return { outcome: 'unknown-webinar' };
  const ids = { webinarId: configured.webinar.id, sessionId: configured.session.id };
  switch (signal.kind) {
    case 'registered': {
      const { outcome } = await registerForWebinar(
        { ...ids, email: signal.email, ...(signal.name ? { name: signal.name } : {}), answers: signal.answers, source: 'zoom', ...(signal.registeredAt ? { registeredAt: signal.registeredAt } : {}) },
        deps,
      );
      return { outcome, ...ids };
    }
    case 'joined':
      await recordPresence(ids.webinarId, ids.sessionId, { kind: 'join', ...personOf(signal), at: signal.joinedAt }, deps);
      return { outcome: 'joined', ...(await refinalizeIfEnded(ids, deps)), ...ids };
    case 'left':
      await recordPresence(ids.webinarId, ids.sessionId, { kind: 'leave', ...personOf(signal), at: signal.leftAt, ...(signal.joinedAt ? { joinedAt: signal.joinedAt } : {}) }, deps);
      return { outcome: 'left', ...(await refinalizeIfEnded(ids, deps)), ...ids };
    case 'started':
      await deps.webinars.recordSessionRun(ids.webinarId, ids.sessionId, { startedAt: signal.startedAt });
      return { outcome: 'started', ...ids };
    case 'ended': {
      await deps.webinars.recordSessionRun(ids.webinarId, ids.sessionId, { ...(signal.startedAt ? { startedAt: signal.startedAt } : {}), endedAt: signal.endedAt });
      const finalized = await finalizeSession(ids.webinarId, ids.sessionId, deps);
      return { outcome: `ended: ${finalized.attended} attended, ${finalized.noShows} no-shows, ${finalized.followUpsPlanned} follow-ups planned`, ...ids };
    }
    case 'rescheduled': {
      const durationMs = (signal.durationMinutes ?? (configured.endsAt.getTime() - configured.startsAt.getTime()) / 60_000) * 60_000;
      const change = { kind: 'reschedule' as const, startsAt: signal.startsAt, endsAt: new Date(signal.startsAt.getTime() + durationMs), changedAt: signal.changedAt };
      return { ...(await changeSession(ids.webinarId, ids.sessionId, change, deps)), ...ids };
    }
    case 'cancelled':
      return { ...(await changeSession(ids.webinarId, ids.sessionId, { kind: 'cancel', changedAt: receivedAt }, deps)), ...ids };
  }
}

/**
 * A queue does not keep order: a leave processed after the end was handled is still part of the
 * session, so the summaries are computed again (the follow-ups, not sent yet, then fit).
 */
async function refinalizeIfEnded(ids: { webinarId: string; sessionId: string }, deps: WebinarDeps): Promise<{ refinalized?: true }> {
  const state = await deps.webinars.getSession(ids.webinarId, ids.sessionId);
  if (!state?.followUpsPlannedAt) return {};
  await finalizeSession(ids.webinarId, ids.sessionId, deps);
  return { refinalized: true };
}

function personOf(signal: { email?: string; name?: string; participantKey: string }): { email?: string; name?: string; participantKey: string } {
  return { ...(signal.email ? { email: signal.email } : {}), ...(signal.name ? { name: signal.name } : {}), participantKey: signal.participantKey };
}
