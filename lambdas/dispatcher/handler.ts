/**
 * Dispatcher function, invoked by EventBridge Scheduler: `{ job: 'campaign', campaignId,
 * scheduledFor }` for a campaign's schedule (scheduledFor = <aws.scheduler.scheduled-time>,
 * which identifies the run), `{ job: 'release-deferred' }` every minute, `{ job: 'sequences' }` and
 * `{ job: 'webinars' }` (the webinar sweep) every 5 minutes, and `{ job: 'publish-events' }` (the
 * outbox of CSQL events, onto the stage's EventBridge bus) every minute, and `{ job: 'qualify' }`
 * (every account against the CSQL rules) every 15 minutes (infra/campaign-schedules.ts).
 * A campaign job fans the run out: one message per run shard (as many as the estimated contacts
 * need, up to DISPATCH_MAX_WORKERS) onto the dispatch-shard queue, which this function consumes
 * too (an SQS event, one shard task per record): each task streams its shard from its checkpoint
 * until done or until the invocation's time is nearly up, then queues itself again to continue
 * (core/sending/dispatch-run-shard.ts).
 * Each job's counts become metrics (queued, deferred, skipped by reason, registrants matched,
 * sessions finalized, events published and refused) for the pipeline dashboard.
 */
import { z } from 'zod';
import { systemClock } from '../../adapters/local/system-clock.ts';
import { publishOutbox } from '../../core/qualification/publish-outbox.ts';
import { qualifyAllAccounts } from '../../core/qualification/qualify-accounts.ts';
import { dispatchShardTaskSchema } from '../../core/campaigns/dispatch-shard.ts';
import { beginRunDispatch } from '../../core/sending/dispatch-campaign.ts';
import { dispatchRunShard } from '../../core/sending/dispatch-run-shard.ts';
import { frequencyCaps } from '../../core/sending/guardrails.ts';
import { releaseDeferredSends } from '../../core/sending/release-deferred.ts';
import { advanceDueEnrollments } from '../../core/sequences/advance-enrollments.ts';
import { sweepWebinars } from '../../core/webinars/webinar-sweep.ts';
import { addCount, addCountsBy, publishCounts } from '../runtime/metric-counts.ts';
import { PIPELINE_METRICS, SKIP_REASON_DIMENSION } from '../runtime/pipeline-metrics.ts';
import { dispatcherRuntime, logger, metrics } from './composition.ts';
import { engagementRecorderOf } from '../../core/scoring/record-engagement.ts';

const dispatcherEventSchema = z.discriminatedUnion('job', [
  z.object({ job: z.literal('campaign'), campaignId: z.string().min(1), scheduledFor: z.iso.datetime({ offset: true }) }),
  z.object({ job: z.literal('release-deferred') }),
  z.object({ job: z.literal('sequences') }),
  z.object({ job: z.literal('webinars') }),
  z.object({ job: z.literal('publish-events') }),
  z.object({ job: z.literal('qualify') }),
]);

/** An SQS event from the dispatch-shard queue (batch size 1; partial failures reported). */
const shardQueueEventSchema = z.object({ Records: z.array(z.object({ messageId: z.string().min(1), body: z.string() })).min(1) });

const SKIPPED_PREFIX = 'skipped:';

