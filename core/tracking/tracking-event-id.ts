/**
 * Deterministic ids for events the HTTP app records (opens, clicks, unsubscribes). The same
 * request repeated (a refresh, a double click, a retry) maps to the same id and time, and the
 * store writes an event id once, so repeats within the same minute are stored once.
 */
import { createHash } from 'node:crypto';
import type { EngagementEventType } from './engagement-event.ts';

export function trackingEventId(type: EngagementEventType, parts: ReadonlyArray<string | number | boolean>): string {
  return `${type}-${createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22)}`;
}

/** The start of the UTC minute `at` falls in: the time an event deduplicated per minute is filed under. */
export function startOfMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000);
}
