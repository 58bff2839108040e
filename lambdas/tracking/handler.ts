/**
 * The tracking function on API Gateway (HTTP API) + Lambda: the public routes behind email links
 * (open pixel, click redirect, one-click unsubscribe, preference centre, and the webinar links under
 * /w: registration, calendar file, survey). Opens and clicks newly
 * recorded become the Opens and Clicks metrics, by people or machine (scanners, image proxies).
 */
import { handle } from 'hono/aws-lambda';
import type { EngagementEvent } from '../../core/tracking/engagement-event.ts';
import { addCountsBy, publishCounts } from '../runtime/metric-counts.ts';
import { ENGAGED_BY_DIMENSION, PIPELINE_METRICS } from '../runtime/pipeline-metrics.ts';
import { metrics, trackingDeps } from './composition.ts';
import { createTrackingApp } from '../../http/tracking-app.ts';

const ENGAGEMENT_METRICS: Partial<Record<EngagementEvent['type'], string>> = { open: PIPELINE_METRICS.opens, click: PIPELINE_METRICS.clicks };

const deps = trackingDeps((event) => {
  const name = ENGAGEMENT_METRICS[event.type];
  if (name) addCountsBy(metrics, name, ENGAGED_BY_DIMENSION, new Map([[event.machine ? 'machine' : 'people', 1]]));
});

let lambdaHandler: ReturnType<typeof handle> | undefined;

export const handler: ReturnType<typeof handle> = async (event, context) => {
  lambdaHandler ??= handle(createTrackingApp(await deps()));
  try {
    return await lambdaHandler(event, context);
  } finally {
    publishCounts(metrics);
  }
};
