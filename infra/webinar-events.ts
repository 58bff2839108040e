/**
 * Zoom's webinar webhooks into the engine. `POST /webhooks/zoom` on the HTTP API goes to a small
 * function (lambdas/zoom-webhook/handler.ts) that verifies the signature with the Zoom app's secret
 * token, puts the raw delivery on the webinar queue and answers: Zoom wants an answer within
 * 3 seconds and resends otherwise. The webinar events function (lambdas/webinar-events/handler.ts)
 * drains the queue with partial batch failures; what keeps failing is parked in the dead-letter
 * queue. Two roles: the webhook's may only send to the queue and read the secret (no table at all);
 * the consumer's only the webinar use cases' item actions, each held to its partitions.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { WEBINAR_EVENTS_CONFIG_PARTS, ZOOM_WEBHOOK_CONFIG_PARTS } from '../lambdas/runtime/function-config-parts.ts';
import { pipelineMetricsNamespace, SERVICE_NAMES } from '../lambdas/runtime/pipeline-metrics.ts';
import { EngineFunction } from './engine-function.ts';
import { leadingKeys, PARTITION, webinarRunPartitions } from './table-partitions.ts';

/** The route Zoom is given (http/zoom-webhook-routes.ts mounted at /webhooks). */
export const ZOOM_WEBHOOK_PATH = '/webhooks/zoom';

/** Zoom waits 3 seconds for an answer; anything slower is resent anyway. */
export const ZOOM_WEBHOOK_TIMEOUT = Duration.seconds(10);
/** More memory is more CPU: a cold start (secret read, SQS client) must fit inside Zoom's 3 seconds. */
export const ZOOM_WEBHOOK_MEMORY_MB = 512;

/** A session's end finalizes it: every registrant's watch time, events and follow-ups, in one record. */
export const WEBINAR_EVENTS_TIMEOUT = Duration.minutes(2);
export const WEBINAR_EVENTS_MEMORY_MB = 512;
export const WEBINAR_EVENTS_BATCH_SIZE = 10;
/**
 * Instances draining the queue at once. Webhooks of one session arrive in bursts (joins at the
 * start, leaves at the end) and touch the same session item; two instances keep up with any
 * webinar's bursts without them mostly retrying each other's revision checks.
 */
export const WEBINAR_EVENTS_CONCURRENCY = 2;
/** Receives before a webhook is parked in the dead-letter queue (processing is idempotent, so retries are safe). */
export const WEBINAR_EVENT_MAX_RECEIVE_COUNT = 5;

/**
 * The webinar events function's item actions (core/webinars over adapters/aws/dynamo), each held
 * to the partitions it touches:
 * - reads: session states and registrants (GetItem, WEBINAR#), the contact owning an address
 *   (GetItem / BatchGetItem of the email look-up, EMAIL#, then of the contact, CONTACT#).
 * - writes: the session state created from the config, its revision-checked changes, registrants
 *   (conditional PutItem, WEBINAR#) and events (conditional PutItem, EVENTS#); the session's actual
 *   start and end, the follow-ups mark, answers (UpdateItem, WEBINAR#); attendance marks, watch-time
 *   summaries and parked webinar emails (BatchWriteItem: ATTENDANCE#, WEBINAR#, and the configured
 *   webinars' own runs `RUN#<webinar>#*`, never a campaign's or sequence's).
 * - a finalized session's marks and registrants (Query on the base table, WEBINAR# and ATTENDANCE#).
 * - the engagement path: score moves (UpdateItem ADD in the event's transaction) and rebasing
 *   (GetItem, conditional PutItem), SCORE# only.
 * No index, no delete; no profile write.
 */
export function webinarEventsTableStatements(tableArn: string, webinarRuns: readonly string[]): iam.PolicyStatement[] {
  const statement = (actions: string[], ...partitions: string[]) => new iam.PolicyStatement({ actions, resources: [tableArn], conditions: leadingKeys(...partitions) });
  return [
    // SCORE#: the engagement path's score moves (UpdateItem ADD in the event's transaction) and rebasing once per era (GetItem, PutItem).
    statement(['dynamodb:GetItem', 'dynamodb:BatchGetItem'], PARTITION.webinar, PARTITION.emailLookUp, PARTITION.contact, PARTITION.scores),
    statement(['dynamodb:PutItem'], PARTITION.webinar, PARTITION.events, PARTITION.scores),
    statement(['dynamodb:UpdateItem'], PARTITION.webinar, PARTITION.scores),
    statement(['dynamodb:BatchWriteItem'], PARTITION.webinar, PARTITION.attendance, ...webinarRuns),
    statement(['dynamodb:Query'], PARTITION.webinar, PARTITION.attendance),
  ];
}

