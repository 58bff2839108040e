/**
 * Creates the table (and turns on TTL and the change stream) where CloudFormation does not:
 * DynamoDB Local for the local runtime and the integration tests. Same key design as the CDK stack.
 * The stream (new and old images) feeds the KPI counters; a local table kept from before the
 * stream existed gets it turned on here.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
  type StreamSpecification,
} from '@aws-sdk/client-dynamodb';
import { GSIS, TABLE_KEYS } from './table-design.ts';

/** The stream the KPI counters are moved from: a MODIFY must show what the item was (send reaching `sent`). */
export const TABLE_STREAM: StreamSpecification & { StreamViewType: 'NEW_AND_OLD_IMAGES' } = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' };

/**
 * Creates the table if it is missing, or turns its stream on when it exists without one;
 * returns true when the table was created now. `stream: false` (tests that never count KPIs) leaves
 * the stream off: DynamoDB Local keeps every change of a streamed table in memory for 24 hours.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string, options: { stream?: boolean } = {}): Promise<boolean> {
  const stream = options.stream ?? true;
  const attributeNames = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...GSIS.flatMap((gsi) => [gsi.partitionKey, gsi.sortKey])];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeNames.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: GSIS.map((gsi) => ({
          IndexName: gsi.indexName,
          KeySchema: [
            { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        ...(stream ? { StreamSpecification: TABLE_STREAM } : {}),
      }),
    );
  } catch (error) {
    if (error instanceof ResourceInUseException) {
      if (stream) await ensureTableStream(client, tableName);
      return false;
    }
    throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttlAttribute, Enabled: true },
    }),
  );
  return true;
}

export async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

/**
 * Turns the table's stream on when it is off (a local table from before the counters moved to the
 * stream: the local runtime keeps its DynamoDB Local data between runs). A stream with another
 * view type is replaced: the counters need both images. Does nothing when the stream is right.
 */
export async function ensureTableStream(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const current = table?.StreamSpecification;
  if (current?.StreamEnabled && current.StreamViewType === TABLE_STREAM.StreamViewType) return;
  if (current?.StreamEnabled) {
    // DynamoDB changes a stream's view type only by turning it off and on (a new stream ARN).
    await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }));
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
  }
  await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: TABLE_STREAM }));
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
}

/** The ARN of the table's current stream, which the KPI stream consumer reads. */
export async function tableStreamArn(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const arn = table?.StreamSpecification?.StreamEnabled ? table.LatestStreamArn : undefined;
  if (!arn) throw new Error(`table ${tableName} has no stream: create it with ensureTable (it turns the stream on), or enable NEW_AND_OLD_IMAGES on it`);
  return arn;
}
