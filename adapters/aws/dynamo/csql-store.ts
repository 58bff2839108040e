/** CSQL promotions in DynamoDB: an audit trail per account plus a feed for the sales export. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { csqlPromotionSchema, type CsqlPromotion } from '../../../core/qualification/csql-promotion.ts';
import type { CsqlStore } from '../../../core/ports.ts';
import { keys } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

export class DynamoCsqlStore implements CsqlStore {
  constructor(private readonly table: DynamoTable) {}

  recordPromotion(promotion: CsqlPromotion): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.csqlPromotion(promotion.accountId, promotion.promotedAt),
            ...keys.csqlPromotionFeed(promotion.promotedAt, promotion.accountId),
            entity: 'csql-promotion',
            ...promotion,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
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
}
