/**
 * The baseline for write benches: plain unconditional BatchWriteItem, 25 items a request, a fixed
 * number of requests in flight, unprocessed items retried with backoff. The fastest a table
 * takes these items; our paths are measured against it.
 */
import { BatchWriteItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { mapBounded } from '../core/bounded-parallel.ts';

export type RawItem = Record<string, AttributeValue>;

const BATCH_SIZE = 25;
const MAX_ATTEMPTS = 10;

/** Writes every item with BatchWriteItem, `concurrency` requests in flight. */
export async function batchWriteAll(client: DynamoDBClient, tableName: string, items: readonly RawItem[], concurrency: number): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    batches.push(items.slice(start, start + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } })));
  }
  await mapBounded(batches, concurrency, async (batch) => {
    let pending: WriteRequest[] = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS) throw new Error(`BatchWriteItem into ${tableName}: ${pending.length} items still unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      pending = result.UnprocessedItems?.[tableName] ?? [];
    }
  });
}

/** Every item in the table, as stored (attribute-value maps), so a baseline writes exactly those. */
export async function scanAll(client: DynamoDBClient, tableName: string): Promise<RawItem[]> {
  const items: RawItem[] = [];
  let ExclusiveStartKey: RawItem | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
