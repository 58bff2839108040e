/**
 * SES events into the engine: each configuration set publishes the sending events the engine
 * records (send, delivery, bounce, complaint, reject, delivery delay, rendering failure, and
 * subscription: an opt-out through SES list management, honoured as an unsubscribe) to the
 * default EventBridge bus (the only bus SES can publish to); a rule there invokes the SES events
 * function (lambdas/ses-events/handler.ts). Events EventBridge cannot deliver, and invocations
 * that still fail after Lambda's own retries, land in one dead-letter queue.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { SES_DETAIL_TYPES, SES_SUBSCRIPTION_DETAIL_TYPE } from '../core/tracking/ses-events/ses-event.ts';
import { SES_EVENTS_CONFIG_PARTS } from '../lambdas/runtime/function-config-parts.ts';
import { pipelineMetricsNamespace, SERVICE_NAMES } from '../lambdas/runtime/pipeline-metrics.ts';
import { EngineFunction } from './engine-function.ts';
import type { SesSending } from './ses-sending.ts';
import { grantTableAccess, type TableAccess } from './table-access.ts';

/**
 * What each configuration set publishes: the types core/tracking/ses-events parses, except Send.
 * A Send event says only that SES took the email, which the sender already recorded (`markSent`),
 * and it would double the events function's invocations and writes (docs/cost.md). A claim
 * stranded between SES and `markSent` is resolved from the Delivery, Bounce, ... event instead.
 * A Send event that still arrives (a configuration set made before) is recorded as before.
 */
export const SES_PUBLISHED_EVENTS = [
  ses.EmailSendingEvent.DELIVERY,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.DELIVERY_DELAY,
  ses.EmailSendingEvent.RENDERING_FAILURE,
  ses.EmailSendingEvent.SUBSCRIPTION,
] as const;

/** The EventBridge detail-types of those events (SES spells rendering failure two ways, one detail-type). */
export const SES_EVENT_DETAIL_TYPES: readonly string[] = [...new Set([...Object.values(SES_DETAIL_TYPES), SES_SUBSCRIPTION_DETAIL_TYPE])];

export const SES_EVENTS_TIMEOUT = Duration.seconds(30);
export const SES_EVENTS_MEMORY_MB = 512;

/**
 * EventBridge's retries when it cannot hand an event to Lambda (throttling, a missing function).
 * Two hours rides out a regional blip; bounce suppressions should not wait much longer than that.
 */
export const SES_EVENTS_TARGET_RETRY = { retryAttempts: 4, maxEventAge: Duration.hours(2) } as const;

/**
 * The recording path (core/tracking/ses-events/record-ses-event.ts over adapters/aws/dynamo):
 * the send by its key when the tags are unsigned or lack the account (GetItem), by the SES
 * message id otherwise (Query on GSI1), the contact owning an address for an email of no known
 * send (GetItem of the email look-up and the contact), then the suppression and the event
 * (conditional PutItem each), and topic opt-outs from a subscription event (UpdateItem).
 */
export const SES_EVENTS_TABLE_ACCESS: TableAccess = {
  actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  queryIndexes: ['GSI1'],
};

export interface SesEventsProps {
  /** The configuration sets the sender sends through. */
  readonly sending: SesSending;
  readonly stage: string;
  readonly config: EngineConfig;
  readonly table: dynamodb.ITable;
  /** The link-signing secret: the sender signs the email tags with it, and this function checks them. */
  readonly linkSecret: secretsmanager.ISecret;
  readonly isProd: boolean;
}

export class SesEvents extends Construct {
  readonly function: EngineFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;
  readonly destinations: ses.ConfigurationSetEventDestination[];

  constructor(scope: Construct, id: string, props: SesEventsProps) {
    super(scope, id);
    const { configurationSets, names } = props.sending;
    if (configurationSets.length === 0) throw new Error('SesEvents: no configuration set to publish events from (config senders.identities is empty)');

    const defaultBus = events.EventBus.fromEventBusArn(
      this,
      'DefaultBus',
      Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
    );
    this.destinations = configurationSets.map((configurationSet) =>
      configurationSet.addEventDestination('EngineEvents', {
        destination: ses.EventDestination.eventBus(defaultBus),
        events: [...SES_PUBLISHED_EVENTS],
      }),
    );

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', "the SES events rule target (EventBridge delivery failures) and the function's asynchronous invocation config (failed invocations) deliver here");

    this.function = new EngineFunction(this, 'Function', {
      entry: 'lambdas/ses-events/handler.ts',
      description: 'Nurture engine SES events: records deliveries, bounces, complaints, ... and suppresses bounced and complaining addresses',
      timeout: SES_EVENTS_TIMEOUT,
      memorySize: SES_EVENTS_MEMORY_MB,
      environment: {
        TABLE_NAME: props.table.tableName,
        LINK_SECRET_ARN: props.linkSecret.secretArn,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.sesEvents,
        POWERTOOLS_METRICS_NAMESPACE: pipelineMetricsNamespace(props.stage),
      },
      isProd: props.isProd,
      config: props.config,
      configParts: SES_EVENTS_CONFIG_PARTS,
      // The handler throws on a store failure so Lambda retries; what still fails is kept, not dropped.
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    grantTableAccess(this.function.role, props.table, SES_EVENTS_TABLE_ACCESS);
    props.linkSecret.grantRead(this.function.role);

    this.rule = new events.Rule(this, 'Rule', {
      description: 'SES sending events of the nurture engine\'s configuration sets to the SES events function',
      eventPattern: {
        source: ['aws.ses'],
        detailType: [...SES_EVENT_DETAIL_TYPES],
        // Only our configuration sets (SES auto-tags every event with its set): other senders in
        // the account may publish to the same default bus.
        detail: { mail: { tags: { 'ses:configuration-set': names.configurationSets } } },
      },
      targets: [
        new targets.LambdaFunction(this.function.function, {
          ...SES_EVENTS_TARGET_RETRY,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}
