/**
 * Tracked links in DynamoDB: one item per (message, run, link set) in the run's partition,
 * written once with a conditional put, never overwritten, and carrying per-link click counters
 * (`clicks_<position>`, `machineClicks_<position>`) updated with an atomic ADD (a reclassified
 * click moves from the first to the second in one update).
 * The sender stores the same link set for every email of a run and locale: this process
 * remembers what it already stored, so only the first email of a set costs a write.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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
}

function withCounts(item: Record<string, unknown>): StoredMessageLinks {
  const links = itemToEntity(messageLinksSchema, item);
  const counts = (prefix: string) => links.links.map((_, position) => Number(item[`${prefix}${position}`] ?? 0));
  return { ...links, clicks: { human: counts('clicks_'), machine: counts('machineClicks_') } };
}
