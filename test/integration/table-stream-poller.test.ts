/**
 * The local stream poller against DynamoDB Local: it must hand the KPI consumer what Lambda's
 * event source mapping would: every change once, in order per shard, a failed batch again from
 * the same first record (the consumer's idempotency key), nothing skipped, nothing handed twice
 * after a restart. And ensureTable gives an older local table its stream.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, PutItemCommand, UpdateItemCommand, type StreamSpecification } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable, tableStreamArn } from '../../adapters/aws/dynamo/create-table.ts';
import { TABLE_KEYS } from '../../adapters/aws/dynamo/table-design.ts';
import { LOCAL_AWS } from '../../local/dynamodb-local.ts';
import { fileStreamPositions } from '../../local/stream-positions.ts';
import { TableStreamPoller, type StreamBatchHandler } from '../../local/table-stream-poller.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';

let table: TestTable;
let streams: DynamoDBStreamsClient;
let streamArn: string;
const quiet = (): void => undefined;

beforeAll(async () => {
  table = await createTestTable('stream-poller', { kpiStream: true });
  streams = new DynamoDBStreamsClient({ ...LOCAL_AWS, endpoint: inject('dynamoEndpoint') });
  streamArn = await tableStreamArn(table.client, table.tableName);
});
afterAll(async () => {
  streams.destroy();
  await table.drop();
});

/** An item put, then its `version` moved twice: INSERT, MODIFY, MODIFY in the stream. */
async function writeItemHistory(id: string): Promise<void> {
  const Key = { [TABLE_KEYS.partitionKey]: { S: `POLLER#${id}` }, [TABLE_KEYS.sortKey]: { S: 'ITEM' } };
  await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: { ...Key, version: { N: '1' } } }));
  for (const version of ['2', '3']) {
    await table.client.send(new UpdateItemCommand({ TableName: table.tableName, Key, UpdateExpression: 'SET version = :v', ExpressionAttributeValues: { ':v': { N: version } } }));
  }
}

async function putItem(id: string): Promise<void> {
  await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: { [TABLE_KEYS.partitionKey]: { S: `POLLER#${id}` }, [TABLE_KEYS.sortKey]: { S: 'ITEM' }, version: { N: '1' } } }));
}

const itemId = (record: StreamRecord): string | undefined => record.dynamodb?.Keys?.[TABLE_KEYS.partitionKey]?.S;
const versionOf = (record: StreamRecord): string | undefined => record.dynamodb?.NewImage?.version?.N;

/** Keeps every batch handed, as a consumer that always succeeds. */
function recorder(): { onBatch: StreamBatchHandler; handed: StreamRecord[]; batches: StreamRecord[][] } {
  const handed: StreamRecord[] = [];
  const batches: StreamRecord[][] = [];
  return {
    handed,
    batches,
    onBatch: async (records) => {
      batches.push([...records]);
      handed.push(...records);
    },
  };
}

