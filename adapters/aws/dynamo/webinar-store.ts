/**
 * Webinar sessions, registrants and attendance in DynamoDB. A session's state and its registrants
 * share the webinar's partition; attendance marks have a partition per session (read in one query
 * when the session ends). Every write that can repeat is idempotent: registrations are
 * conditional creates, marks are puts keyed by what they are, the follow-up plan is set once.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WebinarStore } from '../../../core/ports.ts';
import {
  attendanceMarkSchema,
  registrantSchema,
  sessionStateSchema,
  type AttendanceMark,
  type Registrant,
  type RegistrationAnswer,
  type SessionState,
} from '../../../core/webinars/webinar.ts';
import { batchWrite, itemToEntity, type DynamoTable } from './dynamo-table.ts';
import { expiresAtOf } from './engagement-store.ts';
import { keys, TABLE_KEYS } from './table-design.ts';

export class DynamoWebinarStore implements WebinarStore {
  constructor(private readonly table: DynamoTable) {}

  async ensureSession(initial: SessionState): Promise<SessionState> {
    await this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...keys.webinarSession(initial.webinarId, initial.sessionId), entity: 'webinar-session', ...initial },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
    return (await this.getSession(initial.webinarId, initial.sessionId)) ?? initial;
  }

  async getSession(webinarId: string, sessionId: string): Promise<SessionState | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.webinarSession(webinarId, sessionId), ConsistentRead: true }));
    return Item ? itemToEntity(sessionStateSchema, Item) : undefined;
  }

  updateSession(next: SessionState, expectedRevision: number): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...keys.webinarSession(next.webinarId, next.sessionId), entity: 'webinar-session', ...next },
          ConditionExpression: 'revision = :expected',
          ExpressionAttributeValues: { ':expected': expectedRevision },
        }),
      ),
    );
  }

  async recordSessionRun(webinarId: string, sessionId: string, run: { startedAt?: Date; endedAt?: Date }): Promise<void> {
    const values: Record<string, string> = {};
    // The earliest start and the latest end reported win, whatever order the reports arrive in.
    if (run.startedAt) values[':startedAt'] = run.startedAt.toISOString();
    if (run.endedAt) values[':endedAt'] = run.endedAt.toISOString();
    for (const [field, placeholder, keepIf] of [
      ['startedAt', ':startedAt', '<'],
      ['endedAt', ':endedAt', '>'],
    ] as const) {
      if (!(placeholder in values)) continue;
      await this.table.conditionally(() =>
        this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: keys.webinarSession(webinarId, sessionId),
            UpdateExpression: `SET ${field} = ${placeholder}`,
            ConditionExpression: `attribute_exists(PK) AND (attribute_not_exists(${field}) OR ${placeholder} ${keepIf} ${field})`,
            ExpressionAttributeValues: { [placeholder]: values[placeholder] },
          }),
        ),
      );
    }
  }

  markFollowUpsPlanned(webinarId: string, sessionId: string, at: Date): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.webinarSession(webinarId, sessionId),
          UpdateExpression: 'SET followUpsPlannedAt = :at',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(followUpsPlannedAt)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      ),
    );
  }

  register(registrant: Registrant): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(new PutCommand({ TableName: this.table.tableName, Item: this.registrantItem(registrant), ConditionExpression: 'attribute_not_exists(PK)' })),
    );
  }

  async getRegistrant(webinarId: string, sessionId: string, email: string): Promise<Registrant | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.registrant(webinarId, sessionId, email) }));
    return Item ? itemToEntity(registrantSchema, Item) : undefined;
  }

  async listRegistrants(webinarId: string, sessionId?: string): Promise<Registrant[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `WEBINAR#${webinarId}`, ':prefix': sessionId ? `REG#${sessionId}#` : 'REG#' },
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

  async listUnmatchedRegistrants(limit: number): Promise<Registrant[]> {
    const items = await this.table.queryAll({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': 'UNMATCHED_REGISTRANTS' },
      Limit: limit,
    });
    return items.slice(0, limit).map((item) => itemToEntity(registrantSchema, item));
  }

  matchRegistrant(registrant: Registrant, contactId: string, accountId: string): Promise<boolean> {
    const contactIndex = keys.registrationOfContact(contactId, registrant.webinarId, registrant.sessionId);
    return this.table.conditionally(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.registrant(registrant.webinarId, registrant.sessionId, registrant.email),
          UpdateExpression: 'SET contactId = :contactId, accountId = :accountId, GSI2PK = :gsi2pk, GSI2SK = :gsi2sk REMOVE GSI1PK, GSI1SK',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(contactId)',
          ExpressionAttributeValues: { ':contactId': contactId, ':accountId': accountId, ':gsi2pk': contactIndex.GSI2PK, ':gsi2sk': contactIndex.GSI2SK },
        }),
      ),
    );
  }

  async addAnswers(webinarId: string, sessionId: string, email: string, answers: readonly RegistrationAnswer[]): Promise<void> {
    if (answers.length === 0) return;
    // Read, merge by question, write back under a check that nothing changed in between: retried on a race.
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.getRegistrant(webinarId, sessionId, email);
      if (!current) return;
      const merged = [...current.answers];
      for (const answer of answers) {
        const at = merged.findIndex((existing) => existing.question === answer.question);
        if (at === -1) merged.push(answer);
        else merged[at] = answer;
      }
      if (JSON.stringify(merged) === JSON.stringify(current.answers)) return;
      const written = await this.table.conditionally(() =>
        this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: keys.registrant(webinarId, sessionId, email),
            UpdateExpression: 'SET answers = :merged',
            ConditionExpression: 'answers = :current',
            ExpressionAttributeValues: { ':merged': merged, ':current': current.answers },
          }),
        ),
      );
      if (written) return;
    }
    throw new Error(`registration answers of webinar ${webinarId} session ${sessionId} kept changing: not saved`);
  }

  async saveRegistrants(registrants: readonly Registrant[]): Promise<void> {
    await batchWrite(this.table, registrants.map((registrant) => ({ PutRequest: { Item: this.registrantItem(registrant) } })));
  }

  async recordAttendance(marks: readonly AttendanceMark[]): Promise<void> {
    // One item per fact: the same fact sent twice lands on the same key.
    const unique = new Map(marks.map((mark) => [JSON.stringify(keys.attendanceMark(mark.webinarId, mark.sessionId, mark.person, mark.kind, mark.at, mark.stayKey)), mark]));
    await batchWrite(
      this.table,
      [...unique.values()].map((mark) => ({
        // Raw facts with the address in the key: they expire like engagement events (the registrant keeps the summary).
        PutRequest: { Item: { ...keys.attendanceMark(mark.webinarId, mark.sessionId, mark.person, mark.kind, mark.at, mark.stayKey), entity: 'attendance-mark', ...mark, [TABLE_KEYS.ttlAttribute]: expiresAtOf(mark.at) } },
      })),
    );
  }

  async listAttendance(webinarId: string, sessionId: string): Promise<AttendanceMark[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.attendanceOfSession(webinarId, sessionId).PK } });
    return items.map((item) => {
      const { PK: _pk, SK: _sk, entity: _entity, [TABLE_KEYS.ttlAttribute]: _expiresAt, ...mark } = item;
      return attendanceMarkSchema.parse(mark);
    });
  }

  private registrantItem(registrant: Registrant): Record<string, unknown> {
    return {
      ...keys.registrant(registrant.webinarId, registrant.sessionId, registrant.email),
      ...(registrant.contactId
        ? keys.registrationOfContact(registrant.contactId, registrant.webinarId, registrant.sessionId)
        : keys.unmatchedRegistrant(registrant.registeredAt, registrant.webinarId, registrant.sessionId, registrant.email)),
      entity: 'registrant',
      ...registrant,
    };
  }
}
