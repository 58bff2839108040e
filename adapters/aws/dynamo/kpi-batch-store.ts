/**
 * The counters' side of the change stream in DynamoDB (core/reporting/count-kpi-changes.ts):
 * per batch and counter, one `KPI_BATCH#<batch>` item records what the batch applied, moved in
 * one transaction with the counter (`KPI#<message>` / `RUN#<run>`, or the run's link set), and the
 * first-of-kind markers (`KPI_FIRST#...`), each a conditional put naming the change that claimed it.
 *
 * Cost: a transaction per counter per batch (a batch of up to a thousand changes touches a few
 * counters), a marker put per person's open, click, bounce, complaint or unsubscribe that could be
 * a contact's first; nothing per sent or delivered email.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { counterIdOf, type KpiCounterDelta, type KpiCounterRef } from '../../../core/reporting/count-kpi-changes.ts';
import type { FirstKind, KpiRunRef } from '../../../core/reporting/kpi-counters.ts';
import type { KpiBatchStore } from '../../../core/ports.ts';
import type { DynamoTable } from './dynamo-table.ts';
import { expiresAtOf } from './engagement-store.ts';
import { keys, TABLE_KEYS } from './table-design.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A batch is retried within the stream's 24 hours; its records are kept a little longer, then expire. */
const BATCH_RECORD_DAYS = 2;
/** Transactions on a counter another shard's batch moves at the same moment are tried this often before the batch is retried. */
const MAX_CONFLICT_ATTEMPTS = 6;

export class DynamoKpiBatchStore implements KpiBatchStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async appliedOf(batchId: string): Promise<KpiCounterDelta[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.kpiBatchOf(batchId).PK }, ConsistentRead: true });
    return items.map((item) => ({
      counter: item.counter as KpiCounterRef,
      add: (item.add ?? {}) as Record<string, number>,
      firstAt: String(item.firstAt),
      lastAt: String(item.lastAt),
      version: Number(item.version),
    }));
  }

  async applyDelta(batchId: string, previous: KpiCounterDelta | undefined, next: KpiCounterDelta): Promise<'applied' | 'conflict' | 'missing'> {
    const difference = differenceOf(previous?.add ?? {}, next.add);
    const version = (previous?.version ?? 0) + 1;
    const record: TransactItem = {
      Put: {
        TableName: this.table.tableName,
        Item: {
          ...keys.kpiBatch(batchId, counterIdOf(next.counter)),
          entity: 'kpi-batch',
          counter: next.counter,
          add: next.add,
          firstAt: next.firstAt,
          lastAt: next.lastAt,
          version,
          [TABLE_KEYS.ttlAttribute]: Math.floor(this.now().getTime() / 1000) + BATCH_RECORD_DAYS * 86_400,
        },
        ConditionExpression: previous ? 'version = :version' : 'attribute_not_exists(PK)',
        ...(previous ? { ExpressionAttributeValues: { ':version': previous.version ?? 0 } } : {}),
      },
    };
    const counter = Object.keys(difference).length > 0 ? counterUpdate(this.table.tableName, next, difference) : undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.table.doc.send(new TransactWriteCommand({ TransactItems: counter ? [record, counter] : [record] }));
        return 'applied';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) && (error as { name?: string }).name !== 'TransactionCanceledException') throw error;
        const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'conflict';
        // Only a link set's update is conditional: the run never stored that link set.
        if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'missing';
        if (attempt >= MAX_CONFLICT_ATTEMPTS || !reasons.some((reason) => reason.Code === 'TransactionConflict')) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
      }
    }
  }

  async claimFirst(run: KpiRunRef, contactId: string, kind: FirstKind, sourceId: string, at: string): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          // Kept as long as the run's raw events: an event later than that is not taken anyway.
          Item: { ...keys.kpiFirst(run.messageId, run.runId, contactId, kind), entity: 'kpi-first', at, sourceId, [TABLE_KEYS.ttlAttribute]: expiresAtOf(at) },
          // A marker from before the stream (no sourceId) counted its contact already.
          ConditionExpression: 'attribute_not_exists(PK) OR sourceId = :source',
          ExpressionAttributeValues: { ':source': sourceId },
        }),
      ),
    );
  }
}

function differenceOf(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  const difference: Record<string, number> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const amount = (after[name] ?? 0) - (before[name] ?? 0);
    if (amount !== 0) difference[name] = amount;
  }
  return difference;
}

/** The counter's update: ADD each amount; a run counter also says which run it is and when its changes happened. */
function counterUpdate(tableName: string, delta: KpiCounterDelta, difference: Record<string, number>): TransactItem {
  const amounts = Object.entries(difference);
  const names: Record<string, string> = Object.fromEntries(amounts.map(([name], index) => [`#c${index}`, name]));
  const values: Record<string, unknown> = Object.fromEntries(amounts.map(([, amount], index) => [`:c${index}`, amount]));
  const add = `ADD ${amounts.map((_, index) => `#c${index} :c${index}`).join(', ')}`;
  const { counter } = delta;
  if (counter.kind === 'link') {
    return {
      Update: {
        TableName: tableName,
        Key: keys.messageLinks(counter.run.messageId, counter.run.runId, counter.linkSet),
        UpdateExpression: add,
        // Never creates a link set that was not stored (a stray item of counters alone).
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }
  const sets = ['firstAt = if_not_exists(firstAt, :first)', 'lastAt = :last', 'messageId = :message', 'runId = :run', 'entity = :entity'];
  Object.assign(values, { ':first': delta.firstAt, ':last': delta.lastAt, ':message': counter.run.messageId, ':run': counter.run.runId, ':entity': 'kpi-run' });
  if (counter.run.stepId) {
    sets.push('stepId = :step');
    values[':step'] = counter.run.stepId;
  }
  return { Update: { TableName: tableName, Key: keys.kpiRun(counter.run.messageId, counter.run.runId), UpdateExpression: `${add} SET ${sets.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
}