describe('table stream poller', () => {
  it('drain() hands every insert and modify once, in order per item, across batches', async () => {
    const ids = Array.from({ length: 12 }, (_, index) => `order-${index}`);
    await Promise.all(ids.map(writeItemHistory));
    const { onBatch, handed, batches } = recorder();
    const poller = new TableStreamPoller({ streams, streamArn, onBatch, batchSize: 7, logger: quiet });
    await poller.drain();

    const mine = handed.filter((record) => itemId(record)?.startsWith('POLLER#order-'));
    expect(mine).toHaveLength(ids.length * 3);
    expect(new Set(handed.map((record) => record.eventID)).size).toBe(handed.length);
    for (const id of ids) {
      const history = mine.filter((record) => itemId(record) === `POLLER#${id}`);
      expect(history.map((record) => [record.eventName, versionOf(record)])).toEqual([
        ['INSERT', '1'],
        ['MODIFY', '2'],
        ['MODIFY', '3'],
      ]);
      expect(history[1]?.dynamodb?.OldImage?.version?.N).toBe('1');
    }
    expect(batches.every((batch) => batch.length <= 7)).toBe(true);
    const sequence = handed.map((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0'));
    expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

    // A later drain hands only what was written since.
    await writeItemHistory('order-late');
    const before = handed.length;
    await poller.drain();
    expect(handed.slice(before).map((record) => [itemId(record), record.eventName])).toEqual([
      ['POLLER#order-late', 'INSERT'],
      ['POLLER#order-late', 'MODIFY'],
      ['POLLER#order-late', 'MODIFY'],
    ]);
  });

  it('retries a failed batch from the same first record, with what arrived since, and skips nothing', async () => {
    // Catch up on the other tests' records first, so this test's first batch starts at its own item.
    const positions = new Map<string, string>();
    const sharedPositions = { load: async (arn: string, shard: string) => positions.get(`${arn} ${shard}`), save: async (arn: string, shard: string, sequence: string) => void positions.set(`${arn} ${shard}`, sequence) };
    await new TableStreamPoller({ streams, streamArn, onBatch: async () => undefined, positions: sharedPositions, logger: quiet }).drain();

    for (let index = 0; index < 4; index += 1) await putItem(`retry-${index}`);
    const attempts: StreamRecord[][] = [];
    const logged: Array<Record<string, unknown>> = [];
    let failuresLeft = 1;
    const poller = new TableStreamPoller({
      streams,
      streamArn,
      positions: sharedPositions,
      batchSize: 50,
      logger: (entry) => logged.push(entry),
      onBatch: async (records) => {
        attempts.push([...records]);
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          // Written while the batch was failing: the retry may carry it too, as Lambda's would.
          await putItem('retry-4');
          throw new Error('counter update throttled');
        }
      },
    });
    await poller.drain();

    expect(attempts.length).toBeGreaterThanOrEqual(2);
    const [failed, retried] = attempts;
    expect(failed?.map(itemId)).toEqual(['POLLER#retry-0', 'POLLER#retry-1', 'POLLER#retry-2', 'POLLER#retry-3']);
    expect(retried?.[0]?.eventID).toBe(failed?.[0]?.eventID);
    const succeeded = attempts.slice(1).flat();
    expect(succeeded.map(itemId)).toEqual(['POLLER#retry-0', 'POLLER#retry-1', 'POLLER#retry-2', 'POLLER#retry-3', 'POLLER#retry-4']);
    expect(logged).toEqual([expect.objectContaining({ level: 'ERROR', firstEventId: failed?.[0]?.eventID, error: { name: 'Error', message: 'counter update throttled' } })]);
  });

  it('the background loop hands new writes without drain(), and drain() alongside it hands nothing twice', async () => {
    const { onBatch, handed } = recorder();
    const poller = new TableStreamPoller({ streams, streamArn, onBatch, idleMs: 20, logger: quiet });
    poller.start();
    try {
      await poller.drain(); // everything so far
      const before = handed.length;
      await Promise.all(['loop-0', 'loop-1', 'loop-2'].map(writeItemHistory));
      await expect.poll(() => handed.slice(before).length, { timeout: 5_000 }).toBe(9);
      await Promise.all(['loop-3', 'loop-4'].map(writeItemHistory));
      await poller.drain();
      const mine = handed.slice(before).map((record) => record.eventID);
      expect(mine).toHaveLength(15);
      expect(new Set(mine).size).toBe(15);
    } finally {
      await poller.stop();
    }
  });

  it('a restarted poller with saved positions does not hand the records it handed before', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stream-positions-'));
    try {
      const file = join(folder, 'stream-positions.json');
      const first = recorder();
      await new TableStreamPoller({ streams, streamArn, onBatch: first.onBatch, positions: fileStreamPositions(file), logger: quiet }).drain();
      expect(first.handed.length).toBeGreaterThan(0);
      await putItem('after-restart');
      const second = recorder();
      await new TableStreamPoller({ streams, streamArn, onBatch: second.onBatch, positions: fileStreamPositions(file), logger: quiet }).drain();
      expect(second.handed.map((record) => [itemId(record), record.eventName])).toEqual([['POLLER#after-restart', 'INSERT']]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('ensureTable and the stream', () => {
  const createOldTable = (tableName: string, stream?: StreamSpecification) =>
    table.client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        ...(stream ? { StreamSpecification: stream } : {}),
      }),
    );

  it('turns the stream on for a table kept from before the stream, once', async () => {
    const tableName = `${table.tableName}-old`;
    await createOldTable(tableName);
    try {
      await expect(tableStreamArn(table.client, tableName)).rejects.toThrow(/has no stream/);
      expect(await ensureTable(table.client, tableName)).toBe(false);
      const described = await table.client.send(new DescribeTableCommand({ TableName: tableName }));
      expect(described.Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
      const arn = await tableStreamArn(table.client, tableName);
      expect(await ensureTable(table.client, tableName)).toBe(false);
      expect(await tableStreamArn(table.client, tableName)).toBe(arn);
    } finally {
      await table.client.send(new DeleteTableCommand({ TableName: tableName }));
    }
  });

  it('replaces a stream without old images, which a send reaching sent needs', async () => {
    const tableName = `${table.tableName}-keys`;
    await createOldTable(tableName, { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });
    try {
      const keysOnly = await tableStreamArn(table.client, tableName);
      await ensureTable(table.client, tableName);
      const described = await table.client.send(new DescribeTableCommand({ TableName: tableName }));
      expect(described.Table?.StreamSpecification?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
      expect(await tableStreamArn(table.client, tableName)).not.toBe(keysOnly);
    } finally {
      await table.client.send(new DeleteTableCommand({ TableName: tableName }));
    }
  });
});
