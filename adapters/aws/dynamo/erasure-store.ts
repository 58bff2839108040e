/**
 * Erasure of one person in the table (core/privacy/erase-person.ts), item kind by item kind: what
 * is deleted, what is stripped of its personal attributes, and what is replaced by an anonymous
 * copy. Every step can run again: deletes of what is gone change nothing, strips are conditional on
 * the attribute still being there, and an anonymous registrant's key is chosen once and stored on
 * the registrant before anything moves to it.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ErasureStore } from '../../../core/ports.ts';
import type { ContactActivityCounts } from '../../../core/privacy/erase-person.ts';
import { addressHashOf, type Suppression } from '../../../core/tracking/suppression.ts';
import { registrantSchema, type Registrant } from '../../../core/webinars/webinar.ts';
import { batchWrite, itemToEntity, type DynamoTable } from './dynamo-table.ts';
import { keys } from './table-design.ts';
import { DynamoWebinarStore } from './webinar-store.ts';

type Item = Record<string, unknown>;

/** The anonymous registrant's stand-in for the address: `erased:<random id>`, in its key and its marks' keys. */
const ANONYMOUS_PERSON_PREFIX = 'erased:';

export class DynamoErasureStore implements ErasureStore {
  private readonly webinars: DynamoWebinarStore;

  constructor(private readonly table: DynamoTable) {
    this.webinars = new DynamoWebinarStore(table);
  }

  async suppressionState(address: string): Promise<'plain' | 'hashed' | 'none'> {
    const [plain, hashed] = await Promise.all([this.get(keys.suppression(address)), this.get(keys.hashedSuppression(addressHashOf(address)))]);
    return plain ? 'plain' : hashed ? 'hashed' : 'none';
  }

  async registrationsOf(contactId: string | undefined, addresses: readonly string[]): Promise<Registrant[]> {
    const joined = contactId === undefined ? [] : await this.webinars.listRegistrationsOfContact(contactId);
    const wanted = new Set(addresses.map((address) => address.toLowerCase()));
    // Registrants of no contact yet are few (the webinar sweep joins them): their sparse index, filtered by address.
    const addressValues = Object.fromEntries([...wanted].map((address, index) => [`:address${index}`, address]));
    const unmatched =
      wanted.size === 0
        ? []
        : (
            await this.table.queryAll({
              IndexName: 'GSI1',
              KeyConditionExpression: 'GSI1PK = :pk',
              FilterExpression: `email IN (${Object.keys(addressValues).join(', ')})`,
              ExpressionAttributeValues: { ':pk': keys.unmatchedRegistrant('', '', '', '').GSI1PK, ...addressValues },
            })
          ).map((item) => itemToEntity(registrantSchema, item));
    const unique = new Map([...joined, ...unmatched].map((registrant) => [`${registrant.webinarId}\n${registrant.sessionId}\n${registrant.email}`, registrant]));
    return [...unique.values()].filter((registrant) => !registrant.email.startsWith(ANONYMOUS_PERSON_PREFIX));
  }

