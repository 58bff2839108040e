import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intervalsByPerson, sessionSpan } from '../../../core/webinars/finalize-session.ts';
import { followUpTemplate, formatSessionTime, startsInWords } from '../../../core/webinars/webinar-message.ts';
import type { AttendanceMark, Registrant, SessionState } from '../../../core/webinars/webinar.ts';
import type { ConfiguredSession } from '../../../core/webinars/webinar-catalog.ts';

const mark = (kind: 'join' | 'leave', person: string, stayKey: string, minute: number): AttendanceMark => ({
  kind, webinarId: 'w', sessionId: 's', person, stayKey, at: new Date(Date.UTC(2026, 11, 10, 5, minute)).toISOString(),
});

describe('pairing join and leave marks into stays', () => {
  it('pairs each join with the next leave of the same participant, whatever order they arrived in', () => {
    const marks = [mark('leave', 'a', 'p1', 30), mark('join', 'a', 'p1', 0), mark('join', 'a', 'p2', 40), mark('leave', 'a', 'p2', 50), mark('join', 'b', 'q', 10)];
    const stays = intervalsByPerson(marks);
    expect(stays.get('a')?.map((stay) => [stay.joinedAt.getUTCMinutes(), stay.leftAt?.getUTCMinutes()])).toEqual([[0, 30], [40, 50]]);
    // b never left: the stay lasts to the end of the session.
    expect(stays.get('b')).toEqual([{ joinedAt: new Date(Date.UTC(2026, 11, 10, 5, 10)) }]);
  });

  it('gives the same stays for any arrival order and any number of resends (property)', () => {
    const marks = [mark('join', 'a', 'p1', 0), mark('leave', 'a', 'p1', 30), mark('join', 'a', 'p1', 35), mark('leave', 'a', 'p1', 55), mark('join', 'c', 'x', 3)];
    const expected = intervalsByPerson(marks);
    fc.assert(
      fc.property(fc.shuffledSubarray([...marks, ...marks], { minLength: marks.length * 2 }), (order) => {
        expect(intervalsByPerson(order)).toEqual(expected);
      }),
    );
  });

  it('stretches the session span over stays outside the schedule unless the platform reported the real span', () => {
    const state: SessionState = { webinarId: 'w', sessionId: 's', startsAt: '2026-12-10T05:00:00.000Z', endsAt: '2026-12-10T06:00:00.000Z', status: 'scheduled', revision: 0 };
    const late = { ...mark('join', 'a', 'p', 0), kind: 'stay' as const, leftAt: '2026-12-10T06:20:00.000Z' };
    expect(sessionSpan(state, [late]).endedAt.toISOString()).toBe('2026-12-10T06:20:00.000Z');
    expect(sessionSpan({ ...state, endedAt: '2026-12-10T06:05:00.000Z' }, [late]).endedAt.toISOString()).toBe('2026-12-10T06:05:00.000Z');
  });
});

describe('the follow-up a registrant gets', () => {
  const configured = {
    policy: {
      followUps: {
        attendedMinutes: 10,
        attendees: { template: 'thanks' },
        noShows: { template: 'recording' },
        variants: [{ id: 'left-early', maxWatchShare: 0.5, template: 'left-early' }, { id: 'late', minJoinDelay: '15m', template: 'joined-late' }],
      },
    },
  } as unknown as ConfiguredSession;
  const state: SessionState = { webinarId: 'w', sessionId: 's', startsAt: '2026-12-10T05:00:00.000Z', endsAt: '2026-12-10T06:00:00.000Z', status: 'scheduled', revision: 0, startedAt: '2026-12-10T05:02:00.000Z' };
  const registrant = (summary: Partial<Registrant>): Registrant => ({ webinarId: 'w', sessionId: 's', email: 'a@x.com', registeredAt: state.startsAt, source: 'zoom', answers: [], ...summary });

  it('is the no-show recording below the minimum watch time, the first matching variant, else the thanks', () => {
    expect(followUpTemplate(configured, state, registrant({}))).toBe('recording');
    expect(followUpTemplate(configured, state, registrant({ attended: true, watchSeconds: 300, watchShare: 0.08 }))).toBe('recording');
    expect(followUpTemplate(configured, state, registrant({ attended: true, watchSeconds: 1200, watchShare: 0.33 }))).toBe('left-early');
    expect(followUpTemplate(configured, state, registrant({ attended: true, watchSeconds: 2400, watchShare: 0.66, firstJoinedAt: '2026-12-10T05:20:00.000Z' }))).toBe('joined-late');
    expect(followUpTemplate(configured, state, registrant({ attended: true, watchSeconds: 3500, watchShare: 0.97, firstJoinedAt: '2026-12-10T05:02:00.000Z' }))).toBe('thanks');
  });
});

describe('session times as the recipient reads them', () => {
  it('shows the session in the contact zone and language, and says how soon a reminder is', () => {
    const start = new Date('2026-12-10T05:00:00Z');
    const end = new Date('2026-12-10T06:00:00Z');
    expect(formatSessionTime(start, end, 'ja', 'Asia/Tokyo')).toBe('2026年12月10日(木) 14:00～15:00 (日本標準時)');
    expect(formatSessionTime(start, end, 'en', 'America/New_York')).toBe('Thu, December 10, 2026, 12:00 AM – 1:00 AM (Eastern Standard Time)');
    expect(startsInWords('24h', 'ja')).toBe('24時間後');
    expect(startsInWords('1h', 'en')).toBe('in 1 hour');
    expect(startsInWords('30m', 'en')).toBe('in 30 minutes');
    expect(startsInWords('2d', 'en')).toBe('in 2 days');
  });
});
