import { describe, expect, it } from 'vitest';
import { sessionPhaseOf, webinarKpis } from '../../../core/reporting/webinar-kpis.ts';
import type { AttendanceMark, Registrant } from '../../../core/webinars/webinar.ts';

const span = { startedAt: new Date('2026-12-10T05:00:00Z'), endedAt: new Date('2026-12-10T05:10:00Z') };
const registrant = (email: string): Registrant => ({ webinarId: 'w', sessionId: 's', email, registeredAt: '2026-12-01T00:00:00Z', source: 'zoom', answers: [] });
const stay = (person: string, from: number, to: number): AttendanceMark => ({
  kind: 'stay', webinarId: 'w', sessionId: 's', person, stayKey: 'report',
  at: new Date(span.startedAt.getTime() + from * 60_000).toISOString(), leftAt: new Date(span.startedAt.getTime() + to * 60_000).toISOString(),
});

describe('webinar KPIs', () => {
  it('counts attendance by the minimum watch time, averages attendees, and draws the drop-off curve', () => {
    const kpis = webinarKpis(
      [registrant('a@x.com'), registrant('b@x.com'), registrant('c@x.com'), registrant('d@x.com')],
      [stay('a@x.com', 0, 10), stay('b@x.com', 0, 4), stay('c@x.com', 0, 1), stay('walk-in@x.com', 5, 10)],
      span,
      2,
    );
    expect(kpis).toMatchObject({ registered: 4, attended: 3, noShows: 2, attendanceRate: 0.5, averageWatchMinutes: 6.3 });
    expect(kpis.dropOff).toEqual([3, 2, 2, 2, 1, 2, 2, 2, 2, 2]);
    expect(kpis.watchShareQuartiles).toEqual([0, 1, 1, 1]);
  });

  it('is all zeros for a session nobody registered for', () => {
    expect(webinarKpis([], [], span, 10)).toMatchObject({ registered: 0, attended: 0, attendanceRate: 0, averageWatchMinutes: 0 });
  });

  it('says whether a session ran: the stored status knows only scheduled and cancelled', () => {
    expect(sessionPhaseOf({ status: 'scheduled' })).toBe('scheduled');
    expect(sessionPhaseOf({ status: 'scheduled', startedAt: '2026-12-10T05:00:00Z' })).toBe('live');
    expect(sessionPhaseOf({ status: 'scheduled', startedAt: '2026-12-10T05:00:00Z', endedAt: '2026-12-10T06:00:00Z' })).toBe('ended');
    // An attendance report finalized it without platform signals.
    expect(sessionPhaseOf({ status: 'scheduled', followUpsPlannedAt: '2026-12-10T06:01:00Z' })).toBe('ended');
    expect(sessionPhaseOf({ status: 'cancelled', followUpsPlannedAt: '2026-12-10T06:01:00Z' })).toBe('cancelled');
  });
});
