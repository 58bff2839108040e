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
  /** Contact-list shards the run fans out over, fixed when the run starts (core/sending/dispatch-run-shard.ts). */
  shards: z.number().int().min(1).optional(),
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
