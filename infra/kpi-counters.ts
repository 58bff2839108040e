/**
 * KPI counters from the table's change stream: the stateful stack's table streams new and old
 * images, and the KPI counters function (lambdas/kpi-stream/handler.ts) reads them a batch at a
 * time per shard, in order, and moves each email run's counters (core/reporting/kpi-counters.ts)
 * from the engagement events and sends it sees, then runs the reputation auto-pause on them. The
 * write path then writes only the event or the send, not the counters in a transaction with it
 * (a transaction bills every item twice: docs/cost.md).
 *
 * The consumer makes a retried batch count once by a per-batch item keyed by the batch's first
 * record, so the event source must retry a failed batch whole, from the same first record, until
 * it succeeds: no bisecting, no partial-batch responses, one batch per shard at a time. A batch
 * that never succeeds blocks its shard until its records leave the stream (24 hours), then only
 * its position (shard, sequence numbers) lands in the dead-letter queue: the records themselves
 * are gone, so the alarms on the iterator age and on errors are what catch it in time.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { COUNTED_FROM_STREAM, keys } from '../adapters/aws/dynamo/table-design.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { PAUSE_ALL } from '../core/sending/sending-pause.ts';
import { KPI_STREAM_CONFIG_PARTS } from '../lambdas/runtime/function-config-parts.ts';
import { pipelineMetricsNamespace, SERVICE_NAMES } from '../lambdas/runtime/pipeline-metrics.ts';
import { EngineFunction } from './engine-function.ts';
import { leadingKeys, PARTITION } from './table-partitions.ts';
import { KEY_ATTRIBUTES } from './tracking-api.ts';
import { KPI_COUNTS } from '../core/reporting/kpi-counters.ts';

/** What a KPI counter move writes (adapters/aws/dynamo/kpi-batch-store.ts): the counts, per tier and locale, and the run's labels. */
const KPI_ATTRIBUTES = [...KPI_COUNTS, 'tier_*', 'locale_*', 'firstAt', 'lastAt', 'messageId', 'runId', 'stepId', 'entity'];

export const KPI_COUNTERS_TIMEOUT = Duration.minutes(2);
export const KPI_COUNTERS_MEMORY_MB = 512;

/**
 * How the stream is read. Up to 1,000 records or 5 seconds per batch: a campaign's burst of sends
 * becomes a few invocations, each adding up many records into one write per counter item.
 * One batch per shard at a time (parallelizationFactor 1): the per-batch idempotency and the
 * order of a send's claim and its `sent` need the shard's order.
 */
export const KPI_STREAM_READING = { batchSize: 1000, maxBatchingWindow: Duration.seconds(5), parallelizationFactor: 1 } as const;

/**
 * Retries of a failed batch: -1 retries it until its records leave the stream. A batch dropped
 * earlier would lose counts for good (nothing else holds them), so waiting (and alarming) is better.
 */
export const KPI_STREAM_RETRY_ATTEMPTS = -1;

/**
 * How far behind the stream the counters may fall before someone is told: beyond it the reports are
 * stale and the reputation auto-pause reacts late (it decides on these counters).
 */
export const KPI_ITERATOR_AGE_ALARM = { threshold: Duration.minutes(5), period: Duration.minutes(5) } as const;

/** The `entity` of the items whose changes move counters (adapters/aws/dynamo: engagement-store.ts, send-store.ts). */
export const KPI_STREAM_ENTITIES = { engagementEvent: 'engagement-event', send: 'send' } as const;

/**
 * Lambda event filters over the stream records (any one matching invokes): a new engagement event,
 * and a send that becomes `sent` (put as sent, or updated to sent from another state). Every other
 * change to the table (claims, contacts, scores, the counters this function writes itself) is
 * dropped before the function and costs nothing.
 */
export function kpiStreamFilters(): Array<Record<string, unknown>> {
  const { FilterCriteria, FilterRule } = lambda;
  // Only items written to be counted from the stream (an upgraded table's older ones counted themselves).
  const counted = { [COUNTED_FROM_STREAM]: { BOOL: FilterRule.isEqual(true) } };
  const sent = { entity: { S: FilterRule.isEqual(KPI_STREAM_ENTITIES.send) }, state: { S: FilterRule.isEqual('sent') }, ...counted };
  return [
    FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { entity: { S: FilterRule.isEqual(KPI_STREAM_ENTITIES.engagementEvent) }, ...counted } } }),
    FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: sent } }),
    // Not a send already sent being updated again: it was counted when it became sent.
    FilterCriteria.filter({ eventName: FilterRule.isEqual('MODIFY'), dynamodb: { NewImage: sent, OldImage: { state: { S: FilterRule.notEquals('sent') } } } }),
  ];
}

