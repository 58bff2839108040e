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

/** Standard cron counts Sunday as 0; EventBridge counts it as 1. Names pass through. */
function toEventBridgeWeekdays(field: string): string {
  return field.replace(/\d+/g, (digit) => String((Number(digit) % 7) + 1));
}
