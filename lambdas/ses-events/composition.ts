/**
 * The SES events function's composition root: the DynamoDB stores the recording path uses, the
 * link-signing key (it checks the sender's signed tags) and the topics from the bundled config.
 * Built on the first well-formed event of an ingested type, once per container.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { systemClock } from '../../adapters/local/system-clock.ts';
import { engagementRecorderOf } from '../../core/scoring/record-engagement.ts';
import type { SesEventDeps } from '../../core/tracking/ses-events/record-ses-event.ts';
import { readBundledConfig } from '../runtime/bundled-config.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { configRootOf, readEnvironment } from '../runtime/environment.ts';
import { SES_EVENTS_CONFIG_PARTS } from '../runtime/function-config-parts.ts';
import { readSecret } from '../runtime/secrets.ts';

/** Service name from POWERTOOLS_SERVICE_NAME; metrics namespace from POWERTOOLS_METRICS_NAMESPACE (set in infra/). */
export const logger = new Logger();
export const metrics = new Metrics();

export const sesEventsRuntime = onceBuilt(async (): Promise<SesEventDeps> => {
  const env = readEnvironment(process.env, ['TABLE_NAME', 'LINK_SECRET_ARN']);
  const config = readBundledConfig(configRootOf(env), SES_EVENTS_CONFIG_PARTS);
  const { topics, scoring } = config;
  const store = createDynamoStore(new DynamoDBClient({}), env.TABLE_NAME);
  return {
    sends: store.sends,
    // The one engagement path: each event is recorded with its score moves.
    engagement: { ...engagementRecorderOf(store, scoring, systemClock), recordUnplacedSesEvent: (event) => store.engagement.recordUnplacedSesEvent(event) },
    suppressions: store.suppressions,
    customers: store.customers,
    topics,
    tagSecret: await readSecret(env.LINK_SECRET_ARN, 'link-signing secret'),
  };
});
