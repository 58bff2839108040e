/**
 * Campaign cron expressions: standard 5-field cron ("min hour day-of-month month day-of-week")
 * evaluated in an IANA zone. The same text drives the local scheduler (croner) and becomes an
 * EventBridge Scheduler `cron(...)` expression in AWS, so only what both can express is valid.
 */
import { Cron } from 'croner';

export type CronCheck = { ok: true } | { ok: false; reason: string };

export function checkCron(expression: string, timeZone: string): CronCheck {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return { ok: false, reason: `invalid cron '${expression}': expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}` };
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  const weekdayProblem = dayOfWeekProblem(dayOfWeek ?? '*');
  if (weekdayProblem) return { ok: false, reason: `invalid cron '${expression}': ${weekdayProblem}` };
  if (dayOfMonth !== '*' && dayOfWeek !== '*') {
    return { ok: false, reason: `invalid cron '${expression}': restrict day-of-month or day-of-week, not both (EventBridge Scheduler cannot express both)` };
  }
  try {
    new Cron(expression, { paused: true, timezone: timeZone });
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `invalid cron '${expression}': ${(error as Error).message}` };
  }
}

/** The next fire time strictly after `after`, in UTC. */
export function nextCronRun(expression: string, timeZone: string, after: Date): Date | undefined {
  const next = new Cron(expression, { paused: true, timezone: timeZone }).nextRun(after);
  return next ?? undefined;
}

/**
 * EventBridge Scheduler form of a validated 5-field cron: it has a sixth (year) field and
 * needs '?' in whichever of day-of-month / day-of-week is unrestricted.
 */
export function toEventBridgeCron(expression: string): string {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = expression.trim().split(/\s+/);
  const dom = dayOfWeek !== '*' ? '?' : dayOfMonth;
  const dow = dayOfWeek !== '*' ? toEventBridgeWeekdays(dayOfWeek ?? '*') : '?';
  return `cron(${minute} ${hour} ${dom} ${month} ${dow} *)`;
}

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const DAY_ITEM = /^(?:(\w+)-(\w+)|(\w+)#([1-5])|(\w+)L|(\w+))$/;

/** Day index 0-6 (Sunday 0; standard cron also allows 7 for Sunday), or undefined. */
function dayIndex(token: string): number | undefined {
  const named = DAY_NAMES.indexOf(token.toUpperCase());
  if (named >= 0) return named;
  return /^[0-7]$/.test(token) ? Number(token) % 7 : undefined;
}

/** Why EventBridge cannot express this day-of-week field, or undefined when it can. */
function dayOfWeekProblem(field: string): string | undefined {
  if (field === '*') return undefined;
  for (const item of field.split(',')) {
    const match = DAY_ITEM.exec(item);
    const tokens = match ? match.slice(1).filter((token, index) => token !== undefined && index !== 3) : [];
    if (!match || tokens.some((token) => dayIndex(token) === undefined)) {
      return `day-of-week '${item}' is not a day (0-7 or SUN-SAT), a range, DAY#n or DAYL (EventBridge Scheduler supports no steps there)`;
    }
  }
  return undefined;
}

/**
 * Standard cron counts Sunday as 0 (or 7); EventBridge counts SUN as 1 to SAT as 7 and has no
 * wrapping ranges, so a range that crosses Sunday (FRI-SUN, 5-7) becomes an explicit list.
 */
function toEventBridgeWeekdays(field: string): string {
  return field
    .split(',')
    .map((item) => {
      const [, from, to, nth, count, last, single] = DAY_ITEM.exec(item) ?? [];
      const eb = (token: string) => ((dayIndex(token) ?? 0) + 1).toString();
      const keep = (token: string) => (DAY_NAMES.includes(token.toUpperCase()) ? token.toUpperCase() : eb(token));
      if (nth !== undefined) return `${eb(nth)}#${count}`;
      if (last !== undefined) return `${eb(last)}L`;
      if (single !== undefined) return keep(single);
      const start = dayIndex(from ?? '') ?? 0;
      const end = dayIndex(to ?? '') ?? 0;
      if (start <= end) return `${keep(from ?? '')}-${keep(to ?? '')}`;
      const days: string[] = [];
      for (let day = start; day !== (end + 1) % 7; day = (day + 1) % 7) days.push(String(day + 1));
      return days.join(',');
    })
    .join(',');
}