export interface WebinarEventsProps {
  readonly stage: string;
  readonly config: EngineConfig;
  readonly table: dynamodb.ITable;
  /** The Zoom app's secret token (stateful stack; its value is put by ops: docs/deploy.md). */
  readonly zoomWebhookSecret: secretsmanager.ISecret;
  /** The HTTP API the webhook route is added to. */
  readonly api: apigwv2.HttpApi;
  readonly isProd: boolean;
}

export class WebinarEvents extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly webhookFunction: EngineFunction;
  readonly eventsFunction: EngineFunction;
  readonly routes: apigwv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: WebinarEventsProps) {
    super(scope, id);
    const metricsNamespace = pipelineMetricsNamespace(props.stage);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Two weeks to look at a webhook that kept failing and redrive it.
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The route takes bodies up to 256 KiB; as a JSON string inside the delivery, escaping may grow one past SQS's old 256 KiB limit.
      maxMessageSizeBytes: 1024 * 1024,
      // AWS's guidance for Lambda event sources: 6x the function timeout.
      visibilityTimeout: Duration.seconds(6 * WEBINAR_EVENTS_TIMEOUT.toSeconds()),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: WEBINAR_EVENT_MAX_RECEIVE_COUNT },
    });

    this.webhookFunction = new EngineFunction(this, 'ZoomWebhook', {
      entry: 'lambdas/zoom-webhook/handler.ts',
      description: 'Nurture engine Zoom webhook: verifies the signature, queues the webinar event, answers Zoom',
      timeout: ZOOM_WEBHOOK_TIMEOUT,
      memorySize: ZOOM_WEBHOOK_MEMORY_MB,
      environment: {
        ZOOM_SECRET_ARN: props.zoomWebhookSecret.secretArn,
        WEBINAR_QUEUE_URL: this.queue.queueUrl,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.zoomWebhook,
      },
      isProd: props.isProd,
      config: props.config,
      configParts: ZOOM_WEBHOOK_CONFIG_PARTS,
    });
    // Exactly these two: it can neither read nor write the table, nor receive from the queue.
    this.webhookFunction.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    props.zoomWebhookSecret.grantRead(this.webhookFunction.role);

    this.eventsFunction = new EngineFunction(this, 'Events', {
      entry: 'lambdas/webinar-events/handler.ts',
      description: 'Nurture engine webinar events: registrations, attendance, reschedules and ends from Zoom webhooks',
      timeout: WEBINAR_EVENTS_TIMEOUT,
      memorySize: WEBINAR_EVENTS_MEMORY_MB,
      environment: {
        TABLE_NAME: props.table.tableName,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.webinarEvents,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
      },
      isProd: props.isProd,
      config: props.config,
      configParts: WEBINAR_EVENTS_CONFIG_PARTS,
    });
    for (const statement of webinarEventsTableStatements(props.table.tableArn, webinarRunPartitions(props.config))) {
      this.eventsFunction.role.addToPrincipalPolicy(statement);
    }
    // Grants ReceiveMessage, DeleteMessage, ChangeMessageVisibility, GetQueueAttributes on this queue alone.
    this.eventsFunction.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: WEBINAR_EVENTS_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: WEBINAR_EVENTS_CONCURRENCY,
      }),
    );

    this.routes = props.api.addRoutes({
      path: ZOOM_WEBHOOK_PATH,
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('ZoomWebhook', this.webhookFunction.function),
    });
    for (const route of this.routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Zoom calls this route and cannot present AWS credentials or a JWT: it signs each request with the Zoom ' +
          "app's secret token (x-zm-signature, HMAC-SHA256 over the timestamp and raw body), which the function " +
          'verifies (with a 5-minute timestamp window) before anything is queued. Unsigned, stale or forged requests get 401.',
      });
    }
  }
}
