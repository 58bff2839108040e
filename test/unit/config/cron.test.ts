/**
 * A campaign's cron runs locally through croner and in AWS as an EventBridge Scheduler
 * expression. The two must fire on the same days, and a cron only one of them can express
 * must be rejected by validation rather than at deploy time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCron, nextCronRun, toEventBridgeCron } from '../../../core/config/cron.ts';

const EB_DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * The weekdays (0 = Sunday, as Date#getUTCDay) an EventBridge day-of-week field selects, read the
 * way EventBridge documents it: 1-7 or SUN-SAT with 1 = SUN, lists and ascending ranges.
 * Anything else throws, since EventBridge would refuse it.
 */
function eventBridgeWeekdays(field: string): Set<number> {
  const value = (token: string): number => {
    const named = EB_DAY_NAMES.indexOf(token);
    if (named >= 0) return named + 1;
    if (/^[1-7]$/.test(token)) return Number(token);
    throw new Error(`EventBridge cannot read day-of-week '${token}' in '${field}'`);
  };
  const days = new Set<number>();
  for (const item of field.split(',')) {
    const [from, to, extra] = item.split('-');
    if (extra !== undefined || from === undefined) throw new Error(`EventBridge cannot read '${item}'`);
    const start = value(from);
    const end = to === undefined ? start : value(to);
    if (end < start) throw new Error(`EventBridge range '${item}' runs backwards`);
    for (let day = start; day <= end; day++) days.add(day - 1);
  }
  return days;
}

/** The weekdays standard cron (croner) fires on for a day-of-week field, over one week in UTC. */
function cronerWeekdays(dayOfWeek: string): Set<number> {
  const days = new Set<number>();
  let after = new Date('2026-06-06T23:59:00Z'); // just before Sunday 2026-06-07
  for (;;) {
    const next = nextCronRun(`0 10 * * ${dayOfWeek}`, 'UTC', after);
    if (!next || next >= new Date('2026-06-14T00:00:00Z')) return days;
    days.add(next.getUTCDay());
    after = next;
  }
}

function eventBridgeDayOfWeekField(expression: string): string {
  const match = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(toEventBridgeCron(expression));
  if (!match) throw new Error(`not an EventBridge cron: ${toEventBridgeCron(expression)}`);
  return match[5] as string;
}

describe('toEventBridgeCron', () => {
  it('adds the year field and ? for the unrestricted day field', () => {
    expect(toEventBridgeCron('0 10 * * MON')).toBe('cron(0 10 ? * MON *)');
    expect(toEventBridgeCron('0 10 2 * *')).toBe('cron(0 10 2 * ? *)');
    expect(toEventBridgeCron('30 9 * * *')).toBe('cron(30 9 * * ? *)');
  });

  it('shifts day-of-week digits: standard cron counts Sunday as 0 (or 7), EventBridge as 1', () => {
    expect(toEventBridgeCron('0 9 * * 0')).toBe('cron(0 9 ? * 1 *)');
    expect(toEventBridgeCron('0 9 * * 7')).toBe('cron(0 9 ? * 1 *)');
    expect(toEventBridgeCron('0 9 * * 1-5')).toBe('cron(0 9 ? * 2-6 *)');
    expect(toEventBridgeCron('0 9 * * 0,6')).toBe('cron(0 9 ? * 1,7 *)');
    expect(toEventBridgeCron('*/15 9-17 * * 1-5')).toBe('cron(*/15 9-17 ? * 2-6 *)');
  });

  it('leaves day names alone', () => {
    expect(toEventBridgeCron('0 9 * * MON-FRI')).toBe('cron(0 9 ? * MON-FRI *)');
  });

  it('fires on the same weekdays as croner for any list of day digits', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 7 }), (digits) => {
        const field = digits.join(',');
        expect(eventBridgeWeekdays(eventBridgeDayOfWeekField(`0 10 * * ${field}`))).toEqual(cronerWeekdays(field));
      }),
      { numRuns: 60 },
    );
  });

  it('fires on the same weekdays as croner for any range within Sunday (0) to Saturday (6)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), (a, b) => {
        const field = `${Math.min(a, b)}-${Math.max(a, b)}`;
        expect(eventBridgeWeekdays(eventBridgeDayOfWeekField(`0 10 * * ${field}`))).toEqual(cronerWeekdays(field));
      }),
      { numRuns: 40 },
    );
  });

  // BUG (core/config/cron.ts, toEventBridgeWeekdays): every digit is shifted with `% 7 + 1`, so a
  // range ending on 7 (Sunday) turns backwards: '6-7' (Sat-Sun) becomes '7-1', '5-7' becomes '6-1'.
  // checkCron accepts these. Remove `.fails` once fixed.
  it('keeps a range that ends on 7 (Sunday) a valid range of the same days', () => {
    for (const field of ['6-7', '5-7']) {
      expect(eventBridgeWeekdays(eventBridgeDayOfWeekField(`0 10 * * ${field}`))).toEqual(cronerWeekdays(field));
    }
  });

  // BUG (core/config/cron.ts, toEventBridgeWeekdays): the nth-weekday count after '#' is shifted
  // too: '1#2' (second Monday) becomes '2#3' (third Monday) instead of '2#2'. Remove `.fails` once fixed.
  it('shifts only the weekday of an nth-weekday field, not the count', () => {
    expect(toEventBridgeCron('0 10 * * 1#2')).toBe('cron(0 10 ? * 2#2 *)');
  });
});

