/** Campaign runs in DynamoDB: created once per campaign and scheduled instant. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { campaignRunSchema, type CampaignRun } from '../../../core/campaigns/campaign-run.ts';
import type { CampaignRunStore } from '../../../core/ports.ts';
import { keys } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

export class DynamoCampaignRunStore implements CampaignRunStore {
  constructor(private readonly table: DynamoTable) {}

  createRun(run: CampaignRun): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...keys.campaignRun(run.campaignId, run.runId), entity: 'campaign-run', ...run },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
  }

  async getRun(campaignId: string, runId: string): Promise<CampaignRun | undefined> {
    // Consistent: a run is read back right after it is created, and its width must be the stored one.
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.campaignRun(campaignId, runId), ConsistentRead: true }));
    return Item ? itemToEntity(campaignRunSchema, Item) : undefined;
  }

  async listRuns(campaignId: string): Promise<CampaignRun[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :run)',
      ExpressionAttributeValues: { ':pk': keys.campaignRun(campaignId, '').PK, ':run': 'RUN#' },
    });
    return items.map((item) => itemToEntity(campaignRunSchema, item));
  }

  async setRunState(campaignId: string, runId: string, state: CampaignRun['state'], counts?: Record<string, number>): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.campaignRun(campaignId, runId),
        UpdateExpression: counts ? 'SET #state = :state, #counts = :counts' : 'SET #state = :state',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#state': 'state', ...(counts ? { '#counts': 'counts' } : {}) },
        ExpressionAttributeValues: { ':state': state, ...(counts ? { ':counts': counts } : {}) },
      }),
    );
  }
}
