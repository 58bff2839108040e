/**
 * Use case: a campaign's schedule fired. Creates the run identified by (campaign, scheduled
 * instant) with a conditional write; a second invocation of the same firing (a retried
 * schedule, two schedulers) finds it there and does nothing.
 */
import type { CampaignRunStore, Clock } from '../ports.ts';
import { runIdFor, type CampaignRun } from './campaign-run.ts';

export type StartRunOutcome = { outcome: 'started'; run: CampaignRun } | { outcome: 'duplicate'; runId: string };

export async function startCampaignRun(
  campaignId: string,
  scheduledFor: Date,
  deps: { runs: CampaignRunStore; clock: Clock },
): Promise<StartRunOutcome> {
  const run: CampaignRun = {
    campaignId,
    runId: runIdFor(scheduledFor),
    state: 'scheduled',
    scheduledFor: scheduledFor.toISOString(),
    createdAt: deps.clock.now().toISOString(),
    counts: {},
  };
  const created = await deps.runs.createRun(run);
  return created ? { outcome: 'started', run } : { outcome: 'duplicate', runId: run.runId };
}
