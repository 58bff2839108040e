/**
 * The pipeline on one CloudWatch dashboard per stage: what was queued, sent, failed, throttled,
 * skipped (by reason) and deferred; SES events by type; opens and clicks by people and machines;
 * webinar webhooks by outcome and what the webinar sweep did; CSQL events published to the bus
 * and refused by it; then the plumbing: the send and
 * webinar queues' depth and age, dead letters, function errors and the HTTP API's 5xx. The
 * engine's own series come from lambdas/runtime/pipeline-metrics.ts (EMF).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ENGAGED_BY_DIMENSION,
  ENGAGED_BY_VALUES,
  PIPELINE_METRICS,
  pipelineMetricsNamespace,
  SERVICE_NAMES,
  SES_EVENT_TYPE_DIMENSION,
  SKIP_REASON_DIMENSION,
  WEBINAR_OUTCOME_DIMENSION,
} from '../lambdas/runtime/pipeline-metrics.ts';
import type { EngineFunction } from './engine-function.ts';
import type { TrackingApi } from './tracking-api.ts';

const PERIOD = Duration.minutes(5);

export interface PipelineDashboardProps {
  readonly stage: string;
  readonly sendQueue: sqs.IQueue;
  /** Zoom webhooks waiting for the webinar events function. */
  readonly webinarQueue: sqs.IQueue;
  readonly deadLetterQueues: readonly sqs.IQueue[];
  readonly functions: ReadonlyMap<string, EngineFunction>;
  readonly api: TrackingApi;
}

export class PipelineDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const namespace = pipelineMetricsNamespace(props.stage);
    const metric = (metricName: string, service: string, label: string, extra: Record<string, string> = {}) =>
      new cloudwatch.Metric({ namespace, metricName, dimensionsMap: { service, ...extra }, period: PERIOD, statistic: cloudwatch.Stats.SUM, label });
    // One series per value of a dimension the engine writes (skip reasons, SES types): no list to keep in step.
    const search = (metricName: string, service: string, dimension: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${namespace},${dimension},service} MetricName="${metricName}" service="${service}"', 'Sum', ${PERIOD.toSeconds()})`,
        usingMetrics: {},
        label,
        period: PERIOD,
      });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) => new cloudwatch.GraphWidget({ title, left, width, height: 6 });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `nurture-engine-${props.stage}`,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      graph('Emails', [
        metric(PIPELINE_METRICS.emailsQueued, SERVICE_NAMES.dispatcher, 'queued'),
        metric(PIPELINE_METRICS.emailsSent, SERVICE_NAMES.sender, 'sent'),
        metric(PIPELINE_METRICS.emailsDeferred, SERVICE_NAMES.dispatcher, 'deferred'),
        // The pause switch at work: emails parked instead of queued or sent (npm run pause / resume).
        metric(PIPELINE_METRICS.emailsPaused, SERVICE_NAMES.dispatcher, 'paused at dispatch'),
        metric(PIPELINE_METRICS.emailsPaused, SERVICE_NAMES.sender, 'paused at send'),
        // The reputation guard pausing a campaign or all sending by itself (resumed only by an operator).
        metric(PIPELINE_METRICS.sendingAutoPaused, SERVICE_NAMES.kpiCounters, 'auto-paused scopes'),
      ]),
      graph('Failed, throttled and stranded sends', [
        metric(PIPELINE_METRICS.emailsFailed, SERVICE_NAMES.sender, 'failed (will not go out)'),
        metric(PIPELINE_METRICS.emailsThrottled, SERVICE_NAMES.sender, 'throttled (retried)'),
        metric(PIPELINE_METRICS.emailsStranded, SERVICE_NAMES.sender, 'stranded (npm run sends -- stranded)'),
      ]),
      graph('Skipped, by reason', [
        search(PIPELINE_METRICS.emailsSkipped, SERVICE_NAMES.dispatcher, SKIP_REASON_DIMENSION, 'dispatcher'),
        search(PIPELINE_METRICS.emailsSkipped, SERVICE_NAMES.sender, SKIP_REASON_DIMENSION, 'sender'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('SES events, by type', [search(PIPELINE_METRICS.sesEvents, SERVICE_NAMES.sesEvents, SES_EVENT_TYPE_DIMENSION, 'SES events')]),
      graph(
        'Opens, people and machines',
        ENGAGED_BY_VALUES.map((by) => metric(PIPELINE_METRICS.opens, SERVICE_NAMES.tracking, by, { [ENGAGED_BY_DIMENSION]: by })),
      ),
      graph(
        'Clicks, people and machines',
        ENGAGED_BY_VALUES.map((by) => metric(PIPELINE_METRICS.clicks, SERVICE_NAMES.tracking, by, { [ENGAGED_BY_DIMENSION]: by })),
      ),
    );
    this.dashboard.addWidgets(
      graph('Zoom webhooks, by outcome', [search(PIPELINE_METRICS.webinarEvents, SERVICE_NAMES.webinarEvents, WEBINAR_OUTCOME_DIMENSION, 'webinar events')]),
      graph('Webinar sweep', [
        metric(PIPELINE_METRICS.webinarRegistrantsMatched, SERVICE_NAMES.dispatcher, 'registrants joined to contacts'),
        metric(PIPELINE_METRICS.webinarSessionsFinalized, SERVICE_NAMES.dispatcher, 'sessions finalized without an end signal'),
      ]),
      new cloudwatch.GraphWidget({
        title: 'Webinar queue',
        left: [props.webinarQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM, label: 'waiting' })],
        right: [props.webinarQueue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM, label: 'oldest (s)' })],
        width: 8,
        height: 6,
      }),
    );
    this.dashboard.addWidgets(
      graph('CSQL events to the bus', [
        metric(PIPELINE_METRICS.csqlEventsPublished, SERVICE_NAMES.dispatcher, 'published'),
        metric(PIPELINE_METRICS.csqlEventsFailed, SERVICE_NAMES.dispatcher, 'refused (retried next minute)'),
      ]),
      graph('CSQL decisions', [
        metric(PIPELINE_METRICS.csqlPromotions, SERVICE_NAMES.dispatcher, 'accounts promoted'),
        metric(PIPELINE_METRICS.csqlDemotions, SERVICE_NAMES.dispatcher, 'accounts demoted'),
      ]),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Send queue',
        left: [props.sendQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM, label: 'waiting' })],
        right: [props.sendQueue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM, label: 'oldest (s)' })],
        width: 8,
        height: 6,
      }),
      graph(
        'Dead letters',
        props.deadLetterQueues.map((queue) => queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM })),
      ),
      graph('Function errors, API 5xx', [
        ...[...props.functions].map(([name, fn]) => fn.function.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: name })),
        props.api.stage.metricServerError({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: 'HTTP API 5xx' }),
      ]),
    );
  }
}
