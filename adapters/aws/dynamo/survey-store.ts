/**
 * Survey answers in DynamoDB: one item per contact and survey (`SURVEY#<survey>` / `ANSWER#<contact>`),
 * indexed per account on GSI2. An answer is saved conditionally on the revision read, together
 * with its churn-risk outbox entry when it has one (one TransactWrite): the event cannot be lost,
 * and two concurrent saves cannot both win. The outbox entry has the same shape as the CSQL
 * events', so the existing publisher (listUnpublished / markPublished) publishes it.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboxEntry } from '../../../core/qualification/csql-promotion.ts';
import type { SurveyStore } from '../../../core/ports.ts';
import { surveyAnswerSchema, type SurveyAnswer } from '../../../core/surveys/survey-answer.ts';
import { keys } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

const ENTITY = 'survey-answer';

export class DynamoSurveyStore implements SurveyStore {
  constructor(private readonly table: DynamoTable) {}

  async saveAnswer(answer: SurveyAnswer, expectedRevision: number, outbox?: OutboxEntry): Promise<boolean> {
    const put = {
      TableName: this.table.tableName,
      Item: { ...keys.surveyAnswer(answer.surveyId, answer.contactId), ...keys.surveyAnswerOfAccount(answer.accountId, answer.surveyId, answer.contactId), entity: ENTITY, ...answer },
      ...(expectedRevision === 0
        ? { ConditionExpression: 'attribute_not_exists(PK)' }
        : { ConditionExpression: 'revision = :expected', ExpressionAttributeValues: { ':expected': expectedRevision } }),
    };
    if (!outbox) return this.table.conditionally(() => this.table.doc.send(new PutCommand(put)));
    const outboxPut = {
      TableName: this.table.tableName,
      Item: { ...keys.outboxEntry(outbox.id), ...keys.outboxPending(outbox.createdAt, outbox.id), entity: 'outbox-entry', ...outbox },
      ConditionExpression: 'attribute_not_exists(PK)',
    };
    try {
      await this.table.doc.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, { Put: outboxPut }] }));
      return true;
    } catch (error) {
      const canceled = error instanceof TransactionCanceledException || (error as { name?: string }).name === 'TransactionCanceledException';
      if (canceled && ((error as TransactionCanceledException).CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed')) return false;
      throw error;
    }
  }

  async getAnswer(surveyId: string, contactId: string): Promise<SurveyAnswer | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.surveyAnswer(surveyId, contactId), ConsistentRead: true }));
    return Item ? toAnswer(Item) : undefined;
  }

  async listAnswers(surveyId: string): Promise<SurveyAnswer[]> {
    const { PK, SKPrefix } = keys.surveyAnswersOfSurvey(surveyId);
    const items = await this.table.queryAll({ KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)', ExpressionAttributeValues: { ':pk': PK, ':sk': SKPrefix } });
    return items.map(toAnswer);
  }

  async answersOfAccount(accountId: string): Promise<SurveyAnswer[]> {
    const { GSI2PK } = keys.surveyAnswersOfAccount(accountId);
    const items = await this.table.queryAll({ IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :pk', ExpressionAttributeValues: { ':pk': GSI2PK } });
    return items.map(toAnswer);
  }
}

function toAnswer(item: Record<string, unknown>): SurveyAnswer {
  // Keeps the answer's own fields: the keys and `entity` are the table's.
  return itemToEntity(surveyAnswerSchema, item);
}
