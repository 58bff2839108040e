/**
 * A campaign run fanned out over the contact listing's shards: the task one dispatch-shard
 * worker gets (the message on the dispatch-shard queue) and the checkpoint it keeps per page.
 */
import { z } from 'zod';

/** The dispatch-shard queue's message: which run, which shard. */
export const dispatchShardTaskSchema = z.strictObject({
  campaignId: z.string().min(1),
  /** The scheduled instant, ISO-8601 (the run id derives from it). */
  scheduledFor: z.iso.datetime({ offset: true }),
  shard: z.number().int().min(0),
});

export type DispatchShardTask = z.infer<typeof dispatchShardTaskSchema>;

export const dispatchShardProgressSchema = z.strictObject({
  campaignId: z.string().min(1),
  runId: z.string().min(1),
  shard: z.number().int().min(0),
  /** Pages done so far; the checkpoint of page n is written only over that of page n - 1. */
  pages: z.number().int().min(1),
  /** Where the next page starts; absent once the shard is done. */
  cursor: z.string().min(1).optional(),
  done: z.boolean(),
  /** Cumulative counts of the pages done: audience, queued, deferred, paused, skipped:<reason>. */
  counts: z.record(z.string(), z.number().int().min(0)),
  updatedAt: z.iso.datetime(),
});

export type DispatchShardProgress = z.infer<typeof dispatchShardProgressSchema>;

/** Adds counts key by key (a page's to the shard's, the shards' to the run's). */
export function addCounts(into: Record<string, number>, more: Readonly<Record<string, number>>): Record<string, number> {
  const sum = { ...into };
  for (const [key, count] of Object.entries(more)) sum[key] = (sum[key] ?? 0) + count;
  return sum;
}
