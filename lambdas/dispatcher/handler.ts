/**
 * Dispatcher function, invoked by EventBridge Scheduler: `{ job: 'campaign', campaignId,
 * scheduledFor }` for a campaign's schedule (scheduledFor = <aws.scheduler.scheduled-time>,
 * which identifies the run), `{ job: 'release-deferred' }` and `{ job: 'sequences' }` every 5 minutes.
 */
import { z } from 'zod';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { releaseDeferredSends } from '../../core/sending/release-deferred.ts';
import { advanceDueEnrollments } from '../../core/sequences/advance-enrollments.ts';
import { lambdaRuntime, logger, systemClock } from '../runtime/composition.ts';

const dispatcherEventSchema = z.discriminatedUnion('job', [
  z.object({ job: z.literal('campaign'), campaignId: z.string().min(1), scheduledFor: z.iso.datetime({ offset: true }) }),
  z.object({ job: z.literal('release-deferred') }),
  z.object({ job: z.literal('sequences') }),
]);

export async function handler(event: unknown): Promise<Record<string, unknown>> {
  const parsed = dispatcherEventSchema.safeParse(event);
  if (!parsed.success) {
    logger.error('rejected dispatcher event', { issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) });
    throw new Error('invalid dispatcher event');
  }
  const runtime = await lambdaRuntime();
  const { store, queue, config } = runtime;
  if (parsed.data.job === 'release-deferred') {
    const released = await releaseDeferredSends({ sends: store.sends, queue, clock: systemClock });
    logger.info('released deferred sends', { released });
    return { released };
  }
  if (parsed.data.job === 'sequences') {
    const outcomes = await advanceDueEnrollments({ ...store, config, queue, clock: systemClock });
    logger.info('advanced nurture sequences', { outcomes: Object.fromEntries(outcomes) });
    return Object.fromEntries(outcomes);
  }
  const { campaignId, scheduledFor } = parsed.data;
  const campaign = config.campaigns.find((candidate) => candidate.id === campaignId);
  if (!campaign) throw new Error(`no campaign '${campaignId}' in the deployed config`);
  const outcome = await dispatchCampaignRun(campaign, new Date(scheduledFor), { ...store, runs: store.campaignRuns, config, queue, clock: systemClock });
  logger.info('campaign run', { campaignId, ...outcome });
  return outcome;
}
