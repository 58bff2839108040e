/**
 * The tracking function's composition root: the stores the link routes read and write (sends and
 * their links, events, suppressions, topic opt-outs; webinar sessions, registrants and the parked
 * confirmation and reminders of a registration; survey answers and their churn-risk outbox entry),
 * the link-signing key to verify tokens, the public base URL (the calendar link on the registration
 * page), and the topics, webinar and survey parts of the bundled config. No ingest token, no queue, no SES, no renderer.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { systemClock } from '../../adapters/local/system-clock.ts';
import { engagementRecorderOf } from '../../core/scoring/record-engagement.ts';
import type { EngagementEvent } from '../../core/tracking/engagement-event.ts';
import type { TrackingHttpDeps } from '../../http/tracking-deps.ts';
import { readBundledConfig } from '../runtime/bundled-config.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { coreLog } from '../runtime/core-log.ts';
import { configRootOf, readEnvironment } from '../runtime/environment.ts';
import { carriedConfig, TRACKING_CONFIG_PARTS } from '../runtime/function-config-parts.ts';
import { readSecret } from '../runtime/secrets.ts';

/** Service name from POWERTOOLS_SERVICE_NAME; metrics namespace from POWERTOOLS_METRICS_NAMESPACE (set in infra/). */
export const logger = new Logger();
export const metrics = new Metrics();

/**
 * `onRecorded` hears of every engagement event newly written (not a repeat): the routes do not
 * report their outcomes, the event store is where an open or a click becomes real.
 */
export function trackingDeps(onRecorded: (event: EngagementEvent) => void): () => Promise<TrackingHttpDeps> {
  return onceBuilt(async () => {
    const env = readEnvironment(process.env, ['TABLE_NAME', 'LINK_SECRET_ARN', 'LINK_BASE_URL']);
    const config = carriedConfig(readBundledConfig(configRootOf(env), TRACKING_CONFIG_PARTS), 'tracking');
    const store = createDynamoStore(new DynamoDBClient({}), env.TABLE_NAME);
    const scored = engagementRecorderOf(store, config.scoring, systemClock);
    const engagement: TrackingHttpDeps['engagement'] = {
      recordEvent: async (event) => {
        const recorded = await scored.recordEvent(event);
        if (recorded) onRecorded(event);
        return recorded;
      },
    };
    const tokenSecret = await readSecret(env.LINK_SECRET_ARN, 'link-signing secret');
    return {
      customers: store.customers,
      sends: store.sends,
      engagement,
      suppressions: store.suppressions,
      topics: config.topics,
      clock: systemClock,
      tokenSecret,
      log: coreLog(logger, 'tracking'),
      webinarLinks: {
        config,
        webinars: store.webinars,
        customers: store.customers,
        engagement,
        sends: store.sends,
        clock: systemClock,
        tokenSecret,
        baseUrl: env.LINK_BASE_URL.replace(/\/+$/, ''),
      },
      surveyLinks: { surveys: config.surveys, customers: store.customers, answers: store.surveys, engagement, clock: systemClock, tokenSecret, log: coreLog(logger, 'tracking') },
    };
  });
}
