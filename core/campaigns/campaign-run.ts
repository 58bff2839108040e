/**
 * A campaign run: one firing of a campaign's schedule. Its id is derived from the campaign and
 * the scheduled instant, so a second invocation of the same firing finds the run already there.
 */
import { z } from 'zod';

export const CAMPAIGN_RUN_STATES = ['scheduled', 'running', 'paused', 'finished', 'cancelled'] as const;

export const campaignRunSchema = z.strictObject({
  campaignId: z.string().min(1),
  /** The scheduled fire time in UTC, ISO-8601: the run's identity. */
  runId: z.string().min(1),
  state: z.enum(CAMPAIGN_RUN_STATES),
  scheduledFor: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  counts: z.record(z.string(), z.number().int().min(0)).default({}),
});

export type CampaignRun = z.infer<typeof campaignRunSchema>;

export function runIdFor(scheduledFor: Date): string {
  return scheduledFor.toISOString();
}
