/**
 * Wall-clock date-times in a named zone ("2026-12-01T10:00" in Asia/Tokyo) and their
 * conversion to UTC instants. Uses Intl only, so it works the same in Lambda and locally.
 */

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

export function parseLocalDateTime(text: string): LocalDateTime | undefined {
  const match = LOCAL_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute));
  if (
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59
  ) {
    return undefined;
  }
  return { year, month, day, hour, minute };
}

/** Offset of `zone` from UTC at `instant`, in minutes (Asia/Tokyo: +540). */
export function zoneOffsetMinutes(zone: string, instant: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const field = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The UTC instant at which the wall clock in `zone` shows `local`. At a clock change the
 * earlier of two matching instants is used (fall back), and a time that does not exist
 * (spring forward) moves forward by the gap, as calendar apps do: 02:30 becomes 03:30.
 */
export function localToUtc(local: LocalDateTime, zone: string): Date {
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const day = 86_400_000;
  const offsetBefore = zoneOffsetMinutes(zone, new Date(naive - day));
  const offsetAfter = zoneOffsetMinutes(zone, new Date(naive + day));
  const candidates = [naive - offsetBefore * 60_000, naive - offsetAfter * 60_000].sort((a, b) => a - b);
  const matching = candidates.find((instant) => instant + zoneOffsetMinutes(zone, new Date(instant)) * 60_000 === naive);
  return new Date(matching ?? naive - offsetBefore * 60_000);
}

export interface WallClock extends LocalDateTime {
  /** 0 = Sunday ... 6 = Saturday */
  weekday: number;
  /** YYYY-MM-DD */
  date: string;
  /** minutes after local midnight */
  minuteOfDay: number;
}

const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

/** What a clock on the wall in `zone` shows at `instant`. */
export function wallClock(instant: Date, zone: string): WallClock {
  let format = wallClockFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    wallClockFormats.set(zone, format);
  }
  const parts = format.formatToParts(instant);
  const field = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  const year = Number(field('year'));
  const month = Number(field('month'));
  const day = Number(field('day'));
  const hour = Number(field('hour'));
  const minute = Number(field('minute'));
  return {
    year,
    month,
    day,
    hour,
    minute,
    weekday: WEEKDAY_INDEX[field('weekday')] ?? 0,
    date: `${field('year')}-${field('month')}-${field('day')}`,
    minuteOfDay: hour * 60 + minute,
  };
}
