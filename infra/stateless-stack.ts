/**
 * Stateless stack: the sending pipeline and its tracking side. EventBridge Scheduler invokes the
 * dispatcher, which fans a campaign run out over the dispatch-shard queue (one message per
 * run shard, as many as the run's contacts need, consumed by the dispatcher itself), resolves each shard's audience page by
 * page and fills the send queue, and every minute publishes the
 * event outbox (CSQL promotions) to the stage's event bus; the sender drains the queue into SES v2.
 * With `-c csqlWebhookUrl=...`, promotions go on from the bus to the CRM's webhook (CrmWebhook). SES publishes what happened to each email to EventBridge (SesEvents), and the
 * links inside the emails land on the HTTP API (TrackingApi). Zoom's webinar webhooks land on the
 * same API and are queued for the webinar events function (WebinarEvents). Product usage published
 * to the engine's bus is stored and scored by the usage events function (UsageEvents). The table's stream feeds the KPI counters
 * function (KpiCounters), which counts sends and engagement per email run and runs the reputation auto-pause. Everything here can be
 * destroyed and redeployed: the table and the secrets come from the stateful stack.
 */
import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { GSIS, keys } from '../adapters/aws/dynamo/table-design.ts';
import { CSQL_EVENT_SOURCE } from '../core/qualification/csql-promotion.ts';
import { PAUSE_ALL } from '../core/sending/sending-pause.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { DISPATCHER_CONFIG_PARTS, SENDER_CONFIG_PARTS } from '../lambdas/runtime/function-config-parts.ts';
import { PIPELINE_METRICS, pipelineMetricsNamespace, SERVICE_NAMES } from '../lambdas/runtime/pipeline-metrics.ts';
import { SENDER_SERVICE_NAME, SES_ACCOUNT_LEVEL_ERRORS_METRIC } from '../lambdas/sender/sender-metrics.ts';
import { AlarmNotifications } from './alarm-notifications.ts';
import { CampaignSchedules } from './campaign-schedules.ts';
import { CrmWebhook, type CrmWebhookSettings } from './crm-webhook.ts';
import { PipelineDashboard } from './pipeline-dashboard.ts';
import { EngineFunction } from './engine-function.ts';
import { SesEvents } from './ses-events.ts';
import { SesSending } from './ses-sending.ts';
import { KPI_ITERATOR_AGE_ALARM, KpiCounters } from './kpi-counters.ts';
import { grantTableAccess, type TableAccess } from './table-access.ts';
import { leadingKeys, PARTITION } from './table-partitions.ts';
import { TrackingApi } from './tracking-api.ts';
import { senderCapacity, type SenderCapacity, type SenderCapacityInputs } from '../core/sending/sender-capacity.ts';
import { DEFAULT_FAN_OUT } from '../core/sending/run-fan-out.ts';
import { UsageEvents } from './usage-events.ts';
import { WEBINAR_EVENT_MAX_RECEIVE_COUNT, WebinarEvents, ZOOM_WEBHOOK_PATH } from './webinar-events.ts';

export const SENDER_TIMEOUT = Duration.seconds(60);
export const SENDER_BATCH_SIZE = 10;
/**
 * What sizes the sender (core/sending/sender-capacity.ts) when the deploy names no quota: SES's
 * usual first production quota (14/s), SES answering within 150 ms (p95), 20 ms of DynamoDB per
 * email, 30 ms of reads per batch, and 100 of the account's 1,000 Lambda concurrency.
 * `-c sesMaxSendRate=1000 -c sesLatencyMs=80 -c senderLambdaConcurrency=200` size it for a larger account.
 */
