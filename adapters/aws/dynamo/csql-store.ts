/**
 * CSQL promotions, the account's CSQL state and the outbox in DynamoDB. A promotion (or demotion)
 * writes its audit record, the new state (conditional on the version read) and the outbox entry of
 * its event in one transaction: the event cannot be lost, and two evaluations of one account
 * cannot both promote it. The outbox is a sparse index the publisher job drains.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { csqlPromotionSchema, csqlStateSchema, outboxEntrySchema, type CsqlPromotion, type CsqlState, type OutboxEntry } from '../../../core/qualification/csql-promotion.ts';
import type { CsqlStore } from '../../../core/ports.ts';
import { keys } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

export class DynamoCsqlStore implements CsqlStore {
  constructor(private readonly table: DynamoTable) {}

  recordPromotion(promotion: CsqlPromotion): Promise<boolean> {
    return this.table.conditionally(() => this.table.doc.send(new PutCommand({ ...this.promotionPut(promotion) })));
  }

  async listPromotionsOfAccount(accountId: string): Promise<CsqlPromotion[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :csql)',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':csql': 'CSQL#' },
    });
    return items.map((item) => itemToEntity(csqlPromotionSchema, item));
  }

  async listPromotionsSince(since: Date): Promise<CsqlPromotion[]> {
    const items = await this.table.queryAll({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK >= :since',
      ExpressionAttributeValues: { ':pk': 'CSQL', ':since': since.toISOString() },
    });
    return items.map((item) => itemToEntity(csqlPromotionSchema, item));
  }

  async getState(accountId: string): Promise<CsqlState | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.csqlState(accountId), ConsistentRead: true }));
    return Item ? itemToEntity(csqlStateSchema, Item) : undefined;
  }

  async getStates(accountIds: readonly string[]): Promise<Map<string, CsqlState>> {
    const items = await this.table.batchGet([...new Set(accountIds)].map((accountId) => keys.csqlState(accountId)));
    return new Map(items.map((item) => {
      const state = itemToEntity(csqlStateSchema, item);
      return [state.accountId, state];
    }));
  }

  promote(promotion: CsqlPromotion, next: CsqlState, expectedVersion: number, outbox: OutboxEntry): Promise<boolean> {
    return this.transact([{ Put: this.promotionPut(promotion) }, { Put: this.statePut(next, expectedVersion) }, { Put: this.outboxPut(outbox) }]);
  }

  demote(next: CsqlState, expectedVersion: number, outbox: OutboxEntry): Promise<boolean> {
    return this.transact([{ Put: this.statePut(next, expectedVersion) }, { Put: this.outboxPut(outbox) }]);
  }

  async listUnpublished(limit: number): Promise<OutboxEntry[]> {
    // One page of the sparse index, oldest first: the publisher asks again for the rest.
    const { Items } = await this.table.doc.send(new QueryCommand({ TableName: this.table.tableName, IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': 'OUTBOX' }, Limit: limit }));
    return (Items ?? []).map((item) => itemToEntity(outboxEntrySchema, item));
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    // One update each: taking an entry off the sparse index keeps it as the record of what was sent.
    await Promise.all(
      ids.map((id) =>
        this.table.conditionally(() =>
          this.table.doc.send(
            new UpdateCommand({
              TableName: this.table.tableName,
              Key: keys.outboxEntry(id),
              UpdateExpression: 'REMOVE GSI1PK, GSI1SK SET publishedAt = if_not_exists(publishedAt, :now)',
              ConditionExpression: 'attribute_exists(PK)',
              ExpressionAttributeValues: { ':now': new Date().toISOString() },
            }),
          ),
        ),
      ),
    );
  }

  private promotionPut(promotion: CsqlPromotion) {
    return {
      TableName: this.table.tableName,
      Item: { ...keys.csqlPromotion(promotion.accountId, promotion.promotedAt), ...keys.csqlPromotionFeed(promotion.promotedAt, promotion.accountId), entity: 'csql-promotion', ...promotion },
      ConditionExpression: 'attribute_not_exists(PK)',
    };
  }

  private statePut(state: CsqlState, expectedVersion: number) {
    return {
      TableName: this.table.tableName,
      Item: { ...keys.csqlState(state.accountId), entity: 'csql-state', ...state },
      ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(PK) OR version = :expected' : 'version = :expected',
      ExpressionAttributeValues: { ':expected': expectedVersion },
    };
  }

  private outboxPut(entry: OutboxEntry) {
    return outboxEntryPut(this.table.tableName, entry);
  }

  private transact(items: ReadonlyArray<{ Put: { TableName: string; Item: Record<string, unknown>; ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> } }>): Promise<boolean> {
    return this.table.transactConditionally([...items]);
  }

}

/** The conditional put of an outbox entry (pending on the sparse index), for any transaction that raises an event. */
export function outboxEntryPut(tableName: string, entry: OutboxEntry) {
  return {
    TableName: tableName,
    Item: { ...keys.outboxEntry(entry.id), ...keys.outboxPending(entry.createdAt, entry.id), entity: 'outbox-entry', ...entry },
    ConditionExpression: 'attribute_not_exists(PK)',
  };
}