describe('checkCron', () => {
  it('accepts the 5-field crons the examples use', () => {
    expect(checkCron('0 10 2 * *', 'Asia/Tokyo')).toEqual({ ok: true });
    expect(checkCron('0 10 * * MON', 'Asia/Tokyo')).toEqual({ ok: true });
    expect(checkCron('*/15 9-17 * * 1-5', 'America/New_York')).toEqual({ ok: true });
  });

  it('rejects restricting both day-of-month and day-of-week, which EventBridge cannot express', () => {
    const check = checkCron('0 10 2 * MON', 'Asia/Tokyo');
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toMatch(/restrict day-of-month or day-of-week, not both/);
  });

  it('rejects the wrong number of fields, saying how many there were', () => {
    const check = checkCron('0 10 * *', 'Asia/Tokyo');
    expect(check.ok ? '' : check.reason).toBe("invalid cron '0 10 * *': expected 5 fields (minute hour day-of-month month day-of-week), got 4");
    expect(checkCron('0 0 10 * * *', 'Asia/Tokyo').ok).toBe(false);
  });

  it('rejects out-of-range values', () => {
    expect(checkCron('61 10 * * *', 'Asia/Tokyo').ok).toBe(false);
    expect(checkCron('0 24 * * *', 'Asia/Tokyo').ok).toBe(false);
    expect(checkCron('0 10 32 * *', 'Asia/Tokyo').ok).toBe(false);
  });

  // GAP (core/config/cron.ts, checkCron): croner accepts a step in day-of-week, EventBridge does
  // not (its day-of-week wildcards are , - * ? L #), and toEventBridgeCron turns '*/2' into '*/3'.
  // Remove `.fails` once checkCron rejects it.
  it('rejects a step (/) in day-of-week, which EventBridge does not support', () => {
    expect(checkCron('0 10 * * */2', 'Asia/Tokyo').ok).toBe(false);
  });
});

describe('nextCronRun', () => {
  it('reads the cron in the campaign time zone: Monday 10:00 in Tokyo is 01:00 UTC', () => {
    // 2026-06-01 is a Monday; 00:00 UTC is 09:00 in Tokyo, an hour before the send.
    expect(nextCronRun('0 10 * * MON', 'Asia/Tokyo', new Date('2026-06-01T00:00:00Z'))).toEqual(new Date('2026-06-01T01:00:00Z'));
  });

  it('returns the run strictly after the given instant', () => {
    expect(nextCronRun('0 10 * * MON', 'Asia/Tokyo', new Date('2026-06-01T01:00:00Z'))).toEqual(new Date('2026-06-08T01:00:00Z'));
  });

  it('uses the Tokyo date, not the UTC date, for day-of-month', () => {
    // 2026-12-01T16:00Z is already 2 December 01:00 in Tokyo.
    expect(nextCronRun('0 10 2 * *', 'Asia/Tokyo', new Date('2026-12-01T16:00:00Z'))).toEqual(new Date('2026-12-02T01:00:00Z'));
  });

  it('keeps the local hour across a daylight-saving change (New York, March 2026)', () => {
    expect(nextCronRun('0 10 * * *', 'America/New_York', new Date('2026-03-07T16:00:00Z'))).toEqual(new Date('2026-03-08T14:00:00Z'));
    expect(nextCronRun('0 10 * * *', 'America/New_York', new Date('2026-03-06T16:00:00Z'))).toEqual(new Date('2026-03-07T15:00:00Z'));
  });
});
