/**
 * What the CRM reported back, in DynamoDB. Each outcome is kept as reported (conditional put keyed by
 * account, time and outcome id: a resent report writes nothing), with a month feed for reports.
 * The account's pipeline now is a small partition: one item per opportunity holding its latest
 * status, and one item with the latest CSQL rejection, each set only when the report is newer than
 * what it holds, so resent and out-of-order reports converge. The pipeline moves first and the
 * outcome record last, so a retry after a crash in between completes both.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { CRM_OUTCOME_TYPES, opportunityStatusOf, type CrmOutcome, type PipelineFacts } from '../../../core/qualification/crm-outcome.ts';
import type { PipelineStore } from '../../../core/ports.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';
import { keys } from './table-design.ts';

const storedOutcomeSchema = z.strictObject({
  outcomeId: z.string(),
  accountId: z.string(),
  type: z.enum(CRM_OUTCOME_TYPES),
  at: z.string(),
  opportunityId: z.string().optional(),
  reason: z.string().optional(),
  expansionMrr: z.number().optional(),
  currency: z.string().optional(),
  receivedAt: z.string(),
});

export class DynamoPipelineStore implements PipelineStore {
  constructor(private readonly table: DynamoTable) {}

  async recordOutcome(outcome: CrmOutcome): Promise<boolean> {
    const opportunity = opportunityStatusOf(outcome);
    if (opportunity) {
      await this.table.conditionally(() =>
        this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: keys.opportunity(opportunity.accountId, opportunity.opportunityId),
            UpdateExpression: 'SET entity = :entity, accountId = :account, opportunityId = :opportunity, #status = :status, #at = :at',
            // Newer reports win; at the same instant a closing status beats "open" (won/lost are final).
            ConditionExpression: 'attribute_not_exists(#at) OR #at < :at OR (#at = :at AND #status = :open AND :status <> :open)',
            ExpressionAttributeNames: { '#status': 'status', '#at': 'at' },
            ExpressionAttributeValues: { ':entity': 'opportunity', ':account': opportunity.accountId, ':opportunity': opportunity.opportunityId, ':status': opportunity.status, ':at': opportunity.at, ':open': 'open' },
          }),
        ),
      );
    }
    if (outcome.type === 'csql-rejected' && outcome.reason !== undefined) {
      await this.table.conditionally(() =>
        this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: keys.csqlRejection(outcome.accountId),
            UpdateExpression: 'SET entity = :entity, #at = :at, reason = :reason',
            ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
            ExpressionAttributeNames: { '#at': 'at' },
            ExpressionAttributeValues: { ':entity': 'csql-rejection', ':at': outcome.at, ':reason': outcome.reason },
          }),
        ),
      );
    }
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...keys.crmOutcome(outcome.accountId, outcome.at, outcome.outcomeId), ...keys.crmOutcomeFeed(outcome.at, outcome.accountId, outcome.outcomeId), entity: 'crm-outcome', ...outcome },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
  }

  async pipelineOf(accountId: string): Promise<PipelineFacts> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.pipelineOfAccount(accountId).PK }, ConsistentRead: true });
    const openOpportunities = items.filter((item) => item.entity === 'opportunity' && item.status === 'open').map((item) => String(item.opportunityId));
    const rejection = items.find((item) => item.entity === 'csql-rejection');
    return { openOpportunities, ...(rejection ? { lastRejection: { at: String(rejection.at), reason: String(rejection.reason) } } : {}) };
  }

  async listOutcomesOfAccount(accountId: string): Promise<CrmOutcome[]> {
    const items = await this.table.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.crmOutcomesOfAccount(accountId).PK } });
    return items.map((item) => itemToEntity(storedOutcomeSchema, item) as CrmOutcome);
  }
}
