/**
 * Use case: one campaign run's dispatch over one shard (a dispatch worker): the contact-list
 * partitions the run's width gives it (core/sending/run-fan-out.ts). Streams them page by page
 * from its checkpoint, applies the guardrails to each page, queues, parks and records skips, then
 * saves the page's checkpoint (where the next page starts and the shard's cumulative counts) in one
 * conditional write. So a worker holds one page at a time, a resumed worker redoes at most the page
 * it was killed in (its sends are claim-once in the sender, its parks and skips idempotent puts),
 * and counts stay exact however often a page is retried: they move only with the checkpoint. A
 * duplicate worker on the same shard (an at-least-once queue) loses the conditional write and
 * stops. The worker that finds every shard done flips the run to dispatched with the shards'
 * counts summed.
 */
import { addCounts, type DispatchShardProgress, type DispatchShardTask } from '../campaigns/dispatch-shard.ts';
import { runIdFor } from '../campaigns/campaign-run.ts';
import type { AudienceDeps } from '../audience/resolve-audience.ts';
import { audienceMembersOf } from '../audience/resolve-audience.ts';
import type { EngineConfig } from '../config/engine-config.ts';
import type { Campaign } from '../config/schema/messages.ts';
import type { Account } from '../customers/account.ts';
import type { Contact } from '../customers/contact.ts';
import type { CampaignRunStore, Clock, ContactListing, CustomerStore, DispatchProgressStore, SendingPauseStore, SendQueue, SendStore, SuppressionStore } from '../ports.ts';
import { decideForMembers, guardrailContext, partition, type GuardrailContext } from './guardrail-decisions.ts';
import type { MessageSource } from './send-request.ts';
import { runWidthOf, type RunWidth } from './run-fan-out.ts';
import { pauseOf } from './sending-pause.ts';
import { readShardPage } from './shard-page-reader.ts';

/** Contacts per page: one checkpoint each, and at most this many redone after a kill. */
export const DISPATCH_PAGE_SIZE = 500;

/**
 * A worker stops and leaves the rest to its continuation when less than this is left of its
 * invocation: a page takes about a second, so this is many pages of margin.
 */
export const DISPATCH_TIME_RESERVE_MS = 60_000;

/** Accounts kept per worker between pages (contacts of one account are spread over pages). */
const ACCOUNT_CACHE_LIMIT = 50_000;

export interface DispatchShardDeps extends Omit<AudienceDeps, 'scoring'> {
  config: EngineConfig;
  runs: CampaignRunStore;
  sends: SendStore;
  suppressions: SuppressionStore;
  pauses: Pick<SendingPauseStore, 'listPauses'>;
  queue: SendQueue;
  contactListing: ContactListing;
  dispatchProgress: DispatchProgressStore;
  clock: Clock;
}

export interface DispatchShardOptions {
  /** Milliseconds left in this invocation (Lambda's context); absent, no limit. */
  timeLeftMs?: () => number;
  pageSize?: number;
}

export type DispatchShardOutcome =
  /** This shard is done; `runDispatched` when the run is dispatched; `counts` (the shard's) when it finished in this call. */
  | { outcome: 'shard-done'; runDispatched: boolean; pages: number; counts?: Record<string, number> }
  /** The invocation's time is nearly up: the caller queues the same task again, which resumes from the checkpoint. */
  | { outcome: 'time-budget-spent'; pages: number }
  /** Another worker saved this shard's page first: it carries on, this one stops. */
  | { outcome: 'superseded'; pages: number };

export async function dispatchRunShard(campaign: Campaign, task: DispatchShardTask, deps: DispatchShardDeps, options: DispatchShardOptions = {}): Promise<DispatchShardOutcome> {
  const runId = runIdFor(new Date(task.scheduledFor));
  const stored = await deps.dispatchProgress.shardProgress(campaign.id, runId, task.shard);
  if (stored?.done) return { outcome: 'shard-done', runDispatched: await finishRunWhenShardsDone(campaign.id, runId, deps), pages: stored.pages };
  const width = await widthOfTask(campaign.id, runId, task, deps);
  if (task.shard >= width.shards) throw new Error(`campaign ${campaign.id} run ${runId}: shard task ${task.shard} is outside the run's ${width.shards} shards`);
  const guard = guardrailContext(deps.config);
  const accounts = new Map<string, Account>();
  const pageSize = options.pageSize ?? DISPATCH_PAGE_SIZE;
  let progress = stored;
  // A checkpoint from when a shard was one list partition has none: it is the shard's own.
  let position = { partition: stored?.partition ?? task.shard, ...(stored?.cursor ? { cursor: stored.cursor } : {}) };
  for (;;) {
    if (options.timeLeftMs && options.timeLeftMs() < DISPATCH_TIME_RESERVE_MS) return { outcome: 'time-budget-spent', pages: progress?.pages ?? 0 };
    const page = await readShardPage(deps.contactListing, position, width, pageSize);
    const counts = await dispatchPage(page.contacts, campaign, runId, await accountsOf(page.contacts, accounts, deps.customers), guard, deps);
    const next: DispatchShardProgress = {
      campaignId: campaign.id,
      runId,
      shard: task.shard,
      pages: (progress?.pages ?? 0) + 1,
      ...(page.next ? { partition: page.next.partition, ...(page.next.cursor ? { cursor: page.next.cursor } : {}) } : {}),
      done: page.next === undefined,
      counts: addCounts(progress?.counts ?? {}, counts),
      updatedAt: deps.clock.now().toISOString(),
    };
    if (!(await deps.dispatchProgress.savePage(next))) return { outcome: 'superseded', pages: progress?.pages ?? 0 };
    progress = next;
    if (!page.next) return { outcome: 'shard-done', runDispatched: await finishRunWhenShardsDone(campaign.id, runId, deps), pages: next.pages, counts: next.counts };
    position = page.next;
  }
}