/** What the handler reads of Lambda's context: how long this invocation may still run. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export async function handler(event: unknown, context?: InvocationContext): Promise<Record<string, unknown>> {
  const shardEvent = shardQueueEventSchema.safeParse(event);
  if (shardEvent.success) return dispatchShards(shardEvent.data.Records, context);
  const parsed = dispatcherEventSchema.safeParse(event);
  if (!parsed.success) {
    logger.error('rejected dispatcher event', { issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) });
    throw new Error('invalid dispatcher event');
  }
  const { store, queue, shardQueue, config, bus, fanOut } = await dispatcherRuntime();
  try {
    if (parsed.data.job === 'publish-events') {
      const outcome = await publishOutbox({ csql: store.csql, bus });
      addCount(metrics, PIPELINE_METRICS.csqlEventsPublished, outcome.published);
      addCount(metrics, PIPELINE_METRICS.csqlEventsFailed, outcome.failed);
      // Refused events stay in the outbox and go again next minute; the ids (account and instant, no personal data) say which.
      if (outcome.failed > 0) logger.warn('event bus refused outbox events; they stay in the outbox', { published: outcome.published, failed: outcome.failed, failedIds: outcome.failedIds.slice(0, 20) });
      else if (outcome.published > 0) logger.info('published outbox events', { published: outcome.published });
      // Every minute, mostly with nothing to do: not worth a line at info.
      else logger.debug('no outbox events to publish');
      return { published: outcome.published, failed: outcome.failed };
    }
    if (parsed.data.job === 'qualify') {
      // Promotions and demotions write their events to the outbox; the publish-events job sends them.
      const outcomes = await qualifyAllAccounts({ ...store, config, clock: systemClock });
      const counts = Object.fromEntries(['promote', 'demote', 'stay', 'conflict', 'failed'].map((decision) => [decision, outcomes.filter((outcome) => outcome.decision === decision).length]));
      addCount(metrics, PIPELINE_METRICS.csqlPromotions, counts.promote ?? 0);
      addCount(metrics, PIPELINE_METRICS.csqlDemotions, counts.demote ?? 0);
      // Account ids only: promotions name the rule, never a person.
      logger.info('qualified accounts', { evaluated: outcomes.length, ...counts, promoted: outcomes.filter((outcome) => outcome.decision === 'promote').map((outcome) => outcome.accountId).slice(0, 50) });
      const failed = outcomes.filter((outcome) => outcome.decision === 'failed');
      if (failed.length > 0) {
        logger.error('accounts not qualified: their reads or writes failed; the others were', { failed: failed.length, accounts: failed.slice(0, 20).map((outcome) => ({ accountId: outcome.accountId, reason: outcome.reason })) });
        // Visible (function errors alarm) and retried by the scheduler; the accounts done are not redone wrongly (their state's version moved).
        throw new Error(`qualify: ${failed.length} of ${outcomes.length} account(s) failed (first: ${failed[0]?.accountId}: ${failed[0]?.reason}); the others were qualified`);
      }
      return { evaluated: outcomes.length, ...counts };
    }
    if (parsed.data.job === 'release-deferred') {
      const released = await releaseDeferredSends({ sends: store.sends, pauses: store.pauses, queue, clock: systemClock, caps: frequencyCaps(config.guardrails) }, timeBudgetOf(context));
      addCount(metrics, PIPELINE_METRICS.emailsQueued, released);
      logger.info('released deferred sends', { released });
      return { released };
    }
    if (parsed.data.job === 'sequences') {
      const outcomes = await advanceDueEnrollments({ ...store, config, queue, clock: systemClock }, timeBudgetOf(context));
      addCount(metrics, PIPELINE_METRICS.emailsQueued, outcomes.get('queued') ?? 0);
      addCount(metrics, PIPELINE_METRICS.emailsDeferred, outcomes.get('deferred') ?? 0);
      // A sequence step's skip reason is in the skip record, not in the outcome: counted as the step's.
      addCountsBy(metrics, PIPELINE_METRICS.emailsSkipped, SKIP_REASON_DIMENSION, new Map([['sequence-step', outcomes.get('skipped') ?? 0]]));
      logger.info('advanced nurture sequences', { outcomes: Object.fromEntries(outcomes) });
      return Object.fromEntries(outcomes);
    }
    if (parsed.data.job === 'webinars') {
      const swept = await sweepWebinars({ config, webinars: store.webinars, customers: store.customers, engagement: engagementRecorderOf(store, config.scoring, systemClock), sends: store.sends, clock: systemClock });
      addCount(metrics, PIPELINE_METRICS.webinarRegistrantsMatched, swept.matched);
      addCount(metrics, PIPELINE_METRICS.webinarSessionsFinalized, swept.finalized.length);
      // Ids only: `finalized` names sessions as webinarId/sessionId.
      logger.info('webinar sweep', { matched: swept.matched, stillUnmatched: swept.stillUnmatched, finalized: swept.finalized });
      return { ...swept };
    }
    const { campaignId, scheduledFor } = parsed.data;
    const campaign = config.campaigns.find((candidate) => candidate.id === campaignId);
    if (!campaign) throw new Error(`no campaign '${campaignId}' in the deployed config`);
    const outcome = await beginRunDispatch(campaign, new Date(scheduledFor), { runs: store.campaignRuns, contactListing: store.contactListing, clock: systemClock, fanOut });
    if (outcome.outcome === 'fan-out') await shardQueue.enqueueShards(outcome.tasks);
    logger.info('campaign run', { campaignId, outcome: outcome.outcome, runId: outcome.runId, ...(outcome.outcome === 'fan-out' ? { shards: outcome.tasks.length, estimatedContacts: outcome.estimatedContacts } : {}) });
    return outcome.outcome === 'fan-out' ? { outcome: outcome.outcome, runId: outcome.runId, shards: outcome.tasks.length } : outcome;
  } finally {
    publishCounts(metrics);
  }
}

/**
 * Dispatch-shard tasks: each record's shard streamed until done or the time budget is spent, then
 * queued again to continue from its checkpoint. A failed record is reported (partial batch
 * failure): SQS delivers it again, and after too many receives parks it in the DLQ (alarmed).
 */
