/** Webinars and their registrants in DynamoDB; a registrant is created once per contact. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { registrantSchema, webinarSchema, type Registrant, type Webinar } from '../../../core/webinars/webinar.ts';
import type { WebinarStore } from '../../../core/ports.ts';
import { keys } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

export class DynamoWebinarStore implements WebinarStore {
  constructor(private readonly table: DynamoTable) {}

  async putWebinar(webinar: Webinar): Promise<void> {
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: { ...keys.webinar(webinar.webinarId), ...keys.webinarByStart(webinar.startsAt, webinar.webinarId), entity: 'webinar', ...webinar },
      }),
    );
  }

  async getWebinar(webinarId: string): Promise<Webinar | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.webinar(webinarId) }));
    return Item ? itemToEntity(webinarSchema, Item) : undefined;
  }

  async listWebinarsStartingBetween(from: Date, to: Date): Promise<Webinar[]> {
    const items = await this.table.queryAll({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': 'WEBINARS', ':from': `START#${from.toISOString()}`, ':to': `START#${to.toISOString()}#\uffff` },
    });
    return items.map((item) => itemToEntity(webinarSchema, item));
  }

  registerContact(registrant: Registrant): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.registrant(registrant.webinarId, registrant.contactId),
            ...keys.registrationOfContact(registrant.contactId, registrant.webinarId),
            entity: 'registrant',
            ...registrant,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
  }

  async recordAttendance(webinarId: string, contactId: string, watchMinutes: number): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.registrant(webinarId, contactId),
        // The platform reports total watch time; keep the largest report so a late partial one cannot lower it.
        UpdateExpression: 'SET attended = :true, watchMinutes = :minutes',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(watchMinutes) OR watchMinutes < :minutes)',
        ExpressionAttributeValues: { ':true': true, ':minutes': watchMinutes },
      }),
    ).catch((error: { name?: string }) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
  }

  async listRegistrants(webinarId: string): Promise<Registrant[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :registrant)',
      ExpressionAttributeValues: { ':pk': keys.webinar(webinarId).PK, ':registrant': 'REGISTRANT#' },
    });
    return items.map((item) => itemToEntity(registrantSchema, item));
  }

  async listRegistrationsOfContact(contactId: string): Promise<Registrant[]> {
    const items = await this.table.queryAll({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND begins_with(GSI2SK, :registrant)',
      ExpressionAttributeValues: { ':pk': `CONTACT#${contactId}`, ':registrant': 'REGISTRANT#' },
    });
    return items.map((item) => itemToEntity(registrantSchema, item));
  }
}
