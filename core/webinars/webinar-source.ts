/**
 * Which webinar email a send request is, and the run id it is claimed under. The run id makes each
 * email once per registrant: one confirmation and one follow-up per session, one reminder per
 * offset and per schedule revision (a reschedule plans new reminders; the old ones are stale),
 * one notice per reschedule and one per cancellation.
 */
import type { MessageSource } from '../sending/send-request.ts';

export type WebinarSource = Extract<MessageSource, { kind: 'webinar' }>;
export type WebinarMessageKind = WebinarSource['message'];

export function webinarSource(webinarId: string, sessionId: string, message: WebinarMessageKind, extra: { reminder?: string; revision?: number } = {}): WebinarSource {
  return { kind: 'webinar', webinarId, sessionId, message, ...(extra.reminder ? { reminder: extra.reminder } : {}), ...(extra.revision !== undefined ? { revision: extra.revision } : {}) };
}

export function webinarRunId(source: WebinarSource): string {
  switch (source.message) {
    case 'reminder':
      return `reminder-${source.reminder ?? ''}-${source.sessionId}-r${source.revision ?? 0}`;
    case 'rescheduled':
      return `rescheduled-${source.sessionId}-r${source.revision ?? 0}`;
    default:
      return `${source.message}-${source.sessionId}`;
  }
}
