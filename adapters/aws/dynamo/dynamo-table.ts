/**
 * The table handle every DynamoDB store adapter shares: one document client, one table name,
 * and the few helpers they all need (conditional-write outcome, item to entity, paging).
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, type BatchGetCommandOutput, type BatchWriteCommandOutput, QueryCommand, type QueryCommandInput, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { cursorOf, exclusiveStartKeyOf } from './query-cursor.ts';

export class DynamoTable {
  readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Runs a conditional write; false when the condition failed (the write was a duplicate). */
  async conditionally(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** A transaction; false (nothing written) when one of its conditions failed. */
  async transactConditionally(items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<boolean> {
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
      if ((error as { name?: string }).name === 'TransactionCanceledException' && reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) return false;
      throw error;
    }
  }

  /** Every item a query matches, following LastEvaluatedKey. */
  async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /** How many items a query matches (Select COUNT), following LastEvaluatedKey: nothing but the count comes back. */
  async queryCount(input: Omit<QueryCommandInput, 'TableName' | 'Select' | 'ExclusiveStartKey'>): Promise<number> {
    let count = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ ...input, TableName: this.tableName, Select: 'COUNT', ExclusiveStartKey }));
      count += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return count;
  }

  /**
   * One page of a query: at most `limit` items after `cursor` (an opaque LastEvaluatedKey, see
   * query-cursor.ts), and the cursor of the next page (absent after the last).
   */
  async queryPage(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>, cursor: string | undefined, limit: number): Promise<{ items: Record<string, unknown>[]; cursor?: string }> {
    const page = await this.doc.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: exclusiveStartKeyOf(cursor), Limit: limit }));
    const next = cursorOf(page.LastEvaluatedKey);
    return { items: page.Items ?? [], ...(next ? { cursor: next } : {}) };
  }

  /** BatchGet in chunks of 100, retrying unprocessed keys with backoff. */
  async batchGet(keyList: Record<string, string>[], projection?: string): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    for (let start = 0; start < keyList.length; start += 100) {
      let pending: Record<string, unknown>[] | undefined = keyList.slice(start, start + 100);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const result: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: pending,
                ...(projection ? { ProjectionExpression: projection } : {}),
              },
            },
          }),
        );
        found.push(...(result.Responses?.[this.tableName] ?? []));
        pending = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }
}

/** Writes (puts and deletes) in chunks of 25, retrying unprocessed items with backoff. */
export async function batchWrite(
  table: DynamoTable,
  requests: ReadonlyArray<{ PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } }>,
): Promise<void> {
  for (let start = 0; start < requests.length; start += 25) {
    let pending: BatchWriteCommandOutput['UnprocessedItems'] = { [table.tableName]: requests.slice(start, start + 25) as never };
    for (let attempt = 0; pending?.[table.tableName]?.length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result: BatchWriteCommandOutput = await table.doc.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = result.UnprocessedItems;
    }
  }
}

/** Reads an entity back from an item: keeps only the schema's fields, then validates them. */
export function itemToEntity<S extends z.ZodObject>(schema: S, item: Record<string, unknown>): z.output<S> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    if (item[key] !== undefined) fields[key] = item[key];
  }
  return schema.parse(fields);
}