export const DEFAULT_SENDER_SIZING: SenderCapacityInputs = { maxSendRate: 14, sesLatencyMs: 150, storeMsPerEmail: 20, batchOverheadMs: 30, batchSize: SENDER_BATCH_SIZE, lambdaConcurrencyAvailable: 100 };
/** SQS event sources scale to at least 2 concurrent batches (ScalingConfig.MaximumConcurrency's floor). */
const SENDER_MIN_CONCURRENCY = 2;
export const SENDER_BATCH_WINDOW = Duration.seconds(1);
export const DISPATCHER_TIMEOUT = Duration.minutes(15);
/** Receives before a send request is parked in the dead-letter queue. */
export const SEND_MAX_RECEIVE_COUNT = 5;
/** Receives before a dispatch-shard task (one shard of a campaign run) is parked in its dead-letter queue. */
export const DISPATCH_SHARD_MAX_RECEIVE_COUNT = 3;
/**
 * A run's dispatch workers at most, and so the dispatcher instances working shard tasks at once
 * (the event source's maximum concurrency, which the dispatcher is told as DISPATCH_MAX_WORKERS):
 * a run gets one worker per 100,000 contacts up to this (core/sending/run-fan-out.ts), so its shards
 * all go at once; two runs share them. `-c dispatchMaxWorkers=64` for a bigger customer base.
 */
export const DEFAULT_DISPATCH_MAX_WORKERS = DEFAULT_FAN_OUT.maxWorkers;

/**
 * Item actions each function's code path uses (adapters/aws/dynamo). Query is the only call
 * that reads an index, so it is the only action granted on the indexes.
 * - dispatcher: campaign runs (Put, Get, Update), audience (Query on GSI1/GSI2, BatchGet for
 *   scores and suppressions), send history (Query on GSI2), deferrals and skips (BatchWrite),
 *   due deferred sends (Query on GSI1), the event outbox (unpublished entries: Query on GSI1;
 *   marking them published: Update).
 * - sender: contacts, accounts, suppressions (BatchGet), skips (BatchWrite), the send claim
 *   (conditional Put), mark sent or failed (Update), release a claim (conditional Delete); and,
 *   for a webinar email, the session's state and the registrant (GetItem, held to WEBINAR#).
 */
export const DISPATCHER_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'];
export const SENDER_TABLE_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
const DISPATCHER_TABLE_ACCESS: TableAccess = { actions: DISPATCHER_TABLE_ACTIONS, queryIndexes: GSIS.map((gsi) => gsi.indexName) };
const SENDER_TABLE_ACCESS: TableAccess = { actions: SENDER_TABLE_ACTIONS, queryIndexes: [] };

/**
 * SES account-level reputation (AWS/SES, no dimensions): AWS reviews an account at a 5 % bounce
 * rate and a 0.1 % complaint rate and may pause sending at 10 % and 0.5 %. Alarm before review:
 * bounces at 4 %, complaints at 0.1 % (the product's ceiling). Values are fractions.
 */
export const SES_REPUTATION_ALARMS = [
  { id: 'SesBounceRateAlarm', metricName: 'Reputation.BounceRate', threshold: 0.04, what: 'bounce rate above 4 % (AWS reviews the account at 5 %)' },
  { id: 'SesComplaintRateAlarm', metricName: 'Reputation.ComplaintRate', threshold: 0.001, what: 'complaint rate above 0.1 % (AWS reviews the account at 0.1 %, pauses at 0.5 %)' },
] as const;

/**
 * Outbox events the bus refuses are retried every minute; a refusal in three 5-minute periods in a
 * row is no blip (a throttle passes within one): the CRM is not hearing of promotions.
 */
export const FAILED_EVENTS_ALARM = { period: Duration.minutes(5), evaluationPeriods: 3 } as const;

/** Permanently failed sends tolerated per period before the alarm fires (single refused addresses are noise). */
export const FAILED_SENDS_ALARM = { threshold: 5, period: Duration.minutes(15) } as const;
/**
 * The oldest send request's age that means the pipeline is stuck: sends go out within minutes of
 * their schedule at any realistic quota, so an hour-old request is not waiting its turn.
 */
export const SEND_QUEUE_MAX_AGE = Duration.hours(1);

