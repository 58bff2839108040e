/**
 * One-off sends are written as a wall-clock time in the campaign's zone ("2026-12-08T11:00",
 * Asia/Tokyo). The UTC instant they turn into decides when mail goes out, including in zones
 * that change their clocks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localToUtc, parseLocalDateTime, zoneOffsetMinutes, type LocalDateTime } from '../../../core/config/local-date-time.ts';

function local(text: string): LocalDateTime {
  const parsed = parseLocalDateTime(text);
  if (!parsed) throw new Error(`test setup: '${text}' did not parse`);
  return parsed;
}

/** The wall clock in `zone` at `instant`, as YYYY-MM-DDTHH:MM. */
function wallClock(instant: Date, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(instant);
  const field = (type: string) => parts.find((part) => part.type === type)?.value;
  return `${field('year')}-${field('month')}-${field('day')}T${field('hour')}:${field('minute')}`;
}

describe('localToUtc', () => {
  it('turns 11:00 in Tokyo into 02:00 UTC (Tokyo is UTC+9, no daylight saving)', () => {
    expect(localToUtc(local('2026-12-08T11:00'), 'Asia/Tokyo').toISOString()).toBe('2026-12-08T02:00:00.000Z');
    expect(localToUtc(local('2026-07-01T08:30'), 'Asia/Tokyo').toISOString()).toBe('2026-06-30T23:30:00.000Z');
  });

  it('uses New York standard time before the March change and daylight time after it', () => {
    // Clocks go from 02:00 EST to 03:00 EDT on Sunday 2026-03-08.
    expect(localToUtc(local('2026-03-07T10:00'), 'America/New_York').toISOString()).toBe('2026-03-07T15:00:00.000Z');
    expect(localToUtc(local('2026-03-08T01:30'), 'America/New_York').toISOString()).toBe('2026-03-08T06:30:00.000Z');
    expect(localToUtc(local('2026-03-08T03:30'), 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(localToUtc(local('2026-03-09T10:00'), 'America/New_York').toISOString()).toBe('2026-03-09T14:00:00.000Z');
  });

  it('uses daylight time before the November change and standard time after it', () => {
    // Clocks go from 02:00 EDT back to 01:00 EST on Sunday 2026-11-01.
    expect(localToUtc(local('2026-10-31T10:00'), 'America/New_York').toISOString()).toBe('2026-10-31T14:00:00.000Z');
    expect(localToUtc(local('2026-11-02T10:00'), 'America/New_York').toISOString()).toBe('2026-11-02T15:00:00.000Z');
    // 01:30 happens twice that night; either instant shows 01:30 on the wall.
    expect(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z']).toContain(localToUtc(local('2026-11-01T01:30'), 'America/New_York').toISOString());
  });

  it('round-trips: the instant it returns shows the same wall clock in the zone', () => {
    const zones = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Australia/Sydney', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
    // Clock changes in 2026 (UTC); the hours around them are where a one-pass conversion goes wrong.
    const clockChanges: Array<[string, string]> = [
      ['America/New_York', '2026-03-08T07:00Z'],
      ['America/New_York', '2026-11-01T06:00Z'],
      ['Europe/London', '2026-03-29T01:00Z'],
      ['Europe/London', '2026-10-25T01:00Z'],
      ['Australia/Sydney', '2026-04-04T16:00Z'],
      ['Australia/Sydney', '2026-10-03T16:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00Z'],
      ['Australia/Lord_Howe', '2026-10-03T15:30Z'],
    ];
    const anyMinute = fc.record({
      zone: fc.constantFrom(...zones),
      minute: fc.integer({ min: Date.UTC(2024, 0, 1) / 60_000, max: Date.UTC(2030, 11, 31) / 60_000 }),
    });
    const nearClockChange = fc
      .tuple(fc.constantFrom(...clockChanges), fc.integer({ min: -240, max: 240 }))
      .map(([[zone, change], offset]) => ({ zone, minute: Date.parse(change) / 60_000 + offset }));
    fc.assert(
      fc.property(fc.oneof(anyMinute, nearClockChange), ({ zone, minute }) => {
        const shown = wallClock(new Date(minute * 60_000), zone);
        expect(wallClock(localToUtc(local(shown), zone), zone)).toBe(shown);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('zoneOffsetMinutes', () => {
  it('gives the offset at the instant asked about', () => {
    expect(zoneOffsetMinutes('Asia/Tokyo', new Date('2026-06-01T00:00:00Z'))).toBe(540);
    expect(zoneOffsetMinutes('America/New_York', new Date('2026-01-15T12:00:00Z'))).toBe(-300);
    expect(zoneOffsetMinutes('America/New_York', new Date('2026-07-15T12:00:00Z'))).toBe(-240);
    expect(zoneOffsetMinutes('Asia/Kolkata', new Date('2026-07-15T12:00:00Z'))).toBe(330);
  });
});

describe('parseLocalDateTime', () => {
  it('reads YYYY-MM-DDTHH:MM', () => {
    expect(parseLocalDateTime('2026-12-08T11:00')).toEqual({ year: 2026, month: 12, day: 8, hour: 11, minute: 0 });
  });

  it.each(['2026-02-30T10:00', '2026-13-01T10:00', '2026-12-08T24:00', '2026-12-08T10:60', '2026-12-08 11:00', '2026-12-08T11:00Z', '2026-12-08'])(
    'rejects %s',
    (text) => {
      expect(parseLocalDateTime(text)).toBeUndefined();
    },
  );
});
