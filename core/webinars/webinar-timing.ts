/**
 * When a webinar's reminders and follow-ups go out to one registrant, in the registrant's own time
 * zone: a reminder lands before the session starts and outside quiet hours and holidays; a
 * follow-up goes soon after the session ends, or on the next business morning when that would be
 * too late in the day. Pure: no clock (the caller passes `now`), zone math from
 * config/local-date-time.ts and the quiet-hour and holiday rules from sending/send-window.ts.
 */
import { localToUtc, wallClock, type LocalDateTime } from '../config/local-date-time.ts';
import { parseTimeOfDay } from '../config/local-time.ts';
import { earliestSendTime, holidayOn, inQuietHoursOrHoliday, type SendWindowRules } from '../sending/send-window.ts';

/** A time-of-day the follow-up policy gave is not HH:MM, or no business day can be found. */
export class WebinarTimingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebinarTimingError';
  }
}

const MINUTE_MS = 60_000;

/** A reminder that arrives closer to the start than this cannot get anyone there in time, so it is not sent. */
export const REMINDER_MIN_LEAD_MS = 5 * MINUTE_MS;

/** Quiet hours never cover a whole day, so an allowed minute is always within a holiday run plus a night. */
const MAX_LOOKBACK_DAYS = 21;

/** Longer than any run of weekends, public holidays and a year-end closure. */
const MAX_BUSINESS_DAY_SEARCH = 366;

export function sessionEndsAt(startsAt: Date, durationMinutes: number): Date {
  return new Date(startsAt.getTime() + durationMinutes * MINUTE_MS);
}

export interface ReminderTimingInput {
  startsAt: Date;
  /** How long before the start the policy wants the reminder (`reminders[].before`), in ms. */
  beforeMs: number;
  now: Date;
  /** The registrant's IANA zone. */
  timeZone: string;
  rules: SendWindowRules;
}

/**
 * When to send one reminder to one registrant, or undefined when it should not be sent.
 *
 * Due at `startsAt - beforeMs`, or `now` for someone who registered after that. A reminder is a
 * message the registrant asked for by registering, so only quiet hours and holidays they observe
 * hold it back; the marketing send window (business days and hours) does not apply: a Saturday
 * session gets its Saturday-morning reminder. When the due instant is held back the reminder moves
 * earlier, to the last whole minute before the quiet hours or holiday began (a 24-hour reminder due
 * at 02:00 goes at 19:59 the evening before), but never before `now`; failing that, later, to the
 * end of the quiet hours or holiday. Either way it lands no later than five minutes before the
 * start (a reminder set closer than that is due five minutes before), and undefined means there
 * is no allowed instant between `now` and then.
 */
export function reminderSendTime(input: ReminderTimingInput): Date | undefined {
  const { startsAt, beforeMs, now, timeZone, rules } = input;
  const latest = startsAt.getTime() - REMINDER_MIN_LEAD_MS;
  if (now.getTime() > latest) return undefined;
  const due = new Date(Math.min(Math.max(startsAt.getTime() - beforeMs, now.getTime()), latest));
  if (mayRemindAt(due, timeZone, rules)) return due;
  const earlier = latestAllowedBetween(now, due, timeZone, rules);
  if (earlier) return earlier;
  const later = earliestSendTime(due, timeZone, withoutSendWindow(rules));
  return later && later.getTime() <= latest ? later : undefined;
}

export interface FollowUpTimingInput {
  /** When the session really ended (the platform's end event), or its scheduled end. */
  endedAt: Date;
  /** `followUps.delay`, in ms. */
  delayMs: number;
  /** HH:MM; a follow-up landing later than this (inclusive, to the minute) waits for the next business day. */
  latestLocalTime: string;
  /** HH:MM on the next business day. Keep it outside quiet hours: it is used as given. */
  nextBusinessDayAt: string;
  /** The registrant's IANA zone. */
  timeZone: string;
  rules: SendWindowRules;
}

/**
 * When to send the post-webinar follow-up to one registrant.
 *
 * `endedAt + delayMs` when that is, in the registrant's zone, a business day (Monday to Friday and
 * not a holiday they observe under `rules.holidays`), no later than `latestLocalTime` and not in
 * quiet hours. Otherwise `nextBusinessDayAt` on the first business day whose `nextBusinessDayAt` is
 * after that instant: the same day when it is a business-day small hour (03:00 Tuesday goes at
 * 09:30 Tuesday), else the next business day (Friday 19:00 goes Monday, skipping a public holiday).
 * Follow-ups are marketing, so unlike reminders they wait for a business day.
 */
