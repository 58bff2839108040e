/**
 * Tracked links in DynamoDB: one item per (message, run, link set) in the run's partition,
 * written once with a conditional put, never overwritten, and carrying per-link click counters
 * (`clicks_<position>`, `machineClicks_<position>`) updated with an atomic ADD (a reclassified
 * click moves from the first to the second in one update).
 * The sender stores the same link set for every email of a run and locale: this process
 * remembers what it already stored, so only the first email of a set costs a write.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { messageLinksSchema, type MessageLinks, type StoredMessageLinks } from '../../../core/tracking/message-links.ts';
import { keys } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

const REMEMBERED_LINK_SETS = 10_000;

export class DynamoMessageLinks {
  private readonly stored = new Set<string>();

  constructor(private readonly table: DynamoTable) {}

  async save(links: MessageLinks): Promise<boolean> {
    const key = keys.messageLinks(links.messageId, links.runId, links.linkSet);
    const remembered = `${key.PK}|${key.SK}`;
    if (this.stored.has(remembered)) return false;
    const created = await this.table.conditionally(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...key, entity: 'message-links', ...links },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
    if (this.stored.size >= REMEMBERED_LINK_SETS) this.stored.clear();
    this.stored.add(remembered);
    return created;
  }

  async get(messageId: string, runId: string, linkSet: string): Promise<StoredMessageLinks | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: keys.messageLinks(messageId, runId, linkSet) }));
    return Item ? withCounts(Item) : undefined;
  }

  /** Every link set of a run (one per locale and personalised variant) with its click counts. */
  async listOfRun(messageId: string, runId: string): Promise<StoredMessageLinks[]> {
    const { PK } = keys.messageLinks(messageId, runId, '');
    const items = await this.table.queryAll({ KeyConditionExpression: 'PK = :pk AND begins_with(SK, :links)', ExpressionAttributeValues: { ':pk': PK, ':links': 'LINKS#' } });
    return items.map(withCounts);
  }

  /** One click of a link moved from people to machines, in one atomic update (a reclassified click). */
  reclassifyClick(messageId: string, runId: string, linkSet: string, position: number): Promise<void> {
    return this.addToCounters(messageId, runId, linkSet, { [`clicks_${position}`]: -1, [`machineClicks_${position}`]: 1 }, position);
  }

  countClick(messageId: string, runId: string, linkSet: string, position: number, machine: boolean): Promise<void> {
    return this.addToCounters(messageId, runId, linkSet, { [`${machine ? 'machineClicks_' : 'clicks_'}${position}`]: 1 }, position);
  }

  /** ADD to the stored links' click counters (never to a link list that was not stored). */
  private async addToCounters(messageId: string, runId: string, linkSet: string, amounts: Record<string, number>, position: number): Promise<void> {
    checkPosition(position);
    const counters = Object.entries(amounts);
    await this.table.conditionally(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.messageLinks(messageId, runId, linkSet),
          UpdateExpression: `ADD ${counters.map((_, index) => `#c${index} :v${index}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: Object.fromEntries(counters.map(([name], index) => [`#c${index}`, name])),
          ExpressionAttributeValues: Object.fromEntries(counters.map(([, amount], index) => [`:v${index}`, amount])),
        }),
      ),
    );
  }
}

function checkPosition(position: number): void {
  if (!Number.isInteger(position) || position < 0) throw new RangeError(`link position must be a whole number, got ${position}`);
}

function withCounts(item: Record<string, unknown>): StoredMessageLinks {
  const links = itemToEntity(messageLinksSchema, item);
  const counts = (prefix: string) => links.links.map((_, position) => Number(item[`${prefix}${position}`] ?? 0));
  return { ...links, clicks: { human: counts('clicks_'), machine: counts('machineClicks_') } };
}
