/**
 * Engagement events, unplaced SES events and suppressions in DynamoDB. Events are written once
 * per event id (conditional put) and expire by TTL; suppressions never expire.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { engagementEventSchema, RAW_EVENT_RETENTION_DAYS, type EngagementEvent } from '../../../core/tracking/engagement-event.ts';
import { suppressionSchema, type Suppression } from '../../../core/tracking/suppression.ts';
import { unplacedMonthOf, unplacedSesEventSchema, type UnplacedSesEvent } from '../../../core/tracking/ses-events/unplaced-ses-event.ts';
import type { EngagementStore, SuppressionStore } from '../../../core/ports.ts';
import { keys, TABLE_KEYS } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

export class DynamoEngagementStore implements EngagementStore {
  constructor(private readonly table: DynamoTable) {}

  recordEvent(event: EngagementEvent): Promise<boolean> {
    const expiresAt = expiresAtOf(event.occurredAt);
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.engagementEvent(event.contactId, event.occurredAt, event.eventId),
            ...(event.campaignId ? keys.engagementEventOfCampaign(event.campaignId, event.type, event.occurredAt, event.eventId) : {}),
            entity: 'engagement-event',
            ...event,
            [TABLE_KEYS.ttlAttribute]: expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
  }

  async listEventsOfContact(contactId: string): Promise<EngagementEvent[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :event)',
      ExpressionAttributeValues: { ':pk': keys.engagementEvent(contactId, '', '').PK, ':event': 'EVENT#' },
    });
    return items.map((item) => itemToEntity(engagementEventSchema, item));
  }

  async listEventsOfCampaign(campaignId: string): Promise<EngagementEvent[]> {
    const items = await this.table.queryAll({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :event)',
      ExpressionAttributeValues: { ':pk': `CAMPAIGN#${campaignId}`, ':event': 'EVENT#' },
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
function expiresAtOf(occurredAt: string): number {
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

  async suppressedAmong(emails: readonly string[]): Promise<Map<string, Suppression>> {
    const unique = [...new Set(emails.map((email) => email.toLowerCase()))];
    const items = await this.table.batchGet(unique.map((email) => keys.suppression(email)));
    return new Map(items.map((item) => {
      const suppression = itemToEntity(suppressionSchema, item);
      return [suppression.email, suppression];
    }));
  }
}
