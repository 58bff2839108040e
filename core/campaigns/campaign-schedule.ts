/**
 * When a campaign fires: the instants its cron (in its time zone) or its one-off time gives.
 * Shared by the local scheduler, the virtual-clock demo and (as expressions) the CDK schedules.
 */
import { nextCronRun } from '../config/cron.ts';
import { localToUtc, parseLocalDateTime } from '../config/local-date-time.ts';
import type { Schedule } from '../config/schema/messages.ts';

/** The first fire time strictly after `after`, or undefined when there is none (a past one-off). */
export function nextFireTime(schedule: Schedule, after: Date): Date | undefined {
  if (schedule.cron !== undefined) return nextCronRun(schedule.cron, schedule.timezone, after);
  const local = schedule.at === undefined ? undefined : parseLocalDateTime(schedule.at);
  if (!local) return undefined;
  const at = localToUtc(local, schedule.timezone);
  return at.getTime() > after.getTime() ? at : undefined;
}

/** Every fire time in (from, to]. */
export function fireTimesBetween(schedule: Schedule, from: Date, to: Date): Date[] {
  const times: Date[] = [];
  for (let next = nextFireTime(schedule, from); next && next.getTime() <= to.getTime(); next = nextFireTime(schedule, next)) {
    times.push(next);
  }
  return times;
}
