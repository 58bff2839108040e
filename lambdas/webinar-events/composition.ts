/**
 * The webinar events function's composition root: the DynamoDB stores the webinar use cases touch
 * (sessions, registrants, attendance, contacts by email, engagement events, parked sends) and the
 * webinar parts of the bundled config. No SES, no secret, no renderer: the emails a webhook plans
 * are parked sends, released by the dispatcher and sent by the sender.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { systemClock } from '../../adapters/local/system-clock.ts';
import { engagementRecorderOf } from '../../core/scoring/record-engagement.ts';
import type { WebinarDeps } from '../../core/webinars/register-for-webinar.ts';
import { readBundledConfig } from '../runtime/bundled-config.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { configRootOf, readEnvironment } from '../runtime/environment.ts';
import { carriedConfig, WEBINAR_EVENTS_CONFIG_PARTS } from '../runtime/function-config-parts.ts';

/** Service name from POWERTOOLS_SERVICE_NAME; metrics namespace from POWERTOOLS_METRICS_NAMESPACE (set in infra/). */
export const logger = new Logger();
export const metrics = new Metrics();

export const webinarEventsRuntime = onceBuilt(async (): Promise<WebinarDeps> => {
  const env = readEnvironment(process.env, ['TABLE_NAME']);
  const store = createDynamoStore(new DynamoDBClient({}), env.TABLE_NAME);
  const config = carriedConfig(readBundledConfig(configRootOf(env), WEBINAR_EVENTS_CONFIG_PARTS), 'webinar events');
  return {
    config,
    webinars: store.webinars,
    customers: store.customers,
    engagement: engagementRecorderOf(store, config.scoring, systemClock),
    sends: store.sends,
    clock: systemClock,
  };
});
