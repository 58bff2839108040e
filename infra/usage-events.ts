/**
 * Product usage as EventBridge events into the engine: a rule on the engine's own bus (stateful
 * stack, infra/engine-event-bus.ts) matching `detail-type: ProductUsageReported` invokes the usage
 * events function (lambdas/usage-events/handler.ts), which stores the record and records it as a
 * `product-usage` signal through the engagement path. A refused event is logged and dropped by the
 * handler (it cannot get better); events EventBridge cannot deliver, and invocations that still
 * fail after Lambda's own retries (the store), land in one dead-letter queue.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { keys } from '../adapters/aws/dynamo/table-design.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { PRODUCT_USAGE_DETAIL_TYPE } from '../core/scoring/usage-event.ts';
import { USAGE_EVENTS_CONFIG_PARTS } from '../lambdas/runtime/function-config-parts.ts';
import { EngineFunction } from './engine-function.ts';
import { leadingKeys, PARTITION } from './table-partitions.ts';

/** POWERTOOLS_SERVICE_NAME of the usage events function (its log's `service`). */
export const USAGE_EVENTS_SERVICE_NAME = 'nurture-engine-usage-events';
export const USAGE_EVENTS_TIMEOUT = Duration.seconds(30);
export const USAGE_EVENTS_MEMORY_MB = 512;
/** EventBridge's retries when it cannot hand an event to Lambda (throttling, a missing function). */
export const USAGE_EVENTS_TARGET_RETRY = { retryAttempts: 4, maxEventAge: Duration.hours(2) } as const;

/** Partitions of the usage items (adapters/aws/dynamo/table-design.ts): raw records, and the account's (latest values, profile). */
export const USAGE_PARTITION = { records: keys.usageRecord('*', '', '').PK, account: keys.account('*').PK } as const;

/**
 * The usage path's item actions (core/scoring/usage-event.ts over adapters/aws/dynamo), each held
 * to the partitions it touches:
 * - the reference checks: known accounts (BatchGetItem, ACCOUNT#), the named contact (BatchGetItem, CONTACT#).
 * - the records: one conditional PutItem each (USAGE#); the account's latest values (UpdateItem, and
 *   GetItem when a condition fails, on `ACCOUNT#<id>` / `USAGE#latest`).
 * - the engagement path: the event (conditional PutItem, EVENTS#) and its score moves (UpdateItem
 *   ADD in the event's transaction), and rebasing (GetItem, conditional PutItem), SCORE# only.
 * No index, no delete, no Query.
 */
export function usageEventsTableStatements(tableArn: string): iam.PolicyStatement[] {
  const statement = (actions: string[], ...partitions: string[]) => new iam.PolicyStatement({ actions, resources: [tableArn], conditions: leadingKeys(...partitions) });
  return [
    statement(['dynamodb:BatchGetItem'], USAGE_PARTITION.account, PARTITION.contact),
    statement(['dynamodb:GetItem'], USAGE_PARTITION.account, PARTITION.scores),
    statement(['dynamodb:PutItem'], USAGE_PARTITION.records, PARTITION.events, PARTITION.scores),
    statement(['dynamodb:UpdateItem'], USAGE_PARTITION.account, PARTITION.scores),
  ];
}

export interface UsageEventsProps {
  readonly config: EngineConfig;
  readonly table: dynamodb.ITable;
  /** The engine's bus (stateful stack) the product publishes usage to. */
  readonly eventBus: events.IEventBus;
  readonly isProd: boolean;
}

export class UsageEvents extends Construct {
  readonly function: EngineFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: UsageEventsProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', "the usage events rule target (EventBridge delivery failures) and the function's asynchronous invocation config (failed invocations) deliver here");

    this.function = new EngineFunction(this, 'Function', {
      entry: 'lambdas/usage-events/handler.ts',
      description: 'Nurture engine usage events: stores ProductUsageReported records and scores them as engagement',
      timeout: USAGE_EVENTS_TIMEOUT,
      memorySize: USAGE_EVENTS_MEMORY_MB,
      environment: {
        TABLE_NAME: props.table.tableName,
        POWERTOOLS_SERVICE_NAME: USAGE_EVENTS_SERVICE_NAME,
      },
      isProd: props.isProd,
      config: props.config,
      configParts: USAGE_EVENTS_CONFIG_PARTS,
      // The handler throws only on infrastructure failures, so Lambda retries; what still fails is kept.
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    for (const statement of usageEventsTableStatements(props.table.tableArn)) this.function.role.addToPrincipalPolicy(statement);

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Product usage records (ProductUsageReported) on the engine bus to the usage events function',
      eventBus: props.eventBus,
      eventPattern: { detailType: [PRODUCT_USAGE_DETAIL_TYPE] },
      targets: [new targets.LambdaFunction(this.function.function, { ...USAGE_EVENTS_TARGET_RETRY, deadLetterQueue: this.deadLetterQueue })],
    });
  }

}
