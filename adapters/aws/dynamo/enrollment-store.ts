/**
 * Sequence enrollments in DynamoDB. Active enrollments with a pending step carry the sparse
 * due-index keys, so finding due steps is a query over a few shards, never a scan.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { enrollmentSchema, type Enrollment } from '../../../core/sequences/enrollment.ts';
import type { EnrollmentStore } from '../../../core/ports.ts';
import { DUE_INDEX_SHARDS, keys } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

export class DynamoEnrollmentStore implements EnrollmentStore {
  readonly dueShards = DUE_INDEX_SHARDS;

  constructor(private readonly table: DynamoTable) {}

  async dueEnrollmentPage(shard: number, now: Date, cursor: string | undefined, limit: number): Promise<{ enrollments: Enrollment[]; cursor?: string }> {
    const due = keys.enrollmentDueShard(shard, now.toISOString());
    const page = await this.table.queryPage({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK <= :upTo', ExpressionAttributeValues: { ':pk': due.GSI1PK, ':upTo': due.GSI1SKTo } }, cursor, limit);
    return { enrollments: page.items.map((item) => itemToEntity(enrollmentSchema, item)), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  enroll(enrollment: Enrollment): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({ TableName: this.table.tableName, Item: toItem(enrollment), ConditionExpression: 'attribute_not_exists(PK)' }),
      ),
    );
  }

  async getEnrollment(contactId: string, sequenceId: string): Promise<Enrollment | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.enrollment(contactId, sequenceId) }));
    return Item ? itemToEntity(enrollmentSchema, Item) : undefined;
  }

  async enrolledAmong(sequenceId: string, contactIds: readonly string[]): Promise<Set<string>> {
    const items = await this.table.batchGet([...new Set(contactIds)].map((contactId) => keys.enrollment(contactId, sequenceId)), 'contactId');
    return new Set(items.map((item) => String(item.contactId)));
  }

  updateEnrollment(enrollment: Enrollment, expectedVersion: number): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: toItem(enrollment),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      ),
    );
  }
}

function toItem(enrollment: Enrollment): Record<string, unknown> {
  const due = enrollment.state === 'active' && enrollment.nextStepAt !== undefined;
  return {
    ...keys.enrollment(enrollment.contactId, enrollment.sequenceId),
    ...(due ? keys.enrollmentDue(enrollment.contactId, enrollment.sequenceId, enrollment.nextStepAt as string) : {}),
    entity: 'enrollment',
    ...enrollment,
  };
}
