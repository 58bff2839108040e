/**
 * KPI counters function: the table's change stream (a DynamoDB event source, one batch of one
 * shard at a time, filtered to events and sends) hands it records; the consumer
 * (adapters/aws/dynamo/kpi-stream-consumer.ts) counts them into the runs' KPI counters and runs
 * the reputation auto-pause over the runs whose bounces or complaints moved.
 *
 * Any failure throws: the event source retries the same batch from its first record (no bisect,
 * no item failures: the counting's exactness depends on it) until it succeeds or its records
 * expire, then it goes to the dead-letter queue (infra). The iterator-age alarm says when counters
 * lag. A record that should count but cannot be read is logged at error level and left out.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { KpiBatchOutcome } from '../../core/reporting/count-kpi-changes.ts';
import type { KpiStreamBatchHandler, KpiStreamRecord } from '../../adapters/aws/dynamo/kpi-stream-consumer.ts';
import { addCount, publishCounts } from '../runtime/metric-counts.ts';
import { PIPELINE_METRICS } from '../runtime/pipeline-metrics.ts';
import { kpiStreamRuntime, logger, metrics } from './composition.ts';

export interface KpiStreamHandlerDeps {
  consumer: () => Promise<KpiStreamBatchHandler>;
  logger: Pick<Logger, 'info' | 'error'>;
  /** Told how many scopes the reputation guard paused after a batch. */
  countAutoPaused?: (count: number) => void;
}

export function createKpiStreamHandler(deps: KpiStreamHandlerDeps): (event: { Records?: readonly KpiStreamRecord[] }) => Promise<KpiBatchOutcome | undefined> {
  return async (event) => {
    const records = event.Records ?? [];
    const outcome = await (await deps.consumer())(records);
    if (outcome && outcome.autoPaused.length > 0) {
      // Sending stopped by itself: loud, with the reason (rates and counts, no address).
      deps.logger.error('reputation auto-pause: sending paused until resumed explicitly (npm run resume)', { pauses: outcome.autoPaused });
      deps.countAutoPaused?.(outcome.autoPaused.length);
    }
    deps.logger.info('KPI batch counted', { records: records.length, batchId: records[0]?.eventID, countersMoved: outcome?.countersMoved ?? 0, firsts: outcome?.firsts ?? 0 });
    return outcome;
  };
}

const handleBatch = createKpiStreamHandler({
  consumer: kpiStreamRuntime,
  logger,
  countAutoPaused: (count) => addCount(metrics, PIPELINE_METRICS.sendingAutoPaused, count),
});

export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  try {
    await handleBatch(event as { Records?: readonly KpiStreamRecord[] });
  } finally {
    publishCounts(metrics);
  }
}
