/**
 * The local composition root: the same use cases and AWS adapters as in Lambda, wired to
 * DynamoDB Local, the in-process scheduler and the given clock. Used by `npm start` and the demo.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { startCampaignRun, type StartRunOutcome } from '../core/campaigns/start-campaign-run.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import type { Clock, Scheduler, Store } from '../core/ports.ts';

export interface LocalEngine {
  store: Store;
  /** Called by the scheduler for each firing; the outcome is also reported to `onRun`. */
  scheduleCampaigns(scheduler: Scheduler): number;
}

export function wireLocalEngine(options: {
  client: DynamoDBClient;
  tableName: string;
  config: EngineConfig;
  clock: Clock;
  onRun?: (campaignId: string, outcome: StartRunOutcome) => void;
}): LocalEngine {
  const store = createDynamoStore(options.client, options.tableName);
  return {
    store,
    scheduleCampaigns(scheduler) {
      const active = options.config.campaigns.filter((campaign) => campaign.status === 'active');
      for (const campaign of active) {
        scheduler.add({
          id: campaign.id,
          schedule: campaign.schedule,
          run: async (scheduledFor) => {
            const outcome = await startCampaignRun(campaign.id, scheduledFor, { runs: store.campaignRuns, clock: options.clock });
            options.onRun?.(campaign.id, outcome);
          },
        });
      }
      return active.length;
    },
  };
}