  async anonymiseRegistration(registrant: Registrant): Promise<{ attendanceMarks: number }> {
    const key = keys.registrant(registrant.webinarId, registrant.sessionId, registrant.email);
    // The stand-in is chosen once and kept on the registrant, so a retry moves the rest of the marks to the same one.
    let stored: Item | undefined;
    try {
      ({ Attributes: stored } = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: key,
          UpdateExpression: 'SET erasureKey = if_not_exists(erasureKey, :fresh)',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':fresh': randomUUID() },
          ReturnValues: 'ALL_NEW',
        }),
      ));
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return { attendanceMarks: 0 };
      throw error;
    }
    const anonymous = `${ANONYMOUS_PERSON_PREFIX}${String(stored?.erasureKey)}`;

    const ofPerson = keys.attendanceOfPerson(registrant.webinarId, registrant.sessionId, registrant.email);
    const marks = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :person)',
      ExpressionAttributeValues: { ':pk': ofPerson.PK, ':person': ofPerson.SKPrefix },
    });
    // Copies first, originals after: a retry finds the originals not yet deleted and writes the same copies again.
    await batchWrite(this.table, marks.map((mark) => ({ PutRequest: { Item: anonymousMark(mark, anonymous) } })));
    await batchWrite(this.table, marks.map((mark) => ({ DeleteRequest: { Key: { PK: mark.PK, SK: mark.SK } } })));

    const { name: _name, contactId: _contactId, answers: _answers, ...kept } = registrant;
    const copy: Registrant = { ...kept, email: anonymous, answers: [] };
    // No index keys: the copy is nobody's registration and nothing for the sweep to join.
    await this.table.transactConditionally([
      { Put: { TableName: this.table.tableName, Item: { ...keys.registrant(copy.webinarId, copy.sessionId, anonymous), entity: 'registrant', ...copy } } },
      { Delete: { TableName: this.table.tableName, Key: key, ConditionExpression: 'attribute_exists(PK)' } },
    ]);
    return { attendanceMarks: marks.length };
  }

  async eraseContactActivity(contactId: string, accountId: string | undefined): Promise<ContactActivityCounts> {
    const events = await this.keysOf({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.engagementEvent(contactId, '', '').PK },
    });
    const enrollmentKey = keys.enrollment(contactId, '');
    const enrollments = await this.keysOf({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :enrollment)',
      ExpressionAttributeValues: { ':pk': enrollmentKey.PK, ':enrollment': enrollmentKey.SK },
    });
    const deferred = await this.keysOf({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      FilterExpression: '#request.contactId = :contact',
      ExpressionAttributeNames: { '#request': 'request' },
      ExpressionAttributeValues: { ':pk': keys.deferredDue('', '', '', contactId).GSI1PK, ':contact': contactId },
    });
    await batchWrite(this.table, [...events, ...enrollments, ...deferred].map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })));
    const score = await this.table.doc.send(new DeleteCommand({ TableName: this.table.tableName, Key: keys.contactScore(contactId), ReturnValues: 'ALL_OLD' }));
    return {
      engagementEvents: events.length,
      enrollments: enrollments.length,
      deferredSends: deferred.length,
      contactScores: score.Attributes ? 1 : 0,
      ...(accountId === undefined ? { surveyComments: 0, usageRecords: 0 } : await this.stripFromAccount(contactId, accountId)),
    };
  }

  async keepSuppressionAsHash(address: string, fallback: Omit<Suppression, 'email'>): Promise<'hashed' | 'created' | 'already-hashed'> {
    const addressHash = addressHashOf(address);
    const hashedKey = keys.hashedSuppression(addressHash);
    const [plain, hashed] = await Promise.all([this.get(keys.suppression(address)), this.get(hashedKey)]);
    if (!plain) {
      if (hashed) return 'already-hashed';
      await this.table.conditionally(() =>
        this.table.doc.send(
          new PutCommand({ TableName: this.table.tableName, Item: { ...hashedKey, entity: 'suppression', addressHash, ...fallback }, ConditionExpression: 'attribute_not_exists(PK)' }),
        ),
      );
      return 'created';
    }
    // The first reason is the one kept, as when an address is suppressed twice.
    const { reason, suppressedAt, source } = plain as Omit<Suppression, 'email'>;
    const tableName = this.table.tableName;
    await this.table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          ...(hashed ? [] : [{ Put: { TableName: tableName, Item: { ...hashedKey, entity: 'suppression', addressHash, reason, suppressedAt, source } } }]),
          { Delete: { TableName: tableName, Key: keys.suppression(address) } },
        ],
      }),
    );
    return 'hashed';
  }

  async deleteContact(contactId: string, email: string): Promise<{ contacts: number; emailLookUps: number }> {
    const [profile, lookUp] = await Promise.all([this.get(keys.contact(contactId)), this.get(keys.contactByEmail(email))]);
    const ownLookUp = lookUp?.contactId === contactId;
    if (!profile && !ownLookUp) return { contacts: 0, emailLookUps: 0 };
    const tableName = this.table.tableName;
    await this.table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: tableName, Key: keys.contact(contactId) } },
          ...(ownLookUp ? [{ Delete: { TableName: tableName, Key: keys.contactByEmail(email), ConditionExpression: 'contactId = :me', ExpressionAttributeValues: { ':me': contactId } } }] : []),
        ],
      }),
    );
    return { contacts: profile ? 1 : 0, emailLookUps: ownLookUp ? 1 : 0 };
  }

  /** The contact's traces in the account's items: usage records lose the contact id, survey answers their comment. */
  private async stripFromAccount(contactId: string, accountId: string): Promise<Pick<ContactActivityCounts, 'surveyComments' | 'usageRecords'>> {
    const usagePartition = keys.usageRecordsOfAccount(accountId);
    const usage = await this.keysOf({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :record)',
      FilterExpression: 'contactId = :contact',
      ExpressionAttributeValues: { ':pk': usagePartition.PK, ':record': usagePartition.SKPrefix, ':contact': contactId },
    });
    const answers = await this.keysOf({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      FilterExpression: 'contactId = :contact AND attribute_exists(#comment)',
      ExpressionAttributeNames: { '#comment': 'comment' },
      ExpressionAttributeValues: { ':pk': keys.surveyAnswersOfAccount(accountId).GSI2PK, ':contact': contactId },
    });
    const strip = (item: Item, update: string, attribute: string, values: Item = {}) =>
      this.table.conditionally(() =>
        this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: { PK: item.PK, SK: item.SK },
            UpdateExpression: update,
            ConditionExpression: 'attribute_exists(#attribute)',
            ExpressionAttributeNames: { '#attribute': attribute },
            ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
          }),
        ),
      );
    const strippedUsage = await Promise.all(usage.map((item) => strip(item, 'REMOVE #attribute', 'contactId')));
    // The revision moves, so a survey save that read the answer with its comment is refused and reads again.
    const strippedComments = await Promise.all(answers.map((item) => strip(item, 'REMOVE #attribute ADD revision :one', 'comment', { ':one': 1 })));
    return { usageRecords: strippedUsage.filter(Boolean).length, surveyComments: strippedComments.filter(Boolean).length };
  }

  /** The table keys of the items a query matches: all a delete or a strip needs. */
  private keysOf(query: Omit<QueryCommandInput, 'TableName' | 'ProjectionExpression'>): Promise<Item[]> {
    return this.table.queryAll({ ...query, ProjectionExpression: 'PK, SK' });
  }

  private async get(key: { PK: string; SK: string }): Promise<Item | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }));
    return Item;
  }
}

/** A mark as the anonymous registrant's: keyed by the stand-in, without the address or the name the platform gave. */
function anonymousMark(mark: Item, anonymous: string): Item {
  const { name: _name, PK: _pk, SK: _sk, ...rest } = mark;
  return { ...rest, ...keys.attendanceMark(String(mark.webinarId), String(mark.sessionId), anonymous, String(mark.kind), String(mark.at), String(mark.stayKey)), person: anonymous };
}
