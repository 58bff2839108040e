/**
 * Stranded sends in DynamoDB: a claim whose worker died becomes `stranded` on its send item, with
 * the request, and joins the sparse `STRANDED` partition of GSI1 (rare: one partition). Resending
 * parks the request and deletes the send in one transaction, so it can neither be lost nor sent
 * twice by this path; giving up marks it failed and takes it off the list.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StrandedClaimStore } from '../../../core/ports.ts';
import { sendSchema, type Send } from '../../../core/sending/send.ts';
import { messageIdOf, type SendRequest } from '../../../core/sending/send-request.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';
import { keys } from './table-design.ts';

const FAR_FUTURE = '9999-12-31T23:59:59.999Z';
/** The event types that only exist when SES took the email. */
const SES_TOOK_IT = ['send', 'delivery', 'bounce', 'complaint', 'delivery-delay', 'rendering-failure'] as const;

export class DynamoStrandedClaimStore implements StrandedClaimStore {
  constructor(private readonly table: DynamoTable) {}

  markStranded(send: Send, request: SendRequest, at: Date): Promise<boolean> {
    const listed = keys.strandedSend(send.claimedAt, send.campaignId, send.runId, send.contactId);
    return this.table.conditionally(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.send(send.campaignId, send.runId, send.contactId),
          UpdateExpression: 'SET #state = :stranded, strandedAt = :at, #request = :request, GSI1PK = :g1pk, GSI1SK = :g1sk',
          // The very claim that was found abandoned: a claim retaken or resolved meanwhile is left alone.
          ConditionExpression: '#state = :claimed AND claimedAt = :claimedAt',
          ExpressionAttributeNames: { '#state': 'state', '#request': 'request' },
          ExpressionAttributeValues: { ':stranded': 'stranded', ':claimed': 'claimed', ':claimedAt': send.claimedAt, ':at': at.toISOString(), ':request': request, ':g1pk': listed.GSI1PK, ':g1sk': listed.GSI1SK },
        }),
      ),
    );
  }

  async listStranded(): Promise<Send[]> {
    const items = await this.table.queryAll({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': keys.strandedSend('', '', '', '').GSI1PK } });
    return items.map((item) => itemToEntity(sendSchema, item));
  }

  async sesEventOf(send: Send): Promise<{ sesMessageId: string; occurredAt: string } | undefined> {
    // From a minute before the claim: SES's clock and the worker's may differ a little.
    const from = new Date(Date.parse(send.claimedAt) - 60_000).toISOString();
    const range = keys.engagementEventsOfContactBetween(send.contactId, from, FAR_FUTURE);
    const names = SES_TOOK_IT.map((_, index) => `:t${index}`);
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      FilterExpression: `campaignId = :campaign AND runId = :run AND #type IN (${names.join(', ')})`,
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':pk': range.PK, ':from': range.SKFrom, ':to': range.SKTo, ':campaign': send.campaignId, ':run': send.runId, ...Object.fromEntries(SES_TOOK_IT.map((type, index) => [`:t${index}`, type])) },
    });
    for (const item of items) {
      const sesMessageId = (item.detail as Record<string, unknown> | undefined)?.sesMessageId;
      if (typeof sesMessageId === 'string' && sesMessageId.length > 0) return { sesMessageId, occurredAt: String(item.occurredAt) };
    }
    return undefined;
  }

  resendStranded(send: Send, at: Date): Promise<boolean> {
    const { request } = send;
    if (!request) return Promise.resolve(false);
    const messageId = messageIdOf(request.source);
    const notBefore = at.toISOString();
    return this.table.transactConditionally([
      {
        Put: {
          TableName: this.table.tableName,
          Item: { ...keys.deferredSend(messageId, request.runId, request.contactId), ...keys.deferredDue(notBefore, messageId, request.runId, request.contactId), entity: 'deferred-send', request, notBefore },
        },
      },
      {
        Delete: {
          TableName: this.table.tableName,
          Key: keys.send(send.campaignId, send.runId, send.contactId),
          ConditionExpression: '#state = :stranded',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':stranded': 'stranded' },
        },
      },
    ]);
  }

  failStranded(send: Send, reason: string): Promise<boolean> {
    return this.table.conditionally(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.send(send.campaignId, send.runId, send.contactId),
          UpdateExpression: 'SET #state = :failed, reason = :reason REMOVE GSI1PK, GSI1SK',
          ConditionExpression: '#state = :stranded',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':failed': 'failed', ':stranded': 'stranded', ':reason': reason },
        }),
      ),
    );
  }
}
