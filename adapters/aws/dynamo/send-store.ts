/**
 * Sends in DynamoDB. The claim is a conditional put on (run, contact): whoever wins it is the
 * only one allowed to call SES for that email. Sent items join the message-id index (SES events)
 * and the contact's send history (frequency caps). The tracked links of a run's emails live in
 * the same partition (see message-links-store.ts). The click rules read a recipient's opens and
 * clicks of one email from the contact's events partition (`trackedEventsOfSend`).
 */
import type { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { deferredSendSchema, messageIdOf, skippedSendSchema, type DeferredSend, type SkippedSend } from '../../../core/sending/send-request.ts';
import { sendSchema, type Send } from '../../../core/sending/send.ts';
import type { SendStore } from '../../../core/ports.ts';
import { COUNTED_FROM_STREAM, DUE_INDEX_SHARDS, keys, TABLE_KEYS } from './table-design.ts';
import { expiresAtOf } from './engagement-store.ts';
import { batchWrite, itemToEntity, type DynamoTable } from './dynamo-table.ts';
import { DynamoMessageLinks } from './message-links-store.ts';
import type { MessageLinks, StoredMessageLinks } from '../../../core/tracking/message-links.ts';
import { engagementEventSchema, type EngagementEvent } from '../../../core/tracking/engagement-event.ts';

/** Above any event time (ISO-8601 sorts as text): "up to now" without reading a clock here. */
const FAR_FUTURE = '9999-12-31T23:59:59.999Z';

type SendRef = Pick<Send, 'campaignId' | 'runId' | 'contactId'>;

export class DynamoSendStore implements SendStore {
  readonly deferredShards = DUE_INDEX_SHARDS;
  private readonly links: DynamoMessageLinks;

  constructor(private readonly table: DynamoTable) {
    this.links = new DynamoMessageLinks(table);
  }

  saveMessageLinks(links: MessageLinks): Promise<boolean> {
    return this.links.save(links);
  }

  listMessageLinksOfRun(messageId: string, runId: string): Promise<StoredMessageLinks[]> {
    return this.links.listOfRun(messageId, runId);
  }

  getMessageLinks(messageId: string, runId: string, linkSet: string): Promise<StoredMessageLinks | undefined> {
    return this.links.get(messageId, runId, linkSet);
  }

  async trackedEventsOfSend(messageId: string, runId: string, contactId: string, since: Date, limit: number): Promise<EngagementEvent[]> {
    // The contact's events partition, newest first, from the send on: one page, consistent (a
    // burst's clicks come a few hundred ms apart), the other emails' events filtered out.
    const range = keys.engagementEventsOfContactBetween(contactId, since.toISOString(), FAR_FUTURE);
    const { Items } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        FilterExpression: 'campaignId = :campaign AND runId = :run AND #type IN (:open, :click, :reclassified)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':pk': range.PK,
          ':from': range.SKFrom,
          ':to': range.SKTo,
          ':campaign': messageId,
          ':run': runId,
          ':open': 'open',
          ':click': 'click',
          ':reclassified': 'click-reclassified',
        },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => itemToEntity(engagementEventSchema, item));
  }

  async claimSend(send: Send): Promise<boolean> {
    return (await this.claimSendOrGetHolder(send)).claimed;
  }

  async claimSendOrGetHolder(send: Send): Promise<{ claimed: true } | { claimed: false; holder: Send }> {
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          // Kept as long as raw events (the frequency caps and SES events need days of it), then TTL: docs/data-model.md, retention.
          Item: { ...keys.send(send.campaignId, send.runId, send.contactId), entity: 'send', ...send, [TABLE_KEYS.ttlAttribute]: expiresAtOf(send.claimedAt) },
          ConditionExpression: 'attribute_not_exists(PK)',
          // The holder comes back with the refusal: no second read (and no GetItem right) for the sender.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      // The refusal's item is in DynamoDB's wire form: read the fields that judge the claim.
      const held = (error as ConditionalCheckFailedException).Item ?? {};
      const text = (name: string) => held[name]?.S;
      const holder = { ...send, state: text('state'), claimedAt: text('claimedAt'), claimToken: text('claimToken'), messageId: text('messageId') };
      return { claimed: false, holder: sendSchema.parse(Object.fromEntries(Object.entries(holder).filter(([, value]) => value !== undefined))) };
    }
  }

  /**
   * The send becomes `sent`, joining the message-id index and the contact's send history: one
   * conditional update. The run's `sent` count moves from the table's change stream when the send
   * reaches `sent` (kpi-stream-consumer.ts), so a repeated write moves nothing.
   */
  async markSent(send: SendRef, messageId: string, sentAt: Date): Promise<void> {
    const sentAtIso = sentAt.toISOString();
    const messageKeys = keys.sendByMessage(messageId);
    const contactKeys = keys.sendOfContact(send.contactId, sentAtIso);
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.send(send.campaignId, send.runId, send.contactId),
          UpdateExpression: 'SET #state = :sent, messageId = :messageId, sentAt = :sentAt, GSI1PK = :g1pk, GSI1SK = :g1sk, GSI2PK = :g2pk, GSI2SK = :g2sk, #counted = :counted',
          ConditionExpression: 'attribute_exists(PK) AND #state <> :sent',
          ExpressionAttributeNames: { '#state': 'state', '#counted': COUNTED_FROM_STREAM },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':counted': true,
            ':messageId': messageId,
            ':sentAt': sentAtIso,
            ':g1pk': messageKeys.GSI1PK,
            ':g1sk': messageKeys.GSI1SK,
            ':g2pk': contactKeys.GSI2PK,
            ':g2sk': contactKeys.GSI2SK,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      // Already marked sent (a retried write): nothing more to do. No send at all: the caller's bug.
      if ((error as ConditionalCheckFailedException).Item?.state?.S === 'sent') return;
      throw new Error(`markSent: no claimed send ${send.campaignId}/${send.runId}/${send.contactId}`, { cause: error });
    }
  }

  async markFailed(send: SendRef, reason: string): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.send(send.campaignId, send.runId, send.contactId),
        UpdateExpression: 'SET #state = :failed, reason = :reason',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':failed': 'failed', ':reason': reason },
      }),
    );
  }

  async getSend(campaignId: string, runId: string, contactId: string): Promise<Send | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.send(campaignId, runId, contactId) }));
    return Item ? itemToEntity(sendSchema, Item) : undefined;
  }

  async findSendByMessageId(messageId: string): Promise<Send | undefined> {
    const items = await this.table.queryAll({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.sendByMessage(messageId).GSI1PK },
    });
    return items[0] ? itemToEntity(sendSchema, items[0]) : undefined;
  }

  async listSendsOfRun(campaignId: string, runId: string): Promise<Send[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :send)',
      ExpressionAttributeValues: { ':pk': keys.send(campaignId, runId, '').PK, ':send': 'SEND#' },
    });
    return items.map((item) => itemToEntity(sendSchema, item));
  }

  countSendsToContactSince(contactId: string, since: Date): Promise<number> {
    return this.table.queryCount({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': `CONTACT#${contactId}`, ':from': `SEND#${since.toISOString()}`, ':to': 'SEND#\uffff' },
    });
  }

  async sendTimesOfContactSince(contactId: string, since: Date): Promise<Date[]> {
    const items = await this.table.queryAll({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': `CONTACT#${contactId}`, ':from': `SEND#${since.toISOString()}`, ':to': 'SEND#\uffff' },
      ProjectionExpression: 'sentAt',
    });
    return items.map((item) => new Date(String(item.sentAt)));
  }

  async releaseClaim(send: SendRef, claimToken: string): Promise<void> {
    await this.table.conditionally(() =>
      this.table.doc.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: keys.send(send.campaignId, send.runId, send.contactId),
          ConditionExpression: '#state = :claimed AND claimToken = :token',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':claimed': 'claimed', ':token': claimToken },
        }),
      ),
    );
  }

  async recordSkips(skips: readonly SkippedSend[]): Promise<void> {
    await batchWrite(
      this.table,
      skips.map((skip) => ({ PutRequest: { Item: { ...keys.skippedSend(skip.campaignId, skip.runId, skip.contactId), entity: 'skipped-send', ...skip, [TABLE_KEYS.ttlAttribute]: expiresAtOf(skip.skippedAt) } } })),
    );
  }

  async listSkipsOfRun(campaignId: string, runId: string): Promise<SkippedSend[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :skip)',
      ExpressionAttributeValues: { ':pk': keys.skippedSend(campaignId, runId, '').PK, ':skip': 'SKIP#' },
    });
    return items.map((item) => itemToEntity(skippedSendSchema, item));
  }

  async deferSends(deferred: readonly DeferredSend[]): Promise<void> {
    await batchWrite(
      this.table,
      deferred.map((entry) => {
        const { request } = entry;
        const messageId = messageIdOf(request.source);
        return {
          PutRequest: {
            Item: {
              ...keys.deferredSend(messageId, request.runId, request.contactId),
              ...keys.deferredDue(entry.notBefore, messageId, request.runId, request.contactId),
              entity: 'deferred-send',
              ...entry,
            },
          },
        };
      }),
    );
  }

  async listDueDeferredSends(now: Date, limit: number): Promise<DeferredSend[]> {
    const shards = await Promise.all(Array.from({ length: this.deferredShards }, (_, shard) => this.dueDeferredSendsOfShard(shard, now, limit)));
    return shards
      .flat()
      .sort((a, b) => a.notBefore.localeCompare(b.notBefore))
      .slice(0, limit);
  }

  async dueDeferredSendsOfShard(shard: number, now: Date, limit: number): Promise<DeferredSend[]> {
    const due = keys.deferredDueShard(shard, now.toISOString());
    const page = await this.table.queryPage({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK <= :upTo', ExpressionAttributeValues: { ':pk': due.GSI1PK, ':upTo': due.GSI1SKTo } }, undefined, limit);
    return page.items.map((item) => itemToEntity(deferredSendSchema, item));
  }

  async removeDeferredSends(deferred: readonly DeferredSend[]): Promise<void> {
    await batchWrite(
      this.table,
      deferred.map(({ request }) => ({ DeleteRequest: { Key: keys.deferredSend(messageIdOf(request.source), request.runId, request.contactId) } })),
    );
  }
}
