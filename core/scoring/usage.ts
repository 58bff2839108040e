/**
 * Product usage as the engine stores it: a usage record (an account's metric figures at one
 * instant, from the ingest API or a ProductUsageReported event) and the account's latest value
 * per metric, which the DEAR health score reads. Parsing and checking what comes in is
 * usage-event.ts; the figures' meaning (which metrics exist) is config (scoring.yaml health.metrics).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** One report of an account's usage figures at one instant, as stored. */
export const usageRecordSchema = z.strictObject({
  accountId: z.string().min(1),
  /** ISO-8601 UTC (normalised from the offset it came with), so stored instants sort as text. */
  at: z.iso.datetime(),
  /** Metric name (declared in health.metrics) to its value, 0 or more. */
  metrics: z.record(z.string(), z.number()),
  /** The person the figures are about (e.g. their own logins), when the source says. */
  contactId: z.string().min(1).optional(),
  /** The source's id for the record, when it gives one. */
  eventId: z.string().min(1).optional(),
  /**
   * The idempotency key within the account and instant: `e:<eventId>` when the source gave an id,
   * else `h:<hash of contact and figures>`, so the same record sent twice is stored once.
   */
  recordId: z.string().min(1),
});

export type UsageRecord = z.infer<typeof usageRecordSchema>;

/** The latest value of one metric, when it was true, and the record it came from. */
export const latestMetricSchema = z.strictObject({ value: z.number(), at: z.iso.datetime(), recordId: z.string().min(1) });

export type LatestMetric = z.infer<typeof latestMetricSchema>;

/** An account's latest value per metric: each metric moves only forward in time, on its own. */
export interface LatestUsage {
  accountId: string;
  metrics: Record<string, LatestMetric>;
}

/** What recordUsage did: records new to the store, and those it already had (or that repeated within the call). */
export interface UsageWriteOutcome {
  stored: number;
  duplicates: number;
}

/** The record id of a record: its source's event id, or a hash of what it says (contact and figures). */
export function usageRecordIdOf(record: { metrics: Readonly<Record<string, number>>; contactId?: string | undefined; eventId?: string | undefined }): string {
  if (record.eventId !== undefined) return `e:${record.eventId}`;
  const figures = Object.entries(record.metrics).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `h:${createHash('sha256').update(JSON.stringify([record.contactId ?? null, figures])).digest('hex').slice(0, 24)}`;
}

/** The newest value per metric among these records (a later `at` wins; at the same instant, the first seen). */
export function newestPerMetric(records: readonly UsageRecord[]): Map<string, LatestMetric> {
  const newest = new Map<string, LatestMetric>();
  for (const record of records) {
    for (const [metric, value] of Object.entries(record.metrics)) {
      const current = newest.get(metric);
      if (!current || record.at > current.at) newest.set(metric, { value, at: record.at, recordId: record.recordId });
    }
  }
  return newest;
}

/** Each metric's value, for the health score. */
export function latestFigures(latest: LatestUsage | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(latest?.metrics ?? {}).map(([metric, entry]) => [metric, entry.value]));
}
