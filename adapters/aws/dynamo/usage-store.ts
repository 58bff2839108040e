/**
 * Product usage in DynamoDB. Raw records: one conditional put each (a record sent again writes
 * nothing), expiring by TTL like engagement events. The account's latest value per metric: one
 * item, one attribute per metric (`metric_<name>` = { value, at, recordId }), each set only when
 * the record is newer than what the attribute holds, so a late or replayed older record never
 * overwrites a newer value, metric by metric, without locks.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapBounded } from '../../../core/bounded-parallel.ts';
import type { UsageStore } from '../../../core/ports.ts';
import { latestMetricSchema, newestPerMetric, usageRecordSchema, type LatestMetric, type LatestUsage, type UsageRecord, type UsageWriteOutcome } from '../../../core/scoring/usage.ts';
import { RAW_EVENT_RETENTION_DAYS } from '../../../core/tracking/engagement-event.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';
import { keys, LATEST_USAGE_ATTRIBUTE_PREFIX, TABLE_KEYS } from './table-design.ts';

/** Conditional puts in flight at once (DynamoDB Local takes 16-64 well; see CONVENTIONS). */
const PUTS_IN_FLIGHT = 16;
/** Records read back from an instant: figures are reported together, so the newest few hold every metric. */
const USAGE_AS_OF_RECORDS = 50;
/** Concurrent writers of one account's latest item can make a condition fail again; this many rounds is plenty. */
const MAX_LATEST_ROUNDS = 10;
/** Metrics set by one UpdateItem: keeps its condition expression well under DynamoDB's 4 KB. */
const METRICS_PER_UPDATE = 40;

export class DynamoUsageStore implements UsageStore {
  constructor(private readonly table: DynamoTable) {}

  async recordUsage(records: readonly UsageRecord[]): Promise<UsageWriteOutcome> {
    const unique = new Map<string, UsageRecord>();
    for (const record of records) unique.set(recordKeyOf(record), record);
    const written = await mapBounded([...unique.values()], PUTS_IN_FLIGHT, (record) => this.putRecord(record));
    // The latest values move whether or not the raw record was new: a retry after a failure
    // between the two writes then completes the work (an unchanged value is not written again).
    const byAccount = new Map<string, UsageRecord[]>();
    for (const record of unique.values()) byAccount.set(record.accountId, [...(byAccount.get(record.accountId) ?? []), record]);
    const moves = [...byAccount].flatMap(([accountId, ofAccount]) => chunksOf([...newestPerMetric(ofAccount)], METRICS_PER_UPDATE).map((chunk) => [accountId, new Map(chunk)] as const));
    await mapBounded(moves, PUTS_IN_FLIGHT, ([accountId, newest]) => this.moveLatest(accountId, newest));
    const stored = written.filter(Boolean).length;
    return { stored, duplicates: records.length - stored };
  }

  async latestUsage(accountId: string): Promise<LatestUsage | undefined> {
    const item = await this.readLatest(accountId);
    if (!item) return undefined;
    const metrics: Record<string, LatestMetric> = {};
    for (const [name, value] of Object.entries(item)) {
      if (name.startsWith(LATEST_USAGE_ATTRIBUTE_PREFIX)) metrics[name.slice(LATEST_USAGE_ATTRIBUTE_PREFIX.length)] = latestMetricSchema.parse(value);
    }
    return { accountId, metrics };
  }

  async listUsageRecords(accountId: string): Promise<UsageRecord[]> {
    const partition = keys.usageRecordsOfAccount(accountId);
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :record)',
      ExpressionAttributeValues: { ':pk': partition.PK, ':record': partition.SKPrefix },
    });
    return items.map((item) => itemToEntity(usageRecordSchema, item));
  }

  async usageAsOf(accountId: string, instant: Date): Promise<Record<string, number>> {
    const partition = keys.usageRecordsOfAccount(accountId);
    // The last records at or before the instant, newest first: one page, however long the history.
    const { Items } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :first AND :last',
        ExpressionAttributeValues: { ':pk': partition.PK, ':first': partition.SKPrefix, ':last': `${partition.SKPrefix}${instant.toISOString()}\uffff` },
        ScanIndexForward: false,
        Limit: USAGE_AS_OF_RECORDS,
      }),
    );
    const records = (Items ?? []).map((item) => itemToEntity(usageRecordSchema, item));
    return Object.fromEntries([...newestPerMetric(records)].map(([metric, latest]) => [metric, latest.value]));
  }

  private putRecord(record: UsageRecord): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.usageRecord(record.accountId, record.at, record.recordId),
            entity: 'usage-record',
            ...record,
            [TABLE_KEYS.ttlAttribute]: Math.floor(Date.parse(record.at) / 1000) + RAW_EVENT_RETENTION_DAYS * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
  }

  /**
   * Sets every metric at once, on condition that each is absent or older. When the condition
   * fails (some stored value is as new or newer), reads the item, keeps only the metrics this
   * call still has newer values for, and tries again with those: usually one write per account.
   */
  private async moveLatest(accountId: string, newest: Map<string, LatestMetric>): Promise<void> {
    let pending = newest;
    for (let round = 0; pending.size > 0; round++) {
      if (round === MAX_LATEST_ROUNDS) throw new Error(`latest usage of account ${accountId}: still contended after ${MAX_LATEST_ROUNDS} conditional writes`);
      if (await this.setLatestIfNewer(accountId, pending)) return;
      const stored = await this.readLatest(accountId);
      pending = new Map(
        [...pending].filter(([metric, entry]) => {
          const current = stored?.[keys.latestUsageAttribute(metric)] as LatestMetric | undefined;
          return current === undefined || current.at < entry.at;
        }),
      );
    }
  }

  private setLatestIfNewer(accountId: string, entries: Map<string, LatestMetric>): Promise<boolean> {
    const names: Record<string, string> = { '#at': 'at' };
    const values: Record<string, unknown> = { ':accountId': accountId, ':entity': 'latest-usage' };
    const sets = ['accountId = :accountId', 'entity = :entity'];
    const conditions: string[] = [];
    [...entries].forEach(([metric, entry], index) => {
      names[`#m${index}`] = keys.latestUsageAttribute(metric);
      values[`:m${index}`] = entry;
      values[`:at${index}`] = entry.at;
      sets.push(`#m${index} = :m${index}`);
      conditions.push(`(attribute_not_exists(#m${index}) OR #m${index}.#at < :at${index})`);
    });
    return this.table.conditionally(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.latestUsage(accountId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  private async readLatest(accountId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.latestUsage(accountId), ConsistentRead: true }));
    return Item;
  }
}

function recordKeyOf(record: UsageRecord): string {
  const key = keys.usageRecord(record.accountId, record.at, record.recordId);
  return `${key.PK}|${key.SK}`;
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
