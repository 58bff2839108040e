/**
 * The contact listing on DynamoDB: the GSI1 partitions `CONTACTS#<p>` (CONTACT_LIST_PARTITIONS of
 * them), read one page (Query with Limit and ExclusiveStartKey) at a time, so no reader ever holds
 * a whole partition; and the contact count estimated from a sample of partitions (Select COUNT).
 */
import { contactSchema, type Contact } from '../../../core/customers/contact.ts';
import type { ContactListing, ContactPage } from '../../../core/ports.ts';
import { CONTACT_LIST_PARTITIONS, keys, LEGACY_CONTACT_LIST_SHARDS } from './table-design.ts';
import { itemToEntity, type DynamoTable } from './dynamo-table.ts';

/** Partitions counted to estimate the contacts (after the legacy ones): n / 16 items read at 256 partitions. */
const SAMPLED_PARTITIONS = 16;

/** Partitions whose first page `everyPage` reads at once (most are small or empty in a small table). */
const PARTITIONS_READ_AT_ONCE = 16;

export class DynamoContactListing implements ContactListing {
  readonly partitions = CONTACT_LIST_PARTITIONS;

  constructor(private readonly table: DynamoTable) {}

  async page(partition: number, cursor: string | undefined, limit: number): Promise<ContactPage> {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.partitions) throw new Error(`contact listing: partition ${partition} is outside 0..${this.partitions - 1}`);
    const page = await this.table.queryPage({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': keys.contactListPartition(partition).GSI1PK } }, cursor, limit);
    return { contacts: page.items.map((item) => itemToEntity(contactSchema, item)), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  /**
   * Partition 0 holds 1/256 of the contacts written under today's keys plus 1/8 of any written
   * under the old 8-shard keys (`CONTACTS#0-7`); partitions 8-23 hold only today's, 1/256 each.
   * So today's ≈ 256 × mean(8-23), the old ones ≈ 8 × (count(0) − mean(8-23)), and their sum
   * is 8 × count(0) + 248 × mean(8-23). Reads about n/16 + old/8 items (Select COUNT).
   */
  async estimateContacts(): Promise<number> {
    const sampled = Array.from({ length: SAMPLED_PARTITIONS }, (_, index) => LEGACY_CONTACT_LIST_SHARDS + index);
    const [first, ...counts] = await Promise.all([0, ...sampled].map((partition) => this.countPartition(partition)));
    const mean = counts.reduce((sum, count) => sum + count, 0) / counts.length;
    return Math.round(LEGACY_CONTACT_LIST_SHARDS * (first ?? 0) + (this.partitions - LEGACY_CONTACT_LIST_SHARDS) * mean);
  }

  /** Every contact, partition after partition, one page at a time (the first pages of a few partitions read at once). */
  async *everyPage(pageSize: number): AsyncIterable<Contact[]> {
    for (let start = 0; start < this.partitions; start += PARTITIONS_READ_AT_ONCE) {
      const group = Array.from({ length: Math.min(PARTITIONS_READ_AT_ONCE, this.partitions - start) }, (_, index) => start + index);
      const firstPages = await Promise.all(group.map((partition) => this.page(partition, undefined, pageSize)));
      for (const [index, firstPage] of firstPages.entries()) {
        let page: ContactPage = firstPage;
        for (;;) {
          if (page.contacts.length > 0) yield page.contacts;
          if (!page.cursor) break;
          page = await this.page(start + index, page.cursor, pageSize);
        }
      }
    }
  }

  private countPartition(partition: number): Promise<number> {
    return this.table.queryCount({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': keys.contactListPartition(partition).GSI1PK } });
  }
}
