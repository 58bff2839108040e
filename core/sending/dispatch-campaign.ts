/**
 * Use case: dispatch a campaign run. The run moves scheduled -> dispatching -> dispatched and
 * fans out over shards: `beginRunDispatch` estimates the contacts, picks as many dispatch workers
 * as they need (core/sending/run-fan-out.ts), creates the run with that width fixed, and names one
 * task per shard; each task is a dispatch worker (dispatch-run-shard.ts) that streams its share of
 * the contact listing page by page, applies the guardrails, queues who may be emailed now, parks
 * who must wait and records why each skipped contact was skipped, checkpointing after each page.
 * In AWS the tasks go onto the dispatch-shard queue (one Lambda invocation each);
 * `dispatchCampaignRun` runs them all in this process (local runtime, tests). A second invocation
 * of a dispatched run does nothing; a resumed one continues each shard from its checkpoint with the
 * width the run began with, and the sender's claim makes a redone page's copies no-ops.
 */
import { runIdFor } from '../campaigns/campaign-run.ts';
import type { DispatchShardTask } from '../campaigns/dispatch-shard.ts';
import type { Campaign } from '../config/schema/messages.ts';
import type { CampaignRunStore, Clock, ContactListing } from '../ports.ts';
import { dispatchRunShard, type DispatchShardDeps, type DispatchShardOptions } from './dispatch-run-shard.ts';
import { DEFAULT_FAN_OUT, dispatchWorkersFor, runWidthOf, type FanOutPolicy } from './run-fan-out.ts';

export { decideForMembers, guardrailContext, partition, type GuardrailContext } from './guardrail-decisions.ts';

export interface DispatchDeps extends DispatchShardDeps {
  /** How wide a run fans out; DEFAULT_FAN_OUT when absent. */
  fanOut?: FanOutPolicy;
}

export type DispatchOutcome =
  | { outcome: 'dispatched'; runId: string; counts: Record<string, number> }
  | { outcome: 'already-dispatched'; runId: string }
  | { outcome: 'not-active'; runId: string; status: string };

export type BeginDispatchOutcome =
  | { outcome: 'fan-out'; runId: string; tasks: DispatchShardTask[]; estimatedContacts?: number }
  | Exclude<DispatchOutcome, { outcome: 'dispatched' }>;

/**
 * Creates the run (once, its width chosen from the estimated contact count) and moves it to
 * dispatching; returns the shard tasks still to do. Called again for a run that is dispatching (a
 * retried schedule, a resume), it returns every task again with the width the run began with: done
 * shards finish at once and the others continue from their checkpoints.
 */
export async function beginRunDispatch(
  campaign: Campaign,
  scheduledFor: Date,
  deps: { runs: CampaignRunStore; contactListing: Pick<ContactListing, 'partitions' | 'estimateContacts'>; clock: Clock; fanOut?: FanOutPolicy },
): Promise<BeginDispatchOutcome> {
  const runId = runIdFor(scheduledFor);
  if (campaign.status !== 'active') return { outcome: 'not-active', runId, status: campaign.status };
  let run = await deps.runs.getRun(campaign.id, runId);
  if (!run) {
    const estimatedContacts = await deps.contactListing.estimateContacts();
    const listPartitions = deps.contactListing.partitions;
    const shards = dispatchWorkersFor(estimatedContacts, deps.fanOut ?? DEFAULT_FAN_OUT, listPartitions);
    const now = deps.clock.now().toISOString();
    // Two invocations may both get here: one creates the run, and both read back the winner's width.
    await deps.runs.createRun({ campaignId: campaign.id, runId, state: 'scheduled', scheduledFor: scheduledFor.toISOString(), createdAt: now, counts: {}, shards, listPartitions, estimatedContacts });
    run = await deps.runs.getRun(campaign.id, runId);
    if (!run) throw new Error(`campaign ${campaign.id} run ${runId}: created but not found on reading it back`);
  }
  if (run.state !== 'scheduled' && run.state !== 'dispatching') return { outcome: 'already-dispatched', runId };
  if (run.state === 'scheduled') await deps.runs.setRunState(campaign.id, runId, 'dispatching');
  const width = runWidthOf(run, deps.contactListing.partitions);
  const tasks = Array.from({ length: width.shards }, (_, shard) => ({ campaignId: campaign.id, scheduledFor: scheduledFor.toISOString(), shard, ...width }));
  return { outcome: 'fan-out', runId, tasks, ...(run.estimatedContacts === undefined ? {} : { estimatedContacts: run.estimatedContacts }) };
}

/**
 * The whole run in this process: every shard worker at once, each to its end. A worker that fails
 * leaves its checkpoint; the others still finish, then the first failure is thrown, and invoking
 * the run again continues the failed shard from its checkpoint.
 */
export async function dispatchCampaignRun(campaign: Campaign, scheduledFor: Date, deps: DispatchDeps, options: Pick<DispatchShardOptions, 'pageSize'> = {}): Promise<DispatchOutcome> {
  const begun = await beginRunDispatch(campaign, scheduledFor, deps);
  if (begun.outcome !== 'fan-out') return begun;
  const settled = await Promise.allSettled(begun.tasks.map((task) => dispatchRunShard(campaign, task, deps, options)));
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  const run = await deps.runs.getRun(campaign.id, begun.runId);
  if (run?.state !== 'dispatched') throw new Error(`campaign ${campaign.id} run ${begun.runId}: every shard worker returned but the run is ${run?.state ?? 'missing'}, not dispatched`);
  return { outcome: 'dispatched', runId: begun.runId, counts: run.counts };
}
