/** Reminder and follow-up times per registrant: in their zone, around quiet hours, holidays and weekends. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wallClock } from '../../../core/config/local-date-time.ts';
import type { Guardrails } from '../../../core/config/schema/settings.ts';
import { earliestSendTime, holidayOn, inQuietHoursOrHoliday, sendWindowRules, type SendWindowRules } from '../../../core/sending/send-window.ts';
import {
  followUpSendTime,
  REMINDER_MIN_LEAD_MS,
  reminderSendTime,
  sessionEndsAt,
  WebinarTimingError,
} from '../../../core/webinars/webinar-timing.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const guardrails: Guardrails = {
  kind: 'guardrails',
  frequencyCaps: [{ max: 2, per: '7d' }],
  quietHours: { start: '20:00', end: '08:00' },
  sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' },
  holidays: [{ calendar: 'JP', timeZones: ['Asia/Tokyo'], extraDates: ['2026-12-29'] }],
  reputation: { maxBounceRate: 0.04, maxComplaintRate: 0.001, minimumSample: 200 },
};
const rules = sendWindowRules(guardrails);
// Quiet hours that do not wrap midnight, and no send window.
const earlyQuiet = sendWindowRules({ ...guardrails, quietHours: { start: '00:00', end: '07:00' }, sendWindow: undefined });
// A late night, a company closure and JP holidays for two zones.
const lateQuiet = sendWindowRules({
  ...guardrails,
  quietHours: { start: '21:00', end: '09:00' },
  holidays: [{ calendar: 'JP', timeZones: ['Asia/Tokyo', 'Asia/Kolkata'], extraDates: ['2026-12-29', '2026-12-30', '2027-08-13'] }],
});

const TOKYO = 'Asia/Tokyo';
const NEW_YORK = 'America/New_York';
const utc = (iso: string) => new Date(iso);
const held = (at: Date, zone: string, r: SendWindowRules) => inQuietHoursOrHoliday(wallClock(at, zone), zone, r);

describe('sessionEndsAt', () => {
  it('adds the scheduled duration', () => {
    expect(sessionEndsAt(utc('2026-12-10T05:00:00Z'), 90)).toEqual(utc('2026-12-10T06:30:00Z'));
  });
});

describe('reminderSendTime', () => {
  const remind = (startsAt: string, beforeMs: number, now: string, timeZone = TOKYO, r = rules) =>
    reminderSendTime({ startsAt: utc(startsAt), beforeMs, now: utc(now), timeZone, rules: r })?.toISOString();

  it('sends at the due instant when the registrant may be emailed then', () => {
    // Thursday 14:00 JST session, 24 h reminder Wednesday 14:00 JST.
    expect(remind('2026-12-10T05:00:00Z', DAY, '2026-12-01T00:00:00Z')).toBe('2026-12-09T05:00:00.000Z');
  });

  it("moves a reminder due in the registrant's night to the evening before quiet hours", () => {
    // Thursday 16:00 JST is 02:00 EST in New York: the 24 h reminder would land Wednesday 02:00 EST,
    // so it goes Tuesday 19:59 EST, the last minute before quiet hours (20:00).
    expect(remind('2026-12-10T07:00:00Z', DAY, '2026-12-01T00:00:00Z', NEW_YORK)).toBe('2026-12-09T00:59:00.000Z');
    // A Tokyo registrant of the same session gets it at the due time.
    expect(remind('2026-12-10T07:00:00Z', DAY, '2026-12-01T00:00:00Z', TOKYO)).toBe('2026-12-09T07:00:00.000Z');
  });

  it('ignores the marketing send window: a Saturday session gets its Saturday reminder', () => {
    // Saturday 10:00 JST session, 1 h reminder Saturday 09:00 JST, outside the Mon-Fri window.
    const due = utc('2026-12-12T00:00:00Z');
    expect(earliestSendTime(due, TOKYO, rules)).not.toEqual(due); // a campaign would wait until Monday
    expect(remind('2026-12-12T01:00:00Z', HOUR, '2026-12-01T00:00:00Z')).toBe(due.toISOString());
  });

  it('moves a reminder due on a holiday the registrant observes to the evening before', () => {
    // Wednesday 2026-11-04 10:00 JST session; the 24 h reminder falls on Culture Day (11-03).
    expect(holidayOn('2026-11-03', TOKYO, rules)).toBe('National Culture Day');
    expect(remind('2026-11-04T01:00:00Z', DAY, '2026-10-20T00:00:00Z')).toBe('2026-11-02T10:59:00.000Z'); // Mon 19:59 JST
  });

  it('sends a late registrant the reminder now, or when their quiet hours end', () => {
    // Registered at 11:00 JST for a 14:00 JST session: the 24 h reminder is overdue, so now.
    expect(remind('2026-12-10T05:00:00Z', DAY, '2026-12-10T02:00:00Z')).toBe('2026-12-10T02:00:00.000Z');
    // Registered at 23:00 JST for 09:00 JST tomorrow: nothing allowed before now, so 08:00 JST.
    expect(remind('2026-12-10T00:00:00Z', DAY, '2026-12-09T14:00:00Z')).toBe('2026-12-09T23:00:00.000Z');
  });

  it('never moves a reminder before now', () => {
    // 08:30 JST Thursday session; the 1 h reminder (07:30 JST) is in quiet hours.
    const startsAt = '2026-12-09T23:30:00Z';
    expect(remind(startsAt, HOUR, '2026-12-09T10:00:00Z')).toBe('2026-12-09T10:59:00.000Z'); // from 19:00 JST: 19:59 JST
    expect(remind(startsAt, HOUR, '2026-12-09T10:59:30Z')).toBe('2026-12-09T10:59:30.000Z'); // 19:59:30 JST: right now
    expect(remind(startsAt, HOUR, '2026-12-09T11:30:00Z')).toBe('2026-12-09T23:00:00.000Z'); // from 20:30 JST: at 08:00 JST
  });

  it('gives up when there is no allowed instant up to five minutes before the start', () => {
    // Registered at 23:00 JST for 08:04 JST: quiet hours end 08:00, less than five minutes before.
    expect(remind('2026-12-09T23:04:00Z', DAY, '2026-12-09T14:00:00Z')).toBeUndefined();
    // Registered three minutes before a daytime session.
    expect(remind('2026-12-10T05:00:00Z', DAY, '2026-12-10T04:57:00Z')).toBeUndefined();
  });

  it('sends a reminder set closer than five minutes at five minutes before', () => {
    expect(remind('2026-12-10T05:00:00Z', 0, '2026-12-01T00:00:00Z')).toBe('2026-12-10T04:55:00.000Z');
  });

  it("keeps to New York's own clock across daylight-saving changes", () => {
    // Monday 08:30 sessions; the 1 h reminder (07:30) moves to Sunday 19:59 local.
    expect(remind('2026-11-02T13:30:00Z', HOUR, '2026-10-01T00:00:00Z', NEW_YORK)).toBe('2026-11-02T00:59:00.000Z'); // EST after fall back
    expect(remind('2026-03-09T12:30:00Z', HOUR, '2026-02-01T00:00:00Z', NEW_YORK)).toBe('2026-03-08T23:59:00.000Z'); // EDT after spring forward
  });

  const zones = [TOKYO, NEW_YORK, 'Europe/London', 'Australia/Sydney', 'America/Los_Angeles', 'Asia/Kolkata'];
  const ruleSets = [rules, earlyQuiet, lateQuiet];
  const reminderCase = fc.record({
    startsAt: fc.date({ min: utc('2026-01-01T00:00:00Z'), max: utc('2027-12-31T00:00:00Z'), noInvalidDate: true }),
    beforeMs: fc.oneof(fc.constantFrom(0, 5 * MINUTE, 15 * MINUTE, HOUR, DAY, 3 * DAY, 7 * DAY), fc.integer({ min: 0, max: 8 * DAY })),
    leadMs: fc.oneof(fc.integer({ min: 0, max: 2 * HOUR }), fc.integer({ min: 0, max: 10 * DAY })),
    timeZone: fc.constantFrom(...zones),
    ruleSet: fc.constantFrom(...ruleSets.keys()),
  });

  /** Every instant where being held back can change (whole 5 minutes: all zones here are offset by multiples of 5), plus the ends. */
  const heldThroughout = (from: number, to: number, zone: string, r: SendWindowRules) => {
    const step = 5 * MINUTE;
    const instants = [from, to];
    for (let at = Math.ceil(from / step) * step; at <= to; at += step) instants.push(at);
    return instants.every((at) => held(new Date(at), zone, r));
  };

  it('lands at or after now, at least five minutes before the start, at an allowed instant, and at the due instant when that is allowed (property)', () => {
    fc.assert(
      fc.property(reminderCase, ({ startsAt, beforeMs, leadMs, timeZone, ruleSet }) => {
        const r = ruleSets[ruleSet]!;
        const now = new Date(startsAt.getTime() - leadMs);
        const at = reminderSendTime({ startsAt, beforeMs, now, timeZone, rules: r });
        const latest = startsAt.getTime() - REMINDER_MIN_LEAD_MS;
        const due = Math.max(startsAt.getTime() - beforeMs, now.getTime());
        if (due <= latest && !held(new Date(due), timeZone, r)) expect(at?.getTime()).toBe(due);
        if (at === undefined) return;
        expect(at.getTime()).toBeLessThan(startsAt.getTime());
        expect(at.getTime()).toBeLessThanOrEqual(latest);
        expect(at.getTime()).toBeGreaterThanOrEqual(now.getTime());
        expect(held(at, timeZone, r)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('moves as little as it can: earlier to the last allowed minute, later only when nothing earlier is allowed, undefined only when nothing is (property)', () => {
    fc.assert(
      fc.property(reminderCase, ({ startsAt, beforeMs, leadMs, timeZone, ruleSet }) => {
        const r = ruleSets[ruleSet]!;
        const now = new Date(startsAt.getTime() - leadMs);
        const at = reminderSendTime({ startsAt, beforeMs, now, timeZone, rules: r });
        const latest = startsAt.getTime() - REMINDER_MIN_LEAD_MS;
        if (now.getTime() > latest) {
          expect(at).toBeUndefined();
          return;
        }
        const due = Math.min(Math.max(startsAt.getTime() - beforeMs, now.getTime()), latest);
        if (at === undefined) {
          expect(heldThroughout(now.getTime(), latest, timeZone, r)).toBe(true);
          return;
        }
        if (at.getTime() < due) {
          // Nothing allowed after it up to the due instant, to the minute.
          expect(heldThroughout(Math.min(at.getTime() + MINUTE, due), due, timeZone, r)).toBe(true);
        }
        if (at.getTime() > due) {
          // Nothing allowed between now and it.
          expect(heldThroughout(now.getTime(), at.getTime() - 1, timeZone, r)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('followUpSendTime', () => {
  const followUp = (endedAt: string, delayMs: number, timeZone = TOKYO, latestLocalTime = '18:00', r = rules) =>
    followUpSendTime({ endedAt: utc(endedAt), delayMs, latestLocalTime, nextBusinessDayAt: '09:30', timeZone, rules: r }).toISOString();

  it('sends after the delay when that is still the same business day, up to and including the latest local time', () => {
    // Friday 2026-12-04: ends 16:00 JST, + 2 h = 18:00 JST.
    expect(followUp('2026-12-04T07:00:00Z', 2 * HOUR)).toBe('2026-12-04T09:00:00.000Z');
  });

  it('waits for Monday morning when the delay runs past the latest local time on a Friday', () => {
    expect(followUp('2026-12-04T08:00:00Z', 2 * HOUR)).toBe('2026-12-07T00:30:00.000Z'); // ends 17:00 JST -> Mon 09:30 JST
    expect(followUp('2026-12-04T07:01:00Z', 2 * HOUR)).toBe('2026-12-07T00:30:00.000Z'); // 18:01 JST is already too late
  });

  it('skips Japanese public holidays and company holidays for a Tokyo registrant', () => {
    expect(followUp('2026-11-02T08:00:00Z', 2 * HOUR)).toBe('2026-11-04T00:30:00.000Z'); // Mon 19:00 JST; Tue 11-03 Culture Day -> Wed
    expect(followUp('2026-12-31T08:00:00Z', 2 * HOUR)).toBe('2027-01-04T00:30:00.000Z'); // Thu 19:00 JST; New Year's Day, weekend -> Mon
    expect(followUp('2026-12-28T08:00:00Z', 2 * HOUR)).toBe('2026-12-30T00:30:00.000Z'); // Mon 19:00 JST; 12-29 company closure -> Wed
  });

  it('sends at the business-day morning time the same day when the delay lands in the small hours', () => {
    // Ends Tuesday 02:00 JST, + 1 h = 03:00 JST -> Tuesday 09:30 JST.
    expect(followUp('2026-12-07T17:00:00Z', HOUR)).toBe('2026-12-08T00:30:00.000Z');
  });

  it("uses the registrant's own zone and holidays: a New York registrant", () => {
    // The Tokyo session that ends Friday 16:00 JST ends 02:00 EST: + 2 h = 04:00 EST -> Friday 09:30 EST.
    expect(followUp('2026-12-04T07:00:00Z', 2 * HOUR, NEW_YORK)).toBe('2026-12-04T14:30:00.000Z');
    // Monday 17:00 EST + 2 h -> Tuesday 2026-11-03 09:30 EST: Culture Day is not their holiday.
    expect(followUp('2026-11-02T22:00:00Z', 2 * HOUR, NEW_YORK)).toBe('2026-11-03T14:30:00.000Z');
  });

  it('keeps 09:30 local across New York daylight-saving changes', () => {
    expect(followUp('2026-03-06T22:00:00Z', 2 * HOUR, NEW_YORK)).toBe('2026-03-09T13:30:00.000Z'); // Fri 17:00 EST -> Mon 09:30 EDT
    expect(followUp('2026-10-30T21:00:00Z', 2 * HOUR, NEW_YORK)).toBe('2026-11-02T14:30:00.000Z'); // Fri 17:00 EDT -> Mon 09:30 EST
  });

  it('does not send in quiet hours even before the latest local time', () => {
    // Wednesday 18:30 JST + 2 h = 20:30 JST: before 21:00 but quiet hours start at 20:00.
    expect(followUp('2026-12-09T09:30:00Z', 2 * HOUR, TOKYO, '21:00')).toBe('2026-12-10T00:30:00.000Z');
  });

  it('refuses a time of day that is not HH:MM, naming the field', () => {
    expect(() => followUp('2026-12-04T07:00:00Z', HOUR, TOKYO, '6pm')).toThrow(WebinarTimingError);
    expect(() => followUp('2026-12-04T07:00:00Z', HOUR, TOKYO, '6pm')).toThrow("followUps.latestLocalTime: expected a 24-hour time like 18:00, got '6pm'");
  });

  const isBusinessDate = (date: string, zone: string, r: SendWindowRules) => {
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6 && holidayOn(date, zone, r) === undefined;
  };
  const nextDate = (date: string) => new Date(Date.parse(`${date}T12:00:00Z`) + DAY).toISOString().slice(0, 10);

  it('sends after the delay exactly when allowed, otherwise at 09:30 local on the first business day after it (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: utc('2026-01-01T00:00:00Z'), max: utc('2027-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.oneof(fc.constantFrom(0, HOUR, 2 * HOUR, DAY), fc.integer({ min: 0, max: 3 * DAY })),
        fc.constantFrom(TOKYO, NEW_YORK, 'Europe/London', 'Asia/Kolkata', 'Australia/Sydney'),
        fc.constantFrom('17:00', '18:00', '19:59', '23:59'),
        fc.constantFrom(rules, earlyQuiet, lateQuiet),
        (endedAt, delayMs, timeZone, latestLocalTime, r) => {
          const candidate = new Date(endedAt.getTime() + delayMs);
          const at = followUpSendTime({ endedAt, delayMs, latestLocalTime, nextBusinessDayAt: '09:30', timeZone, rules: r });
          const was = wallClock(candidate, timeZone);
          const [latestHour, latestMinute] = latestLocalTime.split(':').map(Number) as [number, number];
          const allowed = isBusinessDate(was.date, timeZone, r) && was.minuteOfDay <= latestHour * 60 + latestMinute && !held(candidate, timeZone, r);
          if (allowed) {
            expect(at).toEqual(candidate);
            return;
          }
          const local = wallClock(at, timeZone);
          expect(at.getTime()).toBeGreaterThan(candidate.getTime());
          expect(`${local.hour}:${local.minute}`).toBe('9:30');
          expect(isBusinessDate(local.date, timeZone, r)).toBe(true);
          // The first business day: the candidate's own day only when it was before 09:30.
          if (local.date === was.date) expect(was.minuteOfDay).toBeLessThan(9 * 60 + 30);
          for (let date = nextDate(was.date); date < local.date; date = nextDate(date)) {
            expect(isBusinessDate(date, timeZone, r)).toBe(false);
          }
          if (local.date > was.date && isBusinessDate(was.date, timeZone, r)) expect(was.minuteOfDay).toBeGreaterThanOrEqual(9 * 60 + 30);
        },
      ),
      { numRuns: 300 },
    );
  });
});
