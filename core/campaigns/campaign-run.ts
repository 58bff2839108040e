/**
 * A campaign run: one firing of a campaign's schedule. Its id is derived from the campaign and
 * the scheduled instant, so a second invocation of the same firing finds the run already there.
 */
import { z } from 'zod';

export const CAMPAIGN_RUN_STATES = ['scheduled', 'dispatching', 'dispatched', 'paused', 'finished', 'cancelled'] as const;

export const campaignRunSchema = z.strictObject({
  campaignId: z.string().min(1),
  /** The scheduled fire time in UTC, ISO-8601: the run's identity. */
  runId: z.string().min(1),
  state: z.enum(CAMPAIGN_RUN_STATES),
  scheduledFor: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  counts: z.record(z.string(), z.number().int().min(0)).default({}),
  /** Dispatch workers (run shards) the run fans out over, fixed when the run starts (core/sending/run-fan-out.ts). */
  shards: z.number().int().min(1).optional(),
  /**
   * Contact-list partitions the workers share out, fixed with `shards`. Absent on runs begun when
   * the listing had one partition per shard: then it equals `shards` (shard s reads partition s).
   */
  listPartitions: z.number().int().min(1).optional(),
  /** The contact count estimated at the start, which chose `shards`. */
  estimatedContacts: z.number().int().min(0).optional(),
  dispatchedAt: z.iso.datetime().optional(),
});

export type CampaignRun = z.infer<typeof campaignRunSchema>;

/**
 * The run id: the scheduled instant in ISO-8601 basic format (20261202T010000Z). Basic format
 * because the id travels as an SES email tag, whose values allow only letters, digits, _ and -.
 */
export function runIdFor(scheduledFor: Date): string {
  return scheduledFor.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}
