/**
 * When an email may go out to a contact: outside quiet hours, inside the send window (business
 * days and hours) and not on a holiday the contact observes, all in the contact's time zone.
 * A contact outside the window is deferred to the next opening, never dropped.
 */
import holidayJp from '@holiday-jp/holiday_jp';
import { parseTimeOfDay } from '../config/local-time.ts';
import { localToUtc, wallClock, type WallClock } from '../config/local-date-time.ts';
import type { Guardrails } from '../config/schema/settings.ts';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Guardrails' timing rules, parsed once per run. */
export interface SendWindowRules {
  quietStart: number;
  quietEnd: number;
  window?: { days: Set<number>; start: number; end: number };
  holidays: Array<{ calendar: 'JP'; timeZones: Set<string>; extraDates: Set<string> }>;
}

export function sendWindowRules(guardrails: Guardrails): SendWindowRules {
  const minutes = (text: string) => parseTimeOfDay(text) ?? 0;
  return {
    quietStart: minutes(guardrails.quietHours.start),
    quietEnd: minutes(guardrails.quietHours.end),
    ...(guardrails.sendWindow
      ? {
          window: {
            days: new Set(guardrails.sendWindow.days.map((day) => WEEKDAYS.indexOf(day))),
            start: minutes(guardrails.sendWindow.start),
            end: minutes(guardrails.sendWindow.end),
          },
        }
      : {}),
    holidays: guardrails.holidays.map((holiday) => ({
      calendar: holiday.calendar,
      timeZones: new Set(holiday.timeZones),
      extraDates: new Set(holiday.extraDates),
    })),
  };
}

/** The holiday name when `date` (YYYY-MM-DD) is a holiday for a contact in `zone`. */
export function holidayOn(date: string, zone: string, rules: SendWindowRules): string | undefined {
  for (const holiday of rules.holidays) {
    if (!holiday.timeZones.has(zone)) continue;
    if (holiday.extraDates.has(date)) return 'company holiday';
    const publicHoliday = (holidayJp.holidays as Record<string, { name_en: string } | undefined>)[date];
    if (publicHoliday) return publicHoliday.name_en;
  }
  return undefined;
}

function inRange(minute: number, start: number, end: number): boolean {
  // A range may wrap midnight (quiet hours 20:00-08:00).
  return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
}

/**
 * Quiet hours or a holiday the contact observes. This alone bounds a message the contact asked
 * for (a webinar reminder); the marketing send window (business days and hours) does not.
 */
export function inQuietHoursOrHoliday(local: WallClock, zone: string, rules: SendWindowRules): boolean {
  return inRange(local.minuteOfDay, rules.quietStart, rules.quietEnd) || holidayOn(local.date, zone, rules) !== undefined;
}

export function mayAlreadySend(local: WallClock, zone: string, rules: SendWindowRules): boolean {
  if (inQuietHoursOrHoliday(local, zone, rules)) return false;
  if (rules.window) {
    if (!rules.window.days.has(local.weekday)) return false;
    if (!inRange(local.minuteOfDay, rules.window.start, rules.window.end)) return false;
  }
  return true;
}

const MAX_LOOKAHEAD_DAYS = 21;

/**
 * `now` when the contact may be emailed now; otherwise the earliest later instant when they may
 * (the end of quiet hours or the start of the send window on an allowed day); undefined when the
 * rules never open within three weeks (a send window inside quiet hours).
 */
export function earliestSendTime(now: Date, zone: string, rules: SendWindowRules): Date | undefined {
  if (mayAlreadySend(wallClock(now, zone), zone, rules)) return now;
  const today = wallClock(now, zone);
  const openings = [rules.quietEnd, ...(rules.window ? [rules.window.start] : [])];
  let best: Date | undefined;
  for (let offset = 0; offset <= MAX_LOOKAHEAD_DAYS && !best; offset++) {
    const noon = new Date(Date.UTC(today.year, today.month - 1, today.day + offset, 12));
    for (const opening of openings) {
      const candidate = localToUtc(
        { year: noon.getUTCFullYear(), month: noon.getUTCMonth() + 1, day: noon.getUTCDate(), hour: Math.floor(opening / 60), minute: opening % 60 },
        zone,
      );
      if (candidate.getTime() <= now.getTime()) continue;
      if (!mayAlreadySend(wallClock(candidate, zone), zone, rules)) continue;
      if (!best || candidate.getTime() < best.getTime()) best = candidate;
    }
  }
  return best;
}
