/**
 * Engagement events, unplaced SES events and suppressions in DynamoDB. Events are written once
 * per event id (conditional put) and expire by TTL; suppressions never expire.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SCORE_EPOCH } from '../../../core/scoring/decayed-score.ts';
import type { ScoreUpdate } from '../../../core/scoring/score.ts';
import { scoreItemUpdates } from './score-store.ts';
import { engagementEventSchema, RAW_EVENT_RETENTION_DAYS, type EngagementEvent } from '../../../core/tracking/engagement-event.ts';
import { addressHashOf, hashedSuppressionSchema, suppressionSchema, type Suppression } from '../../../core/tracking/suppression.ts';
import { unplacedMonthOf, unplacedSesEventSchema, type UnplacedSesEvent } from '../../../core/tracking/ses-events/unplaced-ses-event.ts';
import type { EngagementStore, ScoredEventWrite, SuppressionStore } from '../../../core/ports.ts';
import { COUNTED_FROM_STREAM, keys, TABLE_KEYS } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

/** Transactions that collide on a busy score item are retried this often before the error goes to the caller (and its retry). */
const MAX_CONFLICT_ATTEMPTS = 6;

export class DynamoEngagementStore implements EngagementStore {
  constructor(private readonly table: DynamoTable) {}

  /**
   * The event's conditional put, with its score moves in the same transaction. Its KPI move is not
   * written here: the table's change stream counts the event once it is in (kpi-stream-consumer.ts).
   */
  async recordScoredEvent(event: EngagementEvent, scores: readonly ScoreUpdate[]): Promise<ScoredEventWrite> {
    const put = {
      TableName: this.table.tableName,
      Item: {
        ...keys.engagementEvent(event.contactId, event.occurredAt, event.eventId),
        ...(event.campaignId && (event.type === 'click' || event.type === 'click-reclassified') ? keys.clickOfCampaign(event.campaignId, event.type, event.occurredAt, event.eventId) : {}),
        entity: 'engagement-event',
        ...event,
        [TABLE_KEYS.ttlAttribute]: expiresAtOf(event.occurredAt),
        [COUNTED_FROM_STREAM]: true,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    };
    // Nothing to score (a delivery, a machine's open, a send): the event alone, one conditional put.
    if (scores.length === 0) return { outcome: (await this.table.conditionally(() => this.table.doc.send(new PutCommand(put)))) ? 'recorded' : 'duplicate' };
    const updates = scoreItemUpdates(scores, event.occurredAt);
    for (let attempt = 1; ; attempt++) {
      const command = new TransactWriteCommand({
        TransactItems: [{ Put: put }, ...updates.map((update) => ({ Update: { TableName: this.table.tableName, ...update.command, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } }))],
      });
      try {
        await this.table.doc.send(command);
        return { outcome: 'recorded' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) && (error as { name?: string }).name !== 'TransactionCanceledException') throw error;
        const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
        // The event was already recorded (with its scores, in the same transaction): a duplicate.
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return { outcome: 'duplicate' };
        const stale = updates.flatMap((update, index) => {
          const reason = reasons[index + 1];
          return reason?.Code === 'ConditionalCheckFailed' ? [{ scope: update.scope, id: update.id, epoch: epochOf(reason.Item) }] : [];
        });
        if (stale.length > 0) return { outcome: 'stale-epoch', staleScores: stale };
        // Another transaction on the same score item at the same moment (a burst on one account): try again shortly.
        if (attempt >= MAX_CONFLICT_ATTEMPTS || !reasons.some((reason) => reason.Code === 'TransactionConflict')) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
      }
    }
  }

  async listEventsOfContact(contactId: string): Promise<EngagementEvent[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :event)',
      ExpressionAttributeValues: { ':pk': keys.engagementEvent(contactId, '', '').PK, ':event': 'EVENT#' },
    });
    return items.map((item) => itemToEntity(engagementEventSchema, item));
  }

  async recentEventsOfContact(contactId: string, limit: number): Promise<EngagementEvent[]> {
    const { Items } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :event)',
        ExpressionAttributeValues: { ':pk': keys.engagementEvent(contactId, '', '').PK, ':event': 'EVENT#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => itemToEntity(engagementEventSchema, item));
  }

  async listClicksOfCampaign(campaignId: string): Promise<EngagementEvent[]> {
    const range = keys.clicksOfCampaign(campaignId);
    const items = await this.table.queryAll({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :clicks)',
      ExpressionAttributeValues: { ':pk': range.GSI1PK, ':clicks': range.GSI1SKPrefix },
    });
    return items.map((item) => itemToEntity(engagementEventSchema, item));
  }

  recordUnplacedSesEvent(event: UnplacedSesEvent): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.sesUnplacedEvent(unplacedMonthOf(event.occurredAt), event.occurredAt, event.eventId),
            entity: 'unplaced-ses-event',
            ...event,
            [TABLE_KEYS.ttlAttribute]: expiresAtOf(event.occurredAt),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
  }

  async listUnplacedSesEvents(month: string): Promise<UnplacedSesEvent[]> {
    const partition = keys.sesUnplacedMonth(month);
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :event)',
      ExpressionAttributeValues: { ':pk': partition.PK, ':event': partition.SKPrefix },
    });
    return items.map((item) => itemToEntity(unplacedSesEventSchema, item));
  }
}

/** Raw events expire a fixed time after they happened, whenever they were written. */
/** The epoch of a score item returned with a failed condition (marshalled or not); items from before epochs had SCORE_EPOCH. */
function epochOf(item: Record<string, unknown> | undefined): number {
  const value = item?.epoch;
  if (value === undefined) return SCORE_EPOCH;
  if (typeof value === 'object' && value !== null && 'N' in value) return Number((value as { N: string }).N);
  return Number(value);
}

export function expiresAtOf(occurredAt: string): number {
  return Math.floor(Date.parse(occurredAt) / 1000) + RAW_EVENT_RETENTION_DAYS * 86_400;
}

export class DynamoSuppressionStore implements SuppressionStore {
  constructor(private readonly table: DynamoTable) {}

  suppress(suppression: Suppression): Promise<boolean> {
    const record = { ...suppression, email: suppression.email.toLowerCase() };
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...keys.suppression(record.email), entity: 'suppression', ...record },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
  }

  /** Plain and hashed suppressions in the same batched read: an erased person's address is found by its hash. */
  async suppressedAmong(emails: readonly string[]): Promise<Map<string, Suppression>> {
    const unique = [...new Set(emails.map((email) => email.toLowerCase()))];
    const addressOfHash = new Map(unique.map((email) => [addressHashOf(email), email]));
    const items = await this.table.batchGet([...unique.map((email) => keys.suppression(email)), ...[...addressOfHash.keys()].map((hash) => keys.hashedSuppression(hash))]);
    const found = new Map<string, Suppression>();
    for (const item of items) {
      if (item.addressHash === undefined) {
        const suppression = itemToEntity(suppressionSchema, item);
        found.set(suppression.email, suppression);
        continue;
      }
      const { addressHash, ...kept } = itemToEntity(hashedSuppressionSchema, item);
      const email = addressOfHash.get(addressHash);
      // The plain suppression, when both exist, is the one that names the address.
      if (email !== undefined && !found.has(email)) found.set(email, { email, ...kept });
    }
    return found;
  }
}