async function dispatchShards(records: ReadonlyArray<{ messageId: string; body: string }>, context: InvocationContext | undefined): Promise<Record<string, unknown>> {
  const { store, queue, shardQueue, config } = await dispatcherRuntime();
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  try {
    for (const record of records) {
      try {
        const task = dispatchShardTaskSchema.parse(JSON.parse(record.body));
        const campaign = config.campaigns.find((candidate) => candidate.id === task.campaignId);
        if (!campaign) throw new Error(`dispatch shard task names no campaign of the deployed config: '${task.campaignId}'`);
        const outcome = await dispatchRunShard(campaign, task, { ...store, runs: store.campaignRuns, config, queue, clock: systemClock }, timeBudgetOf(context));
        if (outcome.outcome === 'time-budget-spent') await shardQueue.enqueueShards([task]);
        if (outcome.outcome === 'shard-done' && outcome.counts) addDispatchCounts(outcome.counts);
        logger.info('campaign run shard', { campaignId: task.campaignId, scheduledFor: task.scheduledFor, shard: task.shard, outcome: outcome.outcome, pages: outcome.pages, ...(outcome.outcome === 'shard-done' ? { runDispatched: outcome.runDispatched } : {}) });
      } catch (error) {
        logger.error('dispatch shard task failed; SQS delivers it again', { messageId: record.messageId, error: error instanceof Error ? error.message : String(error) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
  } finally {
    publishCounts(metrics);
  }
  return { batchItemFailures };
}

/** The invocation's remaining time, for jobs that stop before Lambda's limit and leave the rest for their next run. */
function timeBudgetOf(context: InvocationContext | undefined): { timeLeftMs?: () => number } {
  return context ? { timeLeftMs: () => context.getRemainingTimeInMillis() } : {};
}

/** A shard's counts (`queued`, `deferred`, `paused`, `skipped:<reason>`) as metrics, once, when it finishes; paused sends are deferred ones. */
function addDispatchCounts(counts: Record<string, number>): void {
  addCount(metrics, PIPELINE_METRICS.emailsQueued, counts.queued ?? 0);
  addCount(metrics, PIPELINE_METRICS.emailsDeferred, counts.deferred ?? 0);
  addCount(metrics, PIPELINE_METRICS.emailsPaused, counts.paused ?? 0);
  const skipped = new Map<string, number>();
  for (const [key, count] of Object.entries(counts)) {
    if (key.startsWith(SKIPPED_PREFIX)) skipped.set(key.slice(SKIPPED_PREFIX.length), count);
  }
  addCountsBy(metrics, PIPELINE_METRICS.emailsSkipped, SKIP_REASON_DIMENSION, skipped);
}
