/**
 * Dispatch checkpoints in DynamoDB: one item per (run, shard) in the run's partition
 * (`RUN#<campaign>#<run>` / `DISPATCH_SHARD#<shard>`), replaced whole after each page on the
 * condition that it still holds the page before, so a page's counts are added exactly once.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dispatchShardProgressSchema, type DispatchShardProgress } from '../../../core/campaigns/dispatch-shard.ts';
import type { DispatchProgressStore } from '../../../core/ports.ts';
import { keys } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

export class DynamoDispatchProgressStore implements DispatchProgressStore {
  constructor(private readonly table: DynamoTable) {}

  async shardProgress(campaignId: string, runId: string, shard: number): Promise<DispatchShardProgress | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.dispatchShard(campaignId, runId, shard), ConsistentRead: true }));
    return Item ? itemToEntity(dispatchShardProgressSchema, Item) : undefined;
  }

  savePage(progress: DispatchShardProgress): Promise<boolean> {
    const first = progress.pages === 1;
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...keys.dispatchShard(progress.campaignId, progress.runId, progress.shard), entity: 'dispatch-shard', ...progress },
          ConditionExpression: first ? 'attribute_not_exists(PK)' : 'pages = :previous',
          ...(first ? {} : { ExpressionAttributeValues: { ':previous': progress.pages - 1 } }),
        }),
      ),
    );
  }

  async listShardProgress(campaignId: string, runId: string): Promise<DispatchShardProgress[]> {
    const range = keys.dispatchShardsOfRun(campaignId, runId);
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :shard)',
      ExpressionAttributeValues: { ':pk': range.PK, ':shard': range.SKPrefix },
      ConsistentRead: true,
    });
    return items.map((item) => itemToEntity(dispatchShardProgressSchema, item));
  }
}
