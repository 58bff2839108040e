/**
 * Stateless stack: the sending pipeline. EventBridge Scheduler invokes the dispatcher, which
 * resolves the audience and fills the send queue; the sender drains the queue into SES v2.
 * Everything here can be destroyed and redeployed: the table and the link-signing secret come
 * from the stateful stack.
 */
import { Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { GSIS } from '../adapters/aws/dynamo/table-design.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { CampaignSchedules } from './campaign-schedules.ts';
import { EngineFunction } from './engine-function.ts';
import { SesSending } from './ses-sending.ts';

/**
 * Sender instances running at once (its reserved concurrency, and the event source's maximum
 * concurrency). Each instance paces itself to MaxSendRate / SENDER_CONCURRENCY, so together
 * they stay within the account's SES quota.
 */
export const SENDER_CONCURRENCY = 5;
export const SENDER_TIMEOUT = Duration.seconds(60);
export const SENDER_BATCH_SIZE = 10;
export const SENDER_BATCH_WINDOW = Duration.seconds(1);
export const DISPATCHER_TIMEOUT = Duration.minutes(15);
/** Receives before a send request is parked in the dead-letter queue. */
export const SEND_MAX_RECEIVE_COUNT = 5;

/**
 * Item actions each function's code path uses (adapters/aws/dynamo). Query is the only call
 * that reads an index, so it is the only action granted on the indexes.
 * - dispatcher: campaign runs (Put, Get, Update), audience (Query on GSI1/GSI2, BatchGet for
 *   scores and suppressions), send history (Query on GSI2), deferrals and skips (BatchWrite),
 *   due deferred sends (Query on GSI1).
 * - sender: contacts, accounts, suppressions (BatchGet), skips (BatchWrite), the send claim
 *   (conditional Put), mark sent or failed (Update), release a claim (conditional Delete).
 */
export const DISPATCHER_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'];
export const SENDER_TABLE_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

export interface StatelessStackProps extends StackProps {
  readonly stage: string;
  /** The validated team config: schedules, SES identities and configuration sets come from it. */
  readonly config: EngineConfig;
  readonly table: dynamodb.ITable;
  readonly linkSecret: secretsmanager.ISecret;
  /** Public base URL of the tracking / unsubscribe app, written into every link. */
  readonly linkBaseUrl: string;
}

export class StatelessStack extends Stack {
  readonly sendQueue: sqs.Queue;
  readonly sendDeadLetterQueue: sqs.Queue;
  /** Scheduled dispatcher invocations that failed: Scheduler delivery failures and failed runs. */
  readonly scheduleDeadLetterQueue: sqs.Queue;
  readonly dispatcher: EngineFunction;
  readonly sender: EngineFunction;
  readonly ses: SesSending;
  readonly schedules: CampaignSchedules;

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

    const environment = (serviceName: string): Record<string, string> => ({
      TABLE_NAME: props.table.tableName,
      SEND_QUEUE_URL: this.sendQueue.queueUrl,
      LINK_BASE_URL: props.linkBaseUrl,
      LINK_SECRET_ARN: props.linkSecret.secretArn,
      SENDER_CONCURRENCY: String(SENDER_CONCURRENCY),
      POWERTOOLS_SERVICE_NAME: serviceName,
    });

    this.dispatcher = new EngineFunction(this, 'Dispatcher', {
      entry: 'lambdas/dispatcher/handler.ts',
      description: 'Nurture engine dispatcher: resolves a campaign run\'s audience and queues its sends',
      // A run pages through every contact in one invocation.
      timeout: DISPATCHER_TIMEOUT,
      memorySize: 1024,
      environment: environment('nurture-engine-dispatcher'),
      isProd,
      // Scheduler invokes asynchronously: a run that still fails after Lambda's retries lands
      // next to Scheduler's own delivery failures, under the same alarm.
      onFailure: new SqsDestination(this.scheduleDeadLetterQueue),
    });
    this.sender = new EngineFunction(this, 'Sender', {
      entry: 'lambdas/sender/handler.ts',
      description: 'Nurture engine sender: renders queued sends and sends them through SES v2',
      timeout: SENDER_TIMEOUT,
      memorySize: 512,
      environment: environment('nurture-engine-sender'),
      isProd,
      reservedConcurrentExecutions: SENDER_CONCURRENCY,
    });

    this.grantTable(this.dispatcher, props.table, DISPATCHER_TABLE_ACTIONS, { queryIndexes: true });
    this.grantTable(this.sender, props.table, SENDER_TABLE_ACTIONS, { queryIndexes: false });

    // SendMessageBatch is authorised as sqs:SendMessage; the queue URL comes from the environment.
    this.dispatcher.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.sendQueue.queueArn] }));

    this.sender.function.addEventSource(
      new SqsEventSource(this.sendQueue, {
        batchSize: SENDER_BATCH_SIZE,
        maxBatchingWindow: SENDER_BATCH_WINDOW,
        reportBatchItemFailures: true,
        // Without this, SQS pollers outrun the reserved concurrency, get throttled, and the
        // throttled receives count towards maxReceiveCount: good requests end up in the DLQ.
        maxConcurrency: SENDER_CONCURRENCY,
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

    this.addAlarms();
  }

  private grantTable(fn: EngineFunction, table: dynamodb.ITable, actions: string[], options: { queryIndexes: boolean }): void {
    fn.role.addToPolicy(new iam.PolicyStatement({ actions, resources: [table.tableArn] }));
    if (!options.queryIndexes) return;
    // Each index by name (from the shared table design) rather than `index/*`: no wildcard,
    // and an index added to the design is granted by the same change that creates it.
    fn.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: GSIS.map((gsi) => `${table.tableArn}/index/${gsi.indexName}`) }),
    );
  }

  private addAlarms(): void {
    const dlqDepth = (id: string, queue: sqs.Queue, what: string) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: `${what} Inspect the messages, fix the cause, then redrive them.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    dlqDepth('SendDeadLetterAlarm', this.sendDeadLetterQueue, `Send requests failed ${SEND_MAX_RECEIVE_COUNT} times and were parked: these emails have not gone out.`);
    dlqDepth('ScheduleDeadLetterAlarm', this.scheduleDeadLetterQueue, 'A scheduled dispatcher job (campaign run or deferred-send release) did not run.');

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
    errors('DispatcherErrorsAlarm', this.dispatcher, 'The dispatcher failed: a campaign run or deferred-send release did not complete.');
  }
}
