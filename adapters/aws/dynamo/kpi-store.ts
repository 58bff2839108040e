/**
 * KPI counters in DynamoDB (core/reporting/kpi-counters.ts): the transaction items that move a
 * run's counters with an event (UpdateItem ADD on `KPI#<message>` / `RUN#<run>`, and the
 * first-of-kind marker's conditional PutItem on `KPI_FIRST#...`), and the reads of them.
 */
import { GetCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { counterAttributes, countersFromAttributes, type FirstKind, type KpiCounts, type KpiMove, type RunCounters } from '../../../core/reporting/kpi-counters.ts';
import type { KpiStore } from '../../../core/ports.ts';
import type { DynamoTable } from './dynamo-table.ts';
import { expiresAtOf } from './engagement-store.ts';
import { keys, TABLE_KEYS } from './table-design.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * The transaction items of a move: the counter update, the click's per-link count when `withLink`
 * (conditional on the run's stored link set: see `linkRefused`), then one marker put per unique
 * count still `pending` (conditional: the transaction fails on a marker already there, and the
 * caller writes again without that kind, see `countedKinds`).
 */
export function kpiTransactItems(tableName: string, move: KpiMove, at: string, pending: ReadonlySet<FirstKind>, withLink = true): TransactItem[] {
  const add: Partial<KpiCounts> = { ...move.add };
  const firsts = move.firsts.filter((first) => pending.has(first.kind));
  for (const first of firsts) for (const [count, amount] of Object.entries(first.add) as Array<[keyof KpiCounts, number]>) add[count] = (add[count] ?? 0) + amount;
  const counters = Object.entries(counterAttributes(add, move.segment));
  const items: TransactItem[] = [];
  if (counters.length > 0) {
    const names: Record<string, string> = Object.fromEntries(counters.map(([name], index) => [`#c${index}`, name]));
    const values: Record<string, unknown> = Object.fromEntries(counters.map(([, amount], index) => [`:c${index}`, amount]));
    const sets = ['firstAt = if_not_exists(firstAt, :at)', 'lastAt = :at', 'messageId = :message', 'runId = :run', 'entity = :entity'];
    Object.assign(values, { ':at': at, ':message': move.run.messageId, ':run': move.run.runId, ':entity': 'kpi-run' });
    if (move.run.stepId) {
      sets.push('stepId = :step');
      values[':step'] = move.run.stepId;
    }
    items.push({
      Update: {
        TableName: tableName,
        Key: keys.kpiRun(move.run.messageId, move.run.runId),
        UpdateExpression: `ADD ${counters.map((_, index) => `#c${index} :c${index}`).join(', ')} SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    });
  }
  if (move.link && withLink) {
    const { linkSet, position, clicks, machineClicks } = move.link;
    const counts = Object.entries({ [`clicks_${position}`]: clicks, [`machineClicks_${position}`]: machineClicks }).filter(([, amount]) => amount !== 0);
    items.push({
      Update: {
        TableName: tableName,
        Key: keys.messageLinks(move.run.messageId, move.run.runId, linkSet),
        UpdateExpression: `ADD ${counts.map((_, index) => `#l${index} :l${index}`).join(', ')}`,
        // Never creates a link set that was not stored (a stray item of counters alone).
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: Object.fromEntries(counts.map(([name], index) => [`#l${index}`, name])),
        ExpressionAttributeValues: Object.fromEntries(counts.map(([, amount], index) => [`:l${index}`, amount])),
      },
    });
  }
  for (const first of firsts) {
    items.push({
      Put: {
        TableName: tableName,
        // Kept as long as the run's raw events: an event later than that is not taken anyway.
        Item: { ...keys.kpiFirst(move.run.messageId, move.run.runId, move.contactId, first.kind), entity: 'kpi-first', at, [TABLE_KEYS.ttlAttribute]: expiresAtOf(at) },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });
  }
  return items;
}

/**
 * The kinds whose marker refused the write (`reasons` of the items `kpiTransactItems` returned, in
 * its order): the contact was already counted for them.
 */
export function countedKinds(move: KpiMove, pending: ReadonlySet<FirstKind>, reasons: ReadonlyArray<{ Code?: string | undefined } | undefined>): FirstKind[] {
  const firsts = move.firsts.filter((first) => pending.has(first.kind));
  // The counter update comes first when there is one; the markers follow in order.
  const offset = reasons.length - firsts.length;
  return firsts.filter((_, index) => reasons[offset + index]?.Code === 'ConditionalCheckFailed').map((first) => first.kind);
}

/**
 * True when the link count's condition refused the write (the event names a link set the run never
 * stored): the caller writes again without it, so the event and its other counts still go in.
 */
export function linkRefused(move: KpiMove, pending: ReadonlySet<FirstKind>, withLink: boolean, reasons: ReadonlyArray<{ Code?: string | undefined } | undefined>): boolean {
  if (!move.link || !withLink) return false;
  // The link item sits just before the markers.
  const markers = move.firsts.filter((first) => pending.has(first.kind)).length;
  return reasons[reasons.length - markers - 1]?.Code === 'ConditionalCheckFailed';
}

export class DynamoKpiStore implements KpiStore {
  constructor(private readonly table: DynamoTable) {}

  async runCountersOf(messageId: string): Promise<RunCounters[]> {
    const range = keys.kpiRunsOf(messageId);
    const items = await this.table.queryAll({ KeyConditionExpression: 'PK = :pk AND begins_with(SK, :run)', ExpressionAttributeValues: { ':pk': range.PK, ':run': range.SKPrefix } });
    return items.map((item) => {
      const run = { messageId, runId: String(item.runId), ...(typeof item.stepId === 'string' ? { stepId: item.stepId } : {}) };
      return countersFromAttributes(run, String(item.firstAt), item);
    });
  }

  /** One run's counters (a consistent read: the auto-pause decides on it). */
  async runCounters(messageId: string, runId: string): Promise<RunCounters | undefined> {
    const { Item: item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.kpiRun(messageId, runId), ConsistentRead: true }));
    return item ? countersFromAttributes({ messageId, runId, ...(typeof item.stepId === 'string' ? { stepId: item.stepId } : {}) }, String(item.firstAt), item) : undefined;
  }
}