/**
 * The consumer's item actions, each held to the partitions it touches:
 * - counting: the runs' counters (`KPI#`: UpdateItem ADD of the counters' own attributes), the
 *   first-of-kind markers of the unique counts (`KPI_FIRST#`: conditional PutItem), a click's
 *   per-link count (the run's `LINKS#` item: UpdateItem of `clicks_*` and `machineClicks_*` alone,
 *   as the run partition also holds the run's sends), and the per-batch record of what each attempt
 *   of a batch applied (`KPI_BATCH#`: Query, conditional PutItem).
 * - the reputation guard (core/sending/reputation-guard.ts): a run's counters (GetItem,
 *   consistent) and every email's runs (Query, `KPI#`), the pauses (Query, `CONTROL`), and a pause
 *   with its outbox event (conditional PutItem each in one transaction, `CONTROL` and `OUTBOX#`).
 * No index, no delete, no scan. Stream reads come with the event source.
 */
export function kpiCountersTableStatements(tableArn: string): iam.PolicyStatement[] {
  const statement = (actions: string[], ...partitions: string[]) => new iam.PolicyStatement({ actions, resources: [tableArn], conditions: leadingKeys(...partitions) });
  const pauses = keys.sendingPause(PAUSE_ALL).PK;
  return [
    // The guard's consistent read of a run's counters.
    statement(['dynamodb:GetItem'], PARTITION.kpi),
    // What earlier attempts of a batch applied; the guard's runs of each email and the pauses.
    statement(['dynamodb:Query'], PARTITION.kpi, PARTITION.kpiBatch, pauses),
    statement(['dynamodb:PutItem'], PARTITION.kpiFirst, PARTITION.kpiBatch, pauses, PARTITION.outbox),
    // The counters' own attributes alone: the run's counters, and a link set's click counts (its
    // partition also holds the run's sends, which this function must not touch).
    new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [PARTITION.kpi], 'dynamodb:Attributes': [...KEY_ATTRIBUTES, ...KPI_ATTRIBUTES] } },
    }),
    new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [PARTITION.messageLinks], 'dynamodb:Attributes': [...KEY_ATTRIBUTES, 'clicks_*', 'machineClicks_*'] } },
    }),
  ];
}

export interface KpiCountersProps {
  readonly stage: string;
  readonly config: EngineConfig;
  /** The table, with its stream (stateful stack). */
  readonly table: dynamodb.ITable;
  readonly isProd: boolean;
}

export class KpiCounters extends Construct {
  readonly function: EngineFunction;
  /** Positions of batches dropped after their records left the stream (Lambda's on-failure record, not the records). */
  readonly deadLetterQueue: sqs.Queue;
  readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: KpiCountersProps) {
    super(scope, id);
    if (props.table.tableStreamArn === undefined) throw new Error('KpiCounters: the table has no stream (the stateful stack enables NEW_AND_OLD_IMAGES)');

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', "the KPI counters function's stream event source sends the position of each batch it gives up on here");

    this.function = new EngineFunction(this, 'Function', {
      entry: 'lambdas/kpi-stream/handler.ts',
      description: "Nurture engine KPI counters: counts sends and engagement events from the table's stream and runs the reputation auto-pause",
      timeout: KPI_COUNTERS_TIMEOUT,
      memorySize: KPI_COUNTERS_MEMORY_MB,
      environment: {
        TABLE_NAME: props.table.tableName,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.kpiCounters,
        POWERTOOLS_METRICS_NAMESPACE: pipelineMetricsNamespace(props.stage),
      },
      isProd: props.isProd,
      config: props.config,
      configParts: KPI_STREAM_CONFIG_PARTS,
    });
    for (const statement of kpiCountersTableStatements(props.table.tableArn)) this.function.role.addToPrincipalPolicy(statement);

    this.eventSource = new DynamoEventSource(props.table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      ...KPI_STREAM_READING,
      // A failed batch is retried whole, from the same first record: the per-batch item is keyed by it.
      bisectBatchOnError: false,
      reportBatchItemFailures: false,
      retryAttempts: KPI_STREAM_RETRY_ATTEMPTS,
      onFailure: new SqsDlq(this.deadLetterQueue),
      filters: kpiStreamFilters(),
    });
    this.function.function.addEventSource(this.eventSource);
    // The event source grants the stream reads; ListStreams has no resource to hold it to.
    Validations.of(this.function.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "dynamodb:ListStreams (granted by the DynamoDB stream event source, which Lambda's poller needs) is an account-level " +
        'action: IAM defines no resource type for it, so "*" is the only resource it can be granted on. The stream reads ' +
        '(DescribeStream, GetRecords, GetShardIterator) are held to the table\'s stream.',
    });
  }
}