export interface StatelessStackProps extends StackProps {
  readonly stage: string;
  /** The validated team config: schedules, SES identities and configuration sets come from it. */
  readonly config: EngineConfig;
  /** The single table; its stream (the stateful stack enables it) feeds the KPI counters. */
  readonly table: dynamodb.ITable;
  readonly linkSecret: secretsmanager.ISecret;
  /** Bearer token of the ingest API; only the HTTP function reads it. */
  readonly ingestTokenSecret: secretsmanager.ISecret;
  /** Signs the dashboard's login links and sessions. */
  readonly dashboardSecret: secretsmanager.ISecret;
  /** The Zoom app's webhook secret token; only the Zoom webhook function reads it. */
  readonly zoomWebhookSecret: secretsmanager.ISecret;
  /** The stage's event bus (stateful stack): the dispatcher publishes the outbox to it; product usage arrives on it. */
  readonly eventBus: events.IEventBus;
  /** The CRM hand-off of CSQL promotions (`-c csqlWebhookUrl=...`); absent, no rule. */
  readonly crmWebhook?: CrmWebhookSettings;
  /** The public base URL of the tracking links; absent, the tracking API's own URL. */
  readonly linkBaseUrl?: string;
  /** Subscribed (email) to the alarm topic when given (`cdk deploy -c alarmEmail=ops@example.com`). */
  readonly alarmEmail?: string;
  /** The SES quota and latency (and Lambda concurrency) the sender is sized for; DEFAULT_SENDER_SIZING fills the rest. */
  readonly senderSizing?: Partial<Pick<SenderCapacityInputs, 'maxSendRate' | 'sesLatencyMs' | 'lambdaConcurrencyAvailable'>>;
  /** A run's dispatch workers at most (`-c dispatchMaxWorkers=64`); DEFAULT_DISPATCH_MAX_WORKERS when absent. */
  readonly dispatchMaxWorkers?: number;
}

export class StatelessStack extends Stack {
  readonly sendQueue: sqs.Queue;
  readonly sendDeadLetterQueue: sqs.Queue;
  /** A campaign run's fan-out: one message per contact-list shard, consumed by the dispatcher. */
  readonly dispatchShardQueue: sqs.Queue;
  readonly dispatchShardDeadLetterQueue: sqs.Queue;
  /** Scheduled dispatcher invocations that failed: Scheduler delivery failures and failed runs. */
  readonly scheduleDeadLetterQueue: sqs.Queue;
  readonly dispatcher: EngineFunction;
  readonly sender: EngineFunction;
  /** The sender's instances and each one's share of the SES rate, from the sizing model. */
  readonly senderCapacity: SenderCapacity;
  readonly ses: SesSending;
  readonly schedules: CampaignSchedules;
  readonly trackingApi: TrackingApi;
  readonly sesEvents: SesEvents;
  readonly webinars: WebinarEvents;
  readonly usageEvents: UsageEvents;
  readonly kpiCounters: KpiCounters;
  readonly crmWebhook: CrmWebhook | undefined;
  readonly alarmNotifications: AlarmNotifications;
  readonly dashboard: PipelineDashboard;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const isProd = props.stage === 'prod';

