/** Watch time from join/leave intervals: merged, summed, clipped to the session, order-independent. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { watchTimeOf, type AttendanceInterval } from '../../../core/webinars/watch-time.ts';

const T0 = Date.parse('2026-12-10T05:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const session = { startedAt: at(0), endedAt: at(60) };

describe('watchTimeOf', () => {
  it('sums rejoins, merges overlaps (two devices), clips to the real session span', () => {
    const intervals: AttendanceInterval[] = [
      { joinedAt: at(-10), leftAt: at(10) }, // joined early: counts from the start
      { joinedAt: at(5), leftAt: at(15) }, // a second device, overlapping
      { joinedAt: at(30), leftAt: at(40) }, // rejoined
      { joinedAt: at(55) }, // never reported leaving: until the end
    ];
    expect(watchTimeOf(intervals, session)).toEqual({ seconds: 30 * 60, minutes: 30, share: 0.5, firstJoinedAt: at(0), lastLeftAt: at(60) });
  });

  it('counts a session that ran past its schedule to its real end, and nothing outside it', () => {
    const overran = { startedAt: at(0), endedAt: at(75) };
    expect(watchTimeOf([{ joinedAt: at(50), leftAt: at(80) }], overran)).toMatchObject({ minutes: 25, share: 25 / 75 });
    expect(watchTimeOf([{ joinedAt: at(-30), leftAt: at(-1) }], session)).toEqual({ seconds: 0, minutes: 0, share: 0 });
  });

  it('refuses a session that does not end after it starts', () => {
    expect(() => watchTimeOf([], { startedAt: at(10), endedAt: at(10) })).toThrow(/must end after it starts/);
  });

  const intervalArb = fc.record({ from: fc.integer({ min: -30, max: 90 }), length: fc.integer({ min: 0, max: 90 }), open: fc.boolean() }).map(
    ({ from, length, open }): AttendanceInterval => ({ joinedAt: at(from), ...(open ? {} : { leftAt: at(from + length) }) }),
  );

  it('is the same in any order and never more than the session (property)', () => {
    fc.assert(
      fc.property(fc.array(intervalArb, { maxLength: 12 }), (intervals) => {
        const forward = watchTimeOf(intervals, session);
        const backward = watchTimeOf([...intervals].reverse(), session);
        expect(backward).toEqual(forward);
        expect(forward.seconds).toBeLessThanOrEqual(3600);
        expect(forward.share).toBeGreaterThanOrEqual(0);
        expect(forward.share).toBeLessThanOrEqual(1);
        // Duplicating every interval (a resent webhook) changes nothing.
        expect(watchTimeOf([...intervals, ...intervals], session)).toEqual(forward);
      }),
    );
  });

  it('equals a minute-by-minute count of whether the person was in (property)', () => {
    fc.assert(
      fc.property(fc.array(intervalArb, { maxLength: 8 }), (intervals) => {
        let minutesIn = 0;
        for (let minute = 0; minute < 60; minute++) {
          const mid = T0 + minute * 60_000 + 30_000;
          if (intervals.some(({ joinedAt, leftAt }) => joinedAt.getTime() <= mid && mid < (leftAt ?? session.endedAt).getTime())) minutesIn++;
        }
        // Whole-minute intervals: the union length in minutes is exact.
        expect(watchTimeOf(intervals, session).minutes).toBe(minutesIn);
      }),
    );
  });
});
