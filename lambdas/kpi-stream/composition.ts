/**
 * The KPI counters function's composition root: the DynamoDB stores the counting and the
 * reputation guard use, and the guard's limits and emails from the bundled config. Built on the
 * first batch, once per container.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { DynamoTable } from '../../adapters/aws/dynamo/dynamo-table.ts';
import { DynamoKpiBatchStore } from '../../adapters/aws/dynamo/kpi-batch-store.ts';
import { kpiStreamConsumer, type KpiStreamBatchHandler } from '../../adapters/aws/dynamo/kpi-stream-consumer.ts';
import { systemClock } from '../../adapters/local/system-clock.ts';
import { reputationGuardOf } from '../../core/sending/reputation-guard.ts';
import { readBundledConfig } from '../runtime/bundled-config.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { configRootOf, readEnvironment } from '../runtime/environment.ts';
import { KPI_STREAM_CONFIG_PARTS } from '../runtime/function-config-parts.ts';

/** Service name from POWERTOOLS_SERVICE_NAME; metrics namespace from POWERTOOLS_METRICS_NAMESPACE (set in infra/). */
export const logger = new Logger();
export const metrics = new Metrics();

export const kpiStreamRuntime = onceBuilt(async (): Promise<KpiStreamBatchHandler> => {
  const env = readEnvironment(process.env, ['TABLE_NAME']);
  const config = readBundledConfig(configRootOf(env), KPI_STREAM_CONFIG_PARTS);
  const client = new DynamoDBClient({});
  const store = createDynamoStore(client, env.TABLE_NAME);
  return kpiStreamConsumer({
    batches: new DynamoKpiBatchStore(new DynamoTable(client, env.TABLE_NAME)),
    // A campaign (or all sending) whose bounce or complaint rate crosses the limits pauses itself.
    reputation: reputationGuardOf(store, config, systemClock),
    onUnreadable: (record) => logger.error('stream record left out of the KPI counts: it cannot be read', record),
  });
});
