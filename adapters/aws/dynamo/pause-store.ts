/** The pause switch in DynamoDB: one item per paused scope under `CONTROL` (docs/data-model.md). */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../../../core/qualification/csql-promotion.ts';
import { outboxEntryPut } from './csql-store.ts';
import { sendingPauseSchema, type SendingPause } from '../../../core/sending/sending-pause.ts';
import type { SendingPauseStore } from '../../../core/ports.ts';
import { keys } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

export class DynamoSendingPauseStore implements SendingPauseStore {
  constructor(private readonly table: DynamoTable) {}

  async pause(pause: SendingPause): Promise<void> {
    await this.table.doc.send(new PutCommand({ TableName: this.table.tableName, Item: { ...keys.sendingPause(pause.scope), entity: 'sending-pause', ...pause } }));
  }

  pauseOnce(pause: SendingPause, outbox: OutboxEntry): Promise<boolean> {
    const put = { TableName: this.table.tableName, Item: { ...keys.sendingPause(pause.scope), entity: 'sending-pause', ...pause }, ConditionExpression: 'attribute_not_exists(PK)' };
    // False when already paused (by an operator or an earlier check): that pause stays as it is.
    return this.table.transactConditionally([{ Put: put }, { Put: outboxEntryPut(this.table.tableName, outbox) }]);
  }

  resume(scope: string): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(new DeleteCommand({ TableName: this.table.tableName, Key: keys.sendingPause(scope), ConditionExpression: 'attribute_exists(PK)' })),
    );
  }

  async listPauses(): Promise<SendingPause[]> {
    const { PK, SK } = keys.sendingPause('');
    // Strongly consistent: a pause must take effect on the next batch, not after replication.
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :pause)',
      ExpressionAttributeValues: { ':pk': PK, ':pause': SK },
      ConsistentRead: true,
    });
    return items.map((item) => itemToEntity(sendingPauseSchema, item));
  }
}
