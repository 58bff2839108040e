/**
 * The KPI counters' stream consumer on the laptop: the consumer the KpiCounters function runs in
 * AWS (adapters/aws/dynamo/kpi-stream-consumer.ts), fed by the local poller over DynamoDB Local's
 * stream of the table (local/table-stream-poller.ts) instead of Lambda's event source.
 *
 * One consumer per table at a time, as in AWS: the running engine (`npm start`, the demo) reads the
 * stream in the background; a command-line tool reads it only when it started its own DynamoDB
 * Local on the data folder (no engine runs). The position read up to is kept in the data folder,
 * so a restart goes on where it stopped and counts nothing twice.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { tableStreamArn } from '../adapters/aws/dynamo/create-table.ts';
import { DynamoTable } from '../adapters/aws/dynamo/dynamo-table.ts';
import { DynamoKpiBatchStore } from '../adapters/aws/dynamo/kpi-batch-store.ts';
import { kpiStreamConsumer, type KpiStreamRecord } from '../adapters/aws/dynamo/kpi-stream-consumer.ts';
import type { KpiBatchOutcome } from '../core/reporting/count-kpi-changes.ts';
import type { ReputationGuardDeps } from '../core/sending/reputation-guard.ts';
import { LOCAL_AWS } from './dynamodb-local.ts';
import { fileStreamPositions } from './stream-positions.ts';
import { TableStreamPoller, type StreamPollerLog } from './table-stream-poller.ts';

/** The stream position's file in the data folder: the engine and a tool that owns the data folder read on from it. */
export const STREAM_POSITIONS_FILE = 'stream-positions.json';

export interface LocalKpiStreamOptions {
  client: DynamoDBClient;
  endpoint: string;
  tableName: string;
  /** The file the position is kept in (the data folder's); default: in memory (tests, benches). */
  positionsFile?: string;
  /** The reputation auto-pause (or where to find it when a batch comes: tests change it); absent: counts only. */
  reputation?: ReputationGuardDeps | (() => ReputationGuardDeps | undefined);
  /** Records per batch (default 1000, the KpiCounters function's batch size). */
  batchSize?: number;
  /** Told each counted batch's outcome (an auto-pause included). */
  onOutcome?: (outcome: KpiBatchOutcome) => void;
  logger?: StreamPollerLog;
}

export interface LocalKpiStream {
  /** Reads the stream in the background until stop(). */
  start(): void;
  stop(): Promise<void>;
  /** Counts everything written before the call; resolves with the outcomes of the batches it counted. */
  drain(): Promise<KpiBatchOutcome[]>;
}

export async function openLocalKpiStream(options: LocalKpiStreamOptions): Promise<LocalKpiStream> {
  const log: StreamPollerLog = options.logger ?? ((entry) => console.error(JSON.stringify(entry)));
  const batches = new DynamoKpiBatchStore(new DynamoTable(options.client, options.tableName));
  const consume = (records: readonly KpiStreamRecord[]) => {
    const reputation = typeof options.reputation === 'function' ? options.reputation() : options.reputation;
    return kpiStreamConsumer({
      batches,
      ...(reputation ? { reputation } : {}),
      onUnreadable: (record) => log({ level: 'error', message: 'stream record left out of the KPI counts: it cannot be read', ...record }),
    })(records);
  };
  let collected: KpiBatchOutcome[] | undefined;
  const poller = new TableStreamPoller({
    streams: new DynamoDBStreamsClient({ ...LOCAL_AWS, endpoint: options.endpoint }),
    streamArn: await tableStreamArn(options.client, options.tableName),
    ...(options.positionsFile ? { positions: fileStreamPositions(options.positionsFile) } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    logger: log,
    onBatch: async (records) => {
      const outcome = await consume(records as readonly KpiStreamRecord[]);
      if (!outcome) return;
      collected?.push(outcome);
      options.onOutcome?.(outcome);
    },
  });
  return {
    start: () => poller.start(),
    stop: () => poller.stop(),
    drain: async () => {
      const outcomes: KpiBatchOutcome[] = [];
      collected = outcomes;
      try {
        await poller.drain();
      } finally {
        collected = undefined;
      }
      return outcomes;
    },
  };
}
