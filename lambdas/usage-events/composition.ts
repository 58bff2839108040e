/**
 * The usage events function's composition root: the DynamoDB stores product usage touches (usage
 * records and latest values, the accounts and contacts they are checked against, engagement events
 * and scores) and the scoring part of the bundled config (the declared usage metrics and the
 * engagement path's weights). No secret, no queue.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { systemClock } from '../../adapters/local/system-clock.ts';
import { engagementRecorderOf } from '../../core/scoring/record-engagement.ts';
import { readBundledConfig } from '../runtime/bundled-config.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { configRootOf, readEnvironment } from '../runtime/environment.ts';
import { carriedConfig, USAGE_EVENTS_CONFIG_PARTS } from '../runtime/function-config-parts.ts';
import type { UsageEventsDeps } from './handler.ts';

/** Service name from POWERTOOLS_SERVICE_NAME (set in infra/usage-events.ts). */
export const logger = new Logger();

export const usageEventsRuntime = onceBuilt(async (): Promise<UsageEventsDeps> => {
  const env = readEnvironment(process.env, ['TABLE_NAME']);
  const store = createDynamoStore(new DynamoDBClient({}), env.TABLE_NAME);
  const config = carriedConfig(readBundledConfig(configRootOf(env), USAGE_EVENTS_CONFIG_PARTS), 'usage events');
  return {
    metrics: config.scoring.health.metrics,
    usage: store.usage,
    customers: store.customers,
    engagement: engagementRecorderOf(store, config.scoring, systemClock),
    clock: systemClock,
  };
});
