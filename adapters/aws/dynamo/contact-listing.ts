/**
 * The contact listing on DynamoDB: the sharded GSI1 partitions `CONTACTS#<shard>`, read one page
 * (Query with Limit and ExclusiveStartKey) at a time, so no reader ever holds a whole shard.
 */
import { contactSchema, type Contact } from '../../../core/customers/contact.ts';
import type { ContactListing, ContactPage } from '../../../core/ports.ts';
import { CONTACT_LIST_SHARDS, keys } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

export class DynamoContactListing implements ContactListing {
  constructor(
    private readonly table: DynamoTable,
    /** Shards read; more than the contacts were written with is safe (docs/sending.md), fewer loses contacts. */
    readonly shards: number = CONTACT_LIST_SHARDS,
  ) {}

  async page(shard: number, cursor: string | undefined, limit: number): Promise<ContactPage> {
    if (!Number.isInteger(shard) || shard < 0 || shard >= this.shards) throw new Error(`contact listing: shard ${shard} is outside 0..${this.shards - 1}`);
    const page = await this.table.queryPage({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': keys.contactListShard(shard).GSI1PK } }, cursor, limit);
    return { contacts: page.items.map((item) => itemToEntity(contactSchema, item)), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  /** Every contact, shard after shard, one page at a time. */
  async *everyPage(pageSize: number): AsyncIterable<Contact[]> {
    for (let shard = 0; shard < this.shards; shard++) {
      let cursor: string | undefined;
      do {
        const page = await this.page(shard, cursor, pageSize);
        if (page.contacts.length > 0) yield page.contacts;
        cursor = page.cursor;
      } while (cursor);
    }
  }
}
