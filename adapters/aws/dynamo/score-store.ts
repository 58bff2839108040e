/**
 * Decaying scores in DynamoDB: one item per contact and per account with the scaled sum, the
 * scaled share of each signal (`signal_<name>`, for explanations) and the epoch they are stated
 * against. Events move them inside the event's own transaction (engagement-store.ts, with the
 * updates built here): ADD under the condition that the item is new or of the same epoch, so no
 * write reads first and no increment lands on a rebased sum. Rebasing replaces a score under the
 * condition that nothing moved it since it was read.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { storedScoreSchema, type ScoreScope, type ScoreUpdate, type StoredScore } from '../../../core/scoring/score.ts';
import type { ScoreStore } from '../../../core/ports.ts';
import { keys } from './table-design.ts';
import type { DynamoTable } from './dynamo-table.ts';

const SIGNAL_PREFIX = 'signal_';

export class DynamoScoreStore implements ScoreStore {
  constructor(private readonly table: DynamoTable) {}

  async getScore(scope: ScoreScope, id: string): Promise<StoredScore | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keyOf(scope, id), ConsistentRead: true }));
    return Item ? toScore(Item) : undefined;
  }

  async getScores(scope: ScoreScope, ids: readonly string[]): Promise<Map<string, StoredScore>> {
    const items = await this.table.batchGet([...new Set(ids)].map((id) => keyOf(scope, id)));
    return new Map(
      items.map((item) => {
        const score = toScore(item);
        return [score.id, score];
      }),
    );
  }

  replaceScore(expected: StoredScore, next: StoredScore): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: itemOf({ ...next, version: expected.version + 1 }),
          // Exactly the read state: an add in between (same epoch, so allowed) would otherwise be lost.
          // Items from before versions have none: they match version 0.
          ConditionExpression: expected.version === 0 ? 'attribute_not_exists(version) OR version = :version' : 'version = :version',
          ExpressionAttributeValues: { ':version': expected.version },
        }),
      ),
    );
  }
}

/** One UpdateItem per score item of an event (its signals summed), for the event's transaction. */
export function scoreItemUpdates(scores: readonly ScoreUpdate[], at: string): Array<{ scope: ScoreScope; id: string; command: { Key: Record<string, string>; UpdateExpression: string; ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } }> {
  const byItem = new Map<string, ScoreUpdate[]>();
  for (const update of scores) {
    const key = `${update.scope}\u0000${update.id}`;
    byItem.set(key, [...(byItem.get(key) ?? []), update]);
  }
  return [...byItem.values()].map((updates) => {
    const [first] = updates as [ScoreUpdate, ...ScoreUpdate[]];
    const signals = new Map<string, number>();
    for (const update of updates) signals.set(update.signal, (signals.get(update.signal) ?? 0) + update.scaled);
    const names: Record<string, string> = { '#scope': 'scope', '#id': 'id' };
    const values: Record<string, unknown> = { ':total': [...signals.values()].reduce((sum, value) => sum + value, 0), ':epoch': first.epoch, ':at': at, ':scope': first.scope, ':id': first.id, ':entity': 'score', ':one': 1 };
    const adds = [...signals.entries()].map(([signal, scaled], index) => {
      names[`#s${index}`] = `${SIGNAL_PREFIX}${signal}`;
      values[`:s${index}`] = scaled;
      return `#s${index} :s${index}`;
    });
    return {
      scope: first.scope,
      id: first.id,
      command: {
        Key: keyOf(first.scope, first.id),
        UpdateExpression: `ADD scaledSum :total, version :one, ${adds.join(', ')} SET epoch = if_not_exists(epoch, :epoch), updatedAt = :at, #scope = :scope, #id = :id, entity = :entity`,
        ConditionExpression: 'attribute_not_exists(scaledSum) OR epoch = :epoch',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  });
}

function itemOf(score: StoredScore): Record<string, unknown> {
  return {
    ...keyOf(score.scope, score.id),
    entity: 'score',
    scope: score.scope,
    id: score.id,
    epoch: score.epoch,
    scaledSum: score.scaledSum,
    updatedAt: score.updatedAt,
    version: score.version,
    ...Object.fromEntries(Object.entries(score.signals).map(([signal, scaled]) => [`${SIGNAL_PREFIX}${signal}`, scaled])),
  };
}

function toScore(item: Record<string, unknown>): StoredScore {
  const signals: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(SIGNAL_PREFIX)) signals[name.slice(SIGNAL_PREFIX.length)] = Number(value);
  }
  return storedScoreSchema.parse({ scope: item.scope, id: item.id, ...(item.epoch === undefined ? {} : { epoch: Number(item.epoch) }), scaledSum: Number(item.scaledSum), signals, updatedAt: item.updatedAt, version: Number(item.version ?? 0) });
}

function keyOf(scope: ScoreScope, id: string) {
  return scope === 'contact' ? keys.contactScore(id) : keys.accountScore(id);
}
