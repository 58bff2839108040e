/**
 * A campaign run fanned out over shards, a shard being the contact-list partitions one dispatch
 * worker reads (core/sending/run-fan-out.ts): the task one worker gets (the message on the
 * dispatch-shard queue) and the checkpoint it keeps per page.
 */
import { z } from 'zod';

/** The dispatch-shard queue's message: which run, which shard (the worker's number, 0 to the run's `shards` - 1). */
export const dispatchShardTaskSchema = z.strictObject({
  campaignId: z.string().min(1),
  /** The scheduled instant, ISO-8601 (the run id derives from it). */
  scheduledFor: z.iso.datetime({ offset: true }),
  shard: z.number().int().min(0),
  /**
   * The run's shard and list-partition counts (as on the run), so the worker needs no read of the
   * run to know its partitions; absent on tasks queued before runs chose their width.
   */
  shards: z.number().int().min(1).optional(),
  listPartitions: z.number().int().min(1).optional(),
});

export type DispatchShardTask = z.infer<typeof dispatchShardTaskSchema>;

export const dispatchShardProgressSchema = z.strictObject({
  campaignId: z.string().min(1),
  runId: z.string().min(1),
  shard: z.number().int().min(0),
  /** Pages done so far; the checkpoint of page n is written only over that of page n - 1. */
  pages: z.number().int().min(1),
  /**
   * The list partition the next page starts in; absent on checkpoints written when a shard was one
   * partition (then the shard's own number).
   */
  partition: z.number().int().min(0).optional(),
  /** Where in `partition` the next page starts; absent: at its start (or, once done, nowhere). */
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