    this.sendDeadLetterQueue = new sqs.Queue(this, 'SendDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Two weeks to look at a failed send request and redrive it.
      retentionPeriod: Duration.days(14),
    });
    this.sendQueue = new sqs.Queue(this, 'SendQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's guidance for Lambda event sources: 6x the function timeout plus the batching
      // window, so a batch still being retried by a slow instance is not handed to another.
      visibilityTimeout: Duration.seconds(6 * SENDER_TIMEOUT.toSeconds() + SENDER_BATCH_WINDOW.toSeconds()),
      deadLetterQueue: { queue: this.sendDeadLetterQueue, maxReceiveCount: SEND_MAX_RECEIVE_COUNT },
    });
    this.dispatchShardDeadLetterQueue = new sqs.Queue(this, 'DispatchShardDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.dispatchShardQueue = new sqs.Queue(this, 'DispatchShardQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Just over the dispatcher's timeout, not AWS's 6x: a shard whose worker was killed resumes
      // from its checkpoint within minutes, and the event source's maximum concurrency keeps
      // pollers from being throttled (the case the 6x guards against).
      visibilityTimeout: DISPATCHER_TIMEOUT.plus(Duration.minutes(1)),
      deadLetterQueue: { queue: this.dispatchShardDeadLetterQueue, maxReceiveCount: DISPATCH_SHARD_MAX_RECEIVE_COUNT },
    });
    this.scheduleDeadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.scheduleDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: EventBridge Scheduler and the dispatcher\'s asynchronous ' +
        'invocation config deliver failed invocations here (cdk-nag only recognises DLQs named in an SQS redrive policy).',
    });

    this.ses = new SesSending(this, 'Ses', { senders: props.config.senders });

    // Each function gets the variables its composition root reads (lambdas/<fn>/composition.ts), no more.
    const metricsNamespace = pipelineMetricsNamespace(props.stage);
    const dispatchMaxWorkers = props.dispatchMaxWorkers ?? DEFAULT_DISPATCH_MAX_WORKERS;
    this.dispatcher = new EngineFunction(this, 'Dispatcher', {
      entry: 'lambdas/dispatcher/handler.ts',
      description: 'Nurture engine dispatcher: resolves a campaign run\'s audience and queues its sends',
      // A shard task stops a minute before this and queues itself again to continue.
      timeout: DISPATCHER_TIMEOUT,
      memorySize: 1024,
      environment: {
        TABLE_NAME: props.table.tableName,
        SEND_QUEUE_URL: this.sendQueue.queueUrl,
        DISPATCH_SHARD_QUEUE_URL: this.dispatchShardQueue.queueUrl,
        DISPATCH_MAX_WORKERS: String(dispatchMaxWorkers),
        EVENT_BUS_NAME: props.eventBus.eventBusName,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.dispatcher,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
      },
      isProd,
      config: props.config,
      configParts: DISPATCHER_CONFIG_PARTS,
      // Scheduler invokes asynchronously: a run that still fails after Lambda's retries lands
      // next to Scheduler's own delivery failures, under the same alarm.
      onFailure: new SqsDestination(this.scheduleDeadLetterQueue),
    });
    this.senderCapacity = senderCapacity({ ...DEFAULT_SENDER_SIZING, ...props.senderSizing, minConcurrency: SENDER_MIN_CONCURRENCY });
    const senderConcurrency = this.senderCapacity.concurrency;
    this.sender = new EngineFunction(this, 'Sender', {
      entry: 'lambdas/sender/handler.ts',
      description: 'Nurture engine sender: renders queued sends and sends them through SES v2',
      timeout: SENDER_TIMEOUT,
      memorySize: 512,
      environment: {
        TABLE_NAME: props.table.tableName,
        ...(props.linkBaseUrl === undefined ? {} : { LINK_BASE_URL: props.linkBaseUrl }),
        LINK_SECRET_ARN: props.linkSecret.secretArn,
        SENDER_CONCURRENCY: String(senderConcurrency),
        SENDER_BURST_SECONDS: String(this.senderCapacity.burstSeconds),
        POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.sender,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
      },
      isProd,
      config: props.config,
      configParts: SENDER_CONFIG_PARTS,
      reservedConcurrentExecutions: senderConcurrency,
    });

    grantTableAccess(this.dispatcher.role, props.table, DISPATCHER_TABLE_ACCESS);
    grantTableAccess(this.sender.role, props.table, SENDER_TABLE_ACCESS);
    // The pause switch (core/sending/sending-pause.ts): one Query per batch, on the pause partition only.
    this.sender.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [keys.sendingPause(PAUSE_ALL).PK] } },
      }),
    );
    // A webinar email is checked against the session (cancelled, moved) and the registrant (attended) at send time.
    this.sender.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.table.tableArn], conditions: leadingKeys(PARTITION.webinar) }));

    // SendMessageBatch is authorised as sqs:SendMessage; the queue URL comes from the environment.
    this.dispatcher.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.sendQueue.queueArn] }));
    // A campaign job fans out onto the shard queue, and a shard task out of time queues its continuation there.
    this.dispatcher.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.dispatchShardQueue.queueArn] }));
    this.dispatcher.function.addEventSource(
      new SqsEventSource(this.dispatchShardQueue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: dispatchMaxWorkers }),
    );
    // The outbox publisher: PutEvents on the stage's bus only, and only as the engine's event source.
    this.dispatcher.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn], conditions: { StringEquals: { 'events:source': CSQL_EVENT_SOURCE } } }),
    );

    this.sender.function.addEventSource(
      new SqsEventSource(this.sendQueue, {
        batchSize: SENDER_BATCH_SIZE,
        maxBatchingWindow: SENDER_BATCH_WINDOW,
        reportBatchItemFailures: true,
        // Without this, SQS pollers outrun the reserved concurrency, get throttled, and the
        // throttled receives count towards maxReceiveCount: good requests end up in the DLQ.
        maxConcurrency: senderConcurrency,
      }),
    );
    this.sender.role.addToPolicy(this.ses.sendEmailStatement());
    this.sender.role.addToPolicy(new iam.PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
    Validations.of(this.sender.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ses:GetAccount (the send quota the sender paces itself to) is an account-level action: IAM defines no ' +
        'resource type for it, so "*" is the only resource it can be granted on. It is the only "*" in this policy.',
    });
    props.linkSecret.grantRead(this.sender.role);

    this.schedules = new CampaignSchedules(this, 'Schedules', {
      stage: props.stage,
      campaigns: props.config.campaigns,
      dispatcher: this.dispatcher.function,
      deadLetterQueue: this.scheduleDeadLetterQueue,
    });

    this.trackingApi = new TrackingApi(this, 'TrackingApi', {
      stage: props.stage,
      apiName: `nurture-engine-${props.stage}`,
      config: props.config,
      table: props.table,
      linkSecret: props.linkSecret,
      ingestTokenSecret: props.ingestTokenSecret,
      dashboardSecret: props.dashboardSecret,
      ...(props.linkBaseUrl === undefined ? {} : { linkBaseUrl: props.linkBaseUrl }),
      isProd,
    });
    // No tracking domain given: the links point at the API itself (it serves them), never at a placeholder.
    if (props.linkBaseUrl === undefined) this.sender.function.addEnvironment('LINK_BASE_URL', this.trackingApi.api.apiEndpoint);
    new CfnOutput(this, 'TrackingApiUrl', {
      value: this.trackingApi.url,
      description: 'Endpoint of the tracking and ingest HTTP API: the links in emails use it unless -c linkBaseUrl=<your tracking domain in front of it> is given',
    });

    this.sesEvents = new SesEvents(this, 'SesEvents', {
      sending: this.ses,
      stage: props.stage,
      config: props.config,
      table: props.table,
      linkSecret: props.linkSecret,
      isProd,
    });

    this.webinars = new WebinarEvents(this, 'Webinars', {
      stage: props.stage,
      config: props.config,
      table: props.table,
      zoomWebhookSecret: props.zoomWebhookSecret,
      api: this.trackingApi.api,
      isProd,
    });
    new CfnOutput(this, 'ZoomWebhookUrl', {
      value: `${this.trackingApi.api.apiEndpoint}${ZOOM_WEBHOOK_PATH}`,
      description: "The Event notification endpoint URL to give the Zoom app (docs/deploy.md); its Secret Token goes into the stateful stack's ZoomWebhookSecretArn",
    });

    // Product usage published to the engine's bus (ProductUsageReported) is stored and scored.
    this.usageEvents = new UsageEvents(this, 'UsageEvents', { config: props.config, table: props.table, eventBus: props.eventBus, isProd });

    // Counts sends and engagement per email run from the table's stream, and pauses on bad reputation.
    this.kpiCounters = new KpiCounters(this, 'KpiCounters', { stage: props.stage, config: props.config, table: props.table, isProd });

    this.crmWebhook = props.crmWebhook === undefined ? undefined : new CrmWebhook(this, 'CrmWebhook', { stage: props.stage, eventBus: props.eventBus, ...props.crmWebhook });

    this.addAlarms(props.stage);
    // After every alarm exists: each one, whoever added it, notifies the topic.
    this.alarmNotifications = new AlarmNotifications(this, 'AlarmNotifications', { stage: props.stage, ...(props.alarmEmail ? { email: props.alarmEmail } : {}) });
    this.dashboard = new PipelineDashboard(this, 'Dashboard', {
      stage: props.stage,
      sendQueue: this.sendQueue,
      deadLetterQueues: [
        this.sendDeadLetterQueue,
        this.dispatchShardDeadLetterQueue,
        this.scheduleDeadLetterQueue,
        this.sesEvents.deadLetterQueue,
        this.webinars.deadLetterQueue,
        this.usageEvents.deadLetterQueue,
        this.kpiCounters.deadLetterQueue,
        ...(this.crmWebhook ? [this.crmWebhook.deadLetterQueue] : []),
      ],
      webinarQueue: this.webinars.queue,
      functions: this.functions(),
      api: this.trackingApi,
    });
  }

  /** Every engine function, by the name operators know it by. */
  functions(): ReadonlyMap<string, EngineFunction> {
    return new Map([
      ['Dispatcher', this.dispatcher],
      ['Sender', this.sender],
      ['Tracking', this.trackingApi.function],
      ['Ingest', this.trackingApi.ingestFunction],
      ['Dashboard', this.trackingApi.dashboardFunction],
      ['SesEvents', this.sesEvents.function],
      ['ZoomWebhook', this.webinars.webhookFunction],
      ['WebinarEvents', this.webinars.eventsFunction],
      ['UsageEvents', this.usageEvents.function],
      ['KpiCounters', this.kpiCounters.function],
    ]);
  }

  /** A pipeline metric (lambdas/runtime/pipeline-metrics.ts) as one function writes it, summed per period. */
  private pipelineMetric(stage: string, metricName: string, service: string, period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: pipelineMetricsNamespace(stage), metricName, dimensionsMap: { service }, period, statistic: cloudwatch.Stats.SUM });
  }

  private addAlarms(stage: string): void {
    const dlqDepth = (id: string, queue: sqs.Queue, what: string, then = 'Inspect the messages, fix the cause, then redrive them.') =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: `${what} ${then}`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    dlqDepth('SendDeadLetterAlarm', this.sendDeadLetterQueue, `Send requests failed ${SEND_MAX_RECEIVE_COUNT} times and were parked: these emails have not gone out.`);
    dlqDepth('DispatchShardDeadLetterAlarm', this.dispatchShardDeadLetterQueue, `A shard of a campaign run failed ${DISPATCH_SHARD_MAX_RECEIVE_COUNT} times and was parked: its contacts after the shard's checkpoint have not been dispatched and the run stays dispatching. Redriven, it continues from the checkpoint.`);
    dlqDepth('ScheduleDeadLetterAlarm', this.scheduleDeadLetterQueue, 'A scheduled dispatcher job (campaign run, deferred-send release, sequence steps, webinar sweep or event publishing) did not run.');

    const errors = (id: string, fn: EngineFunction, what: string) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: what,
        metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    errors('SenderErrorsAlarm', this.sender, 'The sender failed whole invocations (not single records): queued emails are being retried and may reach the DLQ.');
    errors('DispatcherErrorsAlarm', this.dispatcher, 'The dispatcher failed: a campaign run, deferred-send release, sequence step run, webinar sweep or event publishing run did not complete.');

    new cloudwatch.Alarm(this, 'CsqlEventsFailedAlarm', {
      alarmDescription:
        `The event bus refused outbox events (CsqlEventsFailed) in ${FAILED_EVENTS_ALARM.evaluationPeriods} periods of ${FAILED_EVENTS_ALARM.period.toMinutes()} minutes in a row: ` +
        'CSQL promotions are not reaching the bus, so not the CRM. They stay in the outbox and are retried every minute; the dispatcher log ' +
        'names them (failedIds). Check the bus and the dispatcher\'s events:PutEvents permission.',
      metric: this.pipelineMetric(stage, PIPELINE_METRICS.csqlEventsFailed, SERVICE_NAMES.dispatcher, FAILED_EVENTS_ALARM.period),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: FAILED_EVENTS_ALARM.evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new cloudwatch.Alarm(this, 'SendingAutoPausedAlarm', {
      alarmDescription:
        'The reputation guard paused a campaign or all sending (SendingAutoPaused): a bounce or complaint rate crossed guardrails.reputation. ' +
        'The SES events log names the scope and the rate; `npm run pause -- --status` shows the pause. Fix the cause (list hygiene, content), then resume explicitly.',
      metric: this.pipelineMetric(stage, PIPELINE_METRICS.sendingAutoPaused, SERVICE_NAMES.kpiCounters, Duration.minutes(5)),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new cloudwatch.Alarm(this, 'StrandedSendsAlarm', {
      alarmDescription:
        'A sender worker died between claiming an email and recording what SES did (EmailsStranded): nobody knows whether that email went. ' +
        'Nothing is lost: `npm run sends -- stranded` lists them with what SES shows of each; `--resolve` marks sent what SES took and sends the rest again (docs/sending.md).',
      metric: this.pipelineMetric(stage, PIPELINE_METRICS.emailsStranded, SERVICE_NAMES.sender, Duration.minutes(5)),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    errors('TrackingErrorsAlarm', this.trackingApi.function, 'The tracking function failed outside the app (cold start, secret, config): opens, clicks, unsubscribes and preference changes are failing.');
    errors('IngestErrorsAlarm', this.trackingApi.ingestFunction, 'The ingest function failed outside the app (cold start, ingest token, config): CRM imports are failing.');
    errors('DashboardErrorsAlarm', this.trackingApi.dashboardFunction, 'The dashboard function failed outside the app (cold start, dashboard secret, a read timing out): the dashboard is not loading.');

    new cloudwatch.Alarm(this, 'FailedSendsAlarm', {
      alarmDescription:
        `More than ${FAILED_SENDS_ALARM.threshold} emails in ${FAILED_SENDS_ALARM.period.toMinutes()} minutes were refused by SES for good ` +
        '(EmailsFailed): they will not go out. A single refused address is everyday noise; a burst means a template, sender ' +
        'identity or list problem. The sender log names each failed send (ids, errorName).',
      metric: this.pipelineMetric(stage, PIPELINE_METRICS.emailsFailed, SERVICE_NAMES.sender, FAILED_SENDS_ALARM.period),
      threshold: FAILED_SENDS_ALARM.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    new cloudwatch.Alarm(this, 'SendQueueAgeAlarm', {
      alarmDescription:
        `A send request has waited in the send queue for more than ${SEND_QUEUE_MAX_AGE.toMinutes()} minutes: the sender is stalled ` +
        '(errors, SES refusing the account, throttled) or the SES quota is too small for the audience. Check the sender alarms and log, and the SES quota.',
      metric: this.sendQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: SEND_QUEUE_MAX_AGE.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // Three periods in a row: one slow batch at the end of a big campaign is not an incident.
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    dlqDepth(
      'SesEventsDeadLetterAlarm',
      this.sesEvents.deadLetterQueue,
      'SES events were not recorded (EventBridge could not deliver them, or the function failed after its retries): bounces and complaints may be unsuppressed.',
    );
    errors('SesEventsErrorsAlarm', this.sesEvents.function, 'The SES events function failed: events are being retried and may reach its dead-letter queue.');

    dlqDepth(
      'WebinarEventsDeadLetterAlarm',
      this.webinars.deadLetterQueue,
      `Zoom webhooks failed ${WEBINAR_EVENT_MAX_RECEIVE_COUNT} times and were parked: registrations, attendance, reschedules or session ends are not recorded (the webinar events log names each failed message id).`,
    );
    errors('WebinarEventsErrorsAlarm', this.webinars.eventsFunction, 'The webinar events function failed whole batches (cold start, config, or every record of a batch): Zoom webhooks are being retried and may reach the webinar dead-letter queue.');
    // The app answers 500 itself when the queue refuses (counted by the API 5xx alarm); this is the function failing before or around it.
    errors('ZoomWebhookErrorsAlarm', this.webinars.webhookFunction, 'The Zoom webhook function failed (cold start, secret read): Zoom webhooks get no answer; Zoom retries them for a while, then gives up.');

    dlqDepth(
      'UsageEventsDeadLetterAlarm',
      this.usageEvents.deadLetterQueue,
      'Product usage events were not recorded (EventBridge could not deliver them, or the function failed after its retries): health and engagement scores miss them.',
    );
    errors('UsageEventsErrorsAlarm', this.usageEvents.function, 'The usage events function failed (cold start, config, or the table): usage events are being retried and may reach its dead-letter queue. Refused events are logged, not errors.');

    dlqDepth(
      'KpiCountersDeadLetterAlarm',
      this.kpiCounters.deadLetterQueue,
      'A batch of table changes failed until its records left the stream (24 hours) and was dropped: the KPI counters of the runs in it ' +
        'miss those sends and events, and the reputation auto-pause did not see them.',
      // Lambda's on-failure record of a stream batch holds its position, not its records, and those have left the stream.
      'Each message names the shard and the batch\'s sequence numbers; fix the cause (KpiCountersErrorsAlarm fired first, the function log names it). ' +
        'There is nothing to redrive: those runs\' counts stay short until they are rebuilt from the stored sends and events.',
    );
    errors(
      'KpiCountersErrorsAlarm',
      this.kpiCounters.function,
      "The KPI counters function failed a batch of the table's stream (config, the table, a bad record): that shard's batch is retried, and the shard waits behind it. The function log names the error.",
    );
    new cloudwatch.Alarm(this, 'KpiCountersIteratorAgeAlarm', {
      alarmDescription:
        `The KPI counters are more than ${KPI_ITERATOR_AGE_ALARM.threshold.toMinutes()} minutes behind the table's stream (IteratorAge): reports are stale and the ` +
        'reputation auto-pause reacts late. A batch failing again and again holds its shard (see KpiCountersErrorsAlarm and the function log); ' +
        'records left 24 hours are dropped to the KPI counters dead-letter queue.',
      metric: this.kpiCounters.function.function.metric('IteratorAge', { period: KPI_ITERATOR_AGE_ALARM.period, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: KPI_ITERATOR_AGE_ALARM.threshold.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No stream records to read (nothing sent or engaged), no data point: not a breach.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Written by the sender (Powertools Metrics, EMF) once per batch halted on an account-level refusal.
    // Those records are retried, not failed, so neither the Errors nor (for a while) the DLQ alarm would say it.
    new cloudwatch.Alarm(this, 'SesAccountLevelErrorsAlarm', {
      alarmDescription:
        'SES refused the sending account, not single emails (sending paused or suspended, access denied, credentials, ' +
        'sender identity or configuration set unusable, daily quota spent): no email goes out. The sender log names the error ' +
        '(errorName). Fix the account; queued sends are retried, and those parked in the send DLQ must be redriven (docs/sending.md).',
      metric: new cloudwatch.Metric({
        namespace: pipelineMetricsNamespace(stage),
        metricName: SES_ACCOUNT_LEVEL_ERRORS_METRIC,
        dimensionsMap: { service: SENDER_SERVICE_NAME },
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No halted batch, no data point: not a breach.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // The app turns its own exceptions into 500s, so Lambda's Errors metric misses them; 5xx does not.
    new cloudwatch.Alarm(this, 'TrackingApiServerErrorsAlarm', {
      alarmDescription: 'The tracking and ingest HTTP API answered 5xx: opens, clicks, unsubscribes or imports are failing. Check the HTTP function log.',
      metric: this.trackingApi.stage.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    for (const reputation of SES_REPUTATION_ALARMS) {
      new cloudwatch.Alarm(this, reputation.id, {
        alarmDescription: `SES account ${reputation.what}. Pause the campaigns that caused it and check list hygiene before AWS pauses sending.`,
        // SES publishes these as a rolling rate, not per send: the highest value in the hour is what AWS sees.
        metric: new cloudwatch.Metric({ namespace: 'AWS/SES', metricName: reputation.metricName, period: Duration.hours(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: reputation.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // No sending, no metric: not a breach.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }
}
