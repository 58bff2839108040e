/**
 * Decaying scores in DynamoDB: one UpdateItem with ADD per event, on the total and on the
 * signal's share (kept as `signal_<name>` attributes for explanations). No read, no race.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { storedScoreSchema, type ScoreScope, type StoredScore } from '../../../core/scoring/score.ts';
import type { ScoreStore } from '../../../core/ports.ts';
import { keys } from './table-design.ts';
import type { DynamoTable } from './dynamo-table.ts';

const SIGNAL_PREFIX = 'signal_';

export class DynamoScoreStore implements ScoreStore {
  constructor(private readonly table: DynamoTable) {}

  async addToScore(scope: ScoreScope, id: string, signal: string, scaledIncrement: number, at: Date): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keyOf(scope, id),
        UpdateExpression: 'ADD scaledSum :increment, #signal :increment SET updatedAt = :at, #scope = :scope, #id = :id, entity = :entity',
        ExpressionAttributeNames: { '#signal': `${SIGNAL_PREFIX}${signal}`, '#scope': 'scope', '#id': 'id' },
        ExpressionAttributeValues: { ':increment': scaledIncrement, ':at': at.toISOString(), ':scope': scope, ':id': id, ':entity': 'score' },
      }),
    );
  }

  async getScore(scope: ScoreScope, id: string): Promise<StoredScore | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keyOf(scope, id) }));
    return Item ? toScore(Item) : undefined;
  }

  async getScores(scope: ScoreScope, ids: readonly string[]): Promise<Map<string, StoredScore>> {
    const items = await this.table.batchGet([...new Set(ids)].map((id) => keyOf(scope, id)));
    return new Map(items.map((item) => {
      const score = toScore(item);
      return [score.id, score];
    }));
  }
}

function toScore(Item: Record<string, unknown>): StoredScore {
    const signals: Record<string, number> = {};
    for (const [name, value] of Object.entries(Item)) {
      if (name.startsWith(SIGNAL_PREFIX)) signals[name.slice(SIGNAL_PREFIX.length)] = Number(value);
    }
    return storedScoreSchema.parse({ scope: Item.scope, id: Item.id, scaledSum: Item.scaledSum, signals, updatedAt: Item.updatedAt });
}

function keyOf(scope: ScoreScope, id: string) {
  return scope === 'contact' ? keys.contactScore(id) : keys.accountScore(id);
}
