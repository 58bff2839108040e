/** A fresh table on the run's DynamoDB Local for one test file. */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { ensureTable } from '../../adapters/aws/dynamo/create-table.ts';
import { localDynamoClient } from '../../local/dynamodb-local.ts';
import type { Store } from '../../core/ports.ts';
import type { KpiBatchOutcome } from '../../core/reporting/count-kpi-changes.ts';
import type { ReputationGuardDeps } from '../../core/sending/reputation-guard.ts';
import { openLocalKpiStream, type LocalKpiStream } from '../../local/kpi-stream.ts';

export interface TestTable {
  tableName: string;
  client: ReturnType<typeof localDynamoClient>;
  store: Store;
  /**
   * Counts what the table's change stream holds so far into the KPI counters, as the KpiCounters
   * function does in AWS (local/kpi-stream.ts); with `reputation`, the auto-pause runs too. The
   * write paths move no counter themselves: a test reads counters after this.
   */
  countKpis(options?: { reputation?: ReputationGuardDeps }): Promise<KpiBatchOutcome[]>;
  drop(): Promise<void>;
}

/**
 * `kpiStream`: the table has its stream (as deployed), so `countKpis` can count; off by default,
 * since DynamoDB Local keeps every change of a streamed table in memory and the run's one DynamoDB
 * Local serves every test file.
 */
export async function createTestTable(prefix: string, options: { kpiStream?: boolean } = {}): Promise<TestTable> {
  const client = localDynamoClient(inject('dynamoEndpoint'));
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName, { stream: options.kpiStream ?? false });
  const endpoint = inject('dynamoEndpoint');
  // One consumer per table, as in AWS; its reputation guard is the latest asked for.
  let reputation: ReputationGuardDeps | undefined;
  let kpiStream: Promise<LocalKpiStream> | undefined;
  return {
    tableName,
    client,
    store: createDynamoStore(client, tableName),
    countKpis: async (counting = {}) => {
      if (!options.kpiStream) throw new Error(`countKpis: table ${tableName} has no stream; create it with createTestTable('${prefix}', { kpiStream: true })`);
      reputation = counting.reputation;
      kpiStream ??= openLocalKpiStream({
        client,
        endpoint,
        tableName,
        reputation: () => reputation,
      });
      return (await kpiStream).drain();
    },
    drop: async () => {
      await (await kpiStream)?.stop();
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}

/** Every item of the table as stored (a raw, consistent scan): what a test proves "nothing written" or "no trace left" with. */
export async function scanTable(table: TestTable): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(table.client);
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