export function followUpSendTime(input: FollowUpTimingInput): Date {
  const { endedAt, delayMs, timeZone, rules } = input;
  const latest = timeOfDay(input.latestLocalTime, 'latestLocalTime');
  const morning = timeOfDay(input.nextBusinessDayAt, 'nextBusinessDayAt');
  const candidate = new Date(endedAt.getTime() + delayMs);
  const local = wallClock(candidate, timeZone);
  if (isBusinessDay(local, timeZone, rules) && local.minuteOfDay <= latest && !inQuietHoursOrHoliday(local, timeZone, rules)) return candidate;
  for (let ahead = 0; ahead <= MAX_BUSINESS_DAY_SEARCH; ahead++) {
    const day = dayAfter(local, ahead);
    if (!isBusinessDay(day, timeZone, rules)) continue;
    const at = localToUtc({ ...day, hour: Math.floor(morning / 60), minute: morning % 60 }, timeZone);
    if (at.getTime() > candidate.getTime()) return at;
  }
  throw new WebinarTimingError(
    `followUps: no business day within ${MAX_BUSINESS_DAY_SEARCH} days after ${local.date} for contacts in ${timeZone}; check the holidays' extraDates`,
  );
}

function mayRemindAt(instant: Date, zone: string, rules: SendWindowRules): boolean {
  return !inQuietHoursOrHoliday(wallClock(instant, zone), zone, rules);
}

function withoutSendWindow(rules: SendWindowRules): SendWindowRules {
  const { window: _window, ...quietHoursAndHolidays } = rules;
  return quietHoursAndHolidays;
}

/**
 * The latest allowed whole minute in [from, to], `to` itself being held back. A held-back stretch
 * begins where quiet hours start or at the midnight a holiday starts, so the answer is the minute
 * before one of those (or `from`, when the stretch began before it). Days are walked back from
 * `to`; each day's candidates are later than every earlier day's, so the first day with one wins.
 */
function latestAllowedBetween(from: Date, to: Date, zone: string, rules: SendWindowRules): Date | undefined {
  const last = wallClock(to, zone);
  for (let back = 0; back <= MAX_LOOKBACK_DAYS; back++) {
    const day = dayAfter(last, -back);
    const midnight = localToUtc({ ...day, hour: 0, minute: 0 }, zone);
    const quietStart = localToUtc({ ...day, hour: Math.floor(rules.quietStart / 60), minute: rules.quietStart % 60 }, zone);
    const found = [midnight, quietStart]
      .map((boundary) => new Date(boundary.getTime() - MINUTE_MS))
      .filter((at) => at.getTime() >= from.getTime() && at.getTime() <= to.getTime() && mayRemindAt(at, zone, rules))
      .sort((a, b) => b.getTime() - a.getTime())[0];
    if (found) return found;
    if (midnight.getTime() <= from.getTime()) break;
  }
  return mayRemindAt(from, zone, rules) ? from : undefined;
}

type CalendarDay = Pick<LocalDateTime, 'year' | 'month' | 'day'>;

/** The calendar day `days` after `local`'s (negative: before); noon UTC keeps the arithmetic off any edge. */
function dayAfter(local: CalendarDay, days: number): CalendarDay {
  const noon = new Date(Date.UTC(local.year, local.month - 1, local.day + days, 12));
  return { year: noon.getUTCFullYear(), month: noon.getUTCMonth() + 1, day: noon.getUTCDate() };
}

function isBusinessDay(day: CalendarDay, zone: string, rules: SendWindowRules): boolean {
  const noon = new Date(Date.UTC(day.year, day.month - 1, day.day, 12));
  const weekday = noon.getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return holidayOn(noon.toISOString().slice(0, 10), zone, rules) === undefined;
}

function timeOfDay(text: string, field: 'latestLocalTime' | 'nextBusinessDayAt'): number {
  const minutes = parseTimeOfDay(text);
  if (minutes === undefined) throw new WebinarTimingError(`followUps.${field}: expected a 24-hour time like 18:00, got '${text}'`);
  return minutes;
}