/** The run's width from the task, or from the run for a task queued before tasks carried it. */
async function widthOfTask(campaignId: string, runId: string, task: DispatchShardTask, deps: Pick<DispatchShardDeps, 'runs' | 'contactListing'>): Promise<RunWidth> {
  if (task.shards !== undefined && task.listPartitions !== undefined) return { shards: task.shards, listPartitions: task.listPartitions };
  const run = await deps.runs.getRun(campaignId, runId);
  if (!run) throw new Error(`campaign ${campaignId} run ${runId}: a shard task arrived but the run is missing`);
  return runWidthOf(run, deps.contactListing.partitions);
}

/** Guardrails over one page's audience members; returns the page's counts. */
async function dispatchPage(
  contacts: readonly Contact[],
  campaign: Campaign,
  runId: string,
  accounts: ReadonlyMap<string, Account>,
  guard: GuardrailContext,
  deps: DispatchShardDeps,
): Promise<Record<string, number>> {
  const now = deps.clock.now();
  const members = await audienceMembersOf(contacts, accounts, campaign.audience, now, { scores: deps.scores, scoring: deps.config.scoring });
  const counts: Record<string, number> = { audience: members.length, queued: 0, deferred: 0 };
  if (members.length === 0) return counts;
  const source: MessageSource = { kind: 'campaign', campaignId: campaign.id };
  const partitioned = partition(await decideForMembers(members, campaign.topic, now, guard, deps), source, runId, campaign.id, now);
  // Read per page, so a pause ops set during a long dispatch takes effect on the next page.
  const paused = pauseOf(await deps.pauses.listPauses(), campaign.id) !== undefined;
  const queued = paused ? [] : partitioned.queued;
  const deferred = paused ? [...partitioned.deferred, ...partitioned.queued.map((request) => ({ request, notBefore: now.toISOString() }))] : partitioned.deferred;
  if (paused) counts.paused = partitioned.queued.length;
  await Promise.all([deps.queue.enqueue(queued), deps.sends.deferSends(deferred), deps.sends.recordSkips(partitioned.skipped)]);
  counts.queued = queued.length;
  counts.deferred = deferred.length;
  for (const skip of partitioned.skipped) counts[`skipped:${skip.reason}`] = (counts[`skipped:${skip.reason}`] ?? 0) + 1;
  return counts;
}

/** The page's accounts, read in one batch for those not seen on an earlier page of this worker. */
async function accountsOf(contacts: readonly Contact[], cache: Map<string, Account>, customers: Pick<CustomerStore, 'getAccounts'>): Promise<Map<string, Account>> {
  const accountIds = [...new Set(contacts.map((contact) => contact.accountId))];
  if (cache.size + accountIds.length > ACCOUNT_CACHE_LIMIT) cache.clear();
  const missing = accountIds.filter((accountId) => !cache.has(accountId));
  if (missing.length > 0) for (const [accountId, account] of await customers.getAccounts(missing)) cache.set(accountId, account);
  return cache;
}

/**
 * Flips the run to dispatched with the shards' summed counts once every shard is done. Each
 * worker checks after saving its last page, so the last to finish sees them all; two finishing
 * together both write the same counts.
 */
export async function finishRunWhenShardsDone(campaignId: string, runId: string, deps: Pick<DispatchShardDeps, 'runs' | 'dispatchProgress' | 'contactListing'>): Promise<boolean> {
  const run = await deps.runs.getRun(campaignId, runId);
  if (!run) throw new Error(`campaign ${campaignId} run ${runId}: a shard finished but the run is missing`);
  if (run.state === 'dispatched') return true;
  if (run.state !== 'dispatching') return false;
  const shards = await deps.dispatchProgress.listShardProgress(campaignId, runId);
  const done = shards.filter((shard) => shard.done);
  if (done.length < runWidthOf(run, deps.contactListing.partitions).shards) return false;
  const counts = done.reduce((sum, shard) => addCounts(sum, shard.counts), { audience: 0, queued: 0, deferred: 0 } as Record<string, number>);
  await deps.runs.setRunState(campaignId, runId, 'dispatched', counts);
  return true;
}
