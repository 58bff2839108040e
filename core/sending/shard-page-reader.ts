/**
 * Reads one page of a run shard: up to a page of contacts from the shard's list partitions
 * (core/sending/run-fan-out.ts), carrying on into the shard's next partition when one runs out, and
 * says where the next page starts (partition and cursor) for the checkpoint. A small contact base
 * leaves most partitions empty, so partitions from the start are read a few at once (1, 2, 4, ...
 * up to 16 while they keep coming back short) instead of one round trip each; a read that no
 * longer fits the page is dropped and read again by the next page, never split.
 */
import type { Contact } from '../customers/contact.ts';
import type { ContactListing } from '../ports.ts';
import type { RunWidth } from './run-fan-out.ts';

/** Where a shard's next page starts; a cursor is inside `partition`, none means at its start. */
export interface ShardPosition {
  partition: number;
  cursor?: string;
}

export interface ShardPage {
  contacts: Contact[];
  /** Where the following page starts; absent once the shard's last partition is read to its end. */
  next?: ShardPosition;
}

/** Most partitions read at once while they come back short. */
const MAX_PARTITIONS_AT_ONCE = 16;

export async function readShardPage(listing: Pick<ContactListing, 'page'>, at: ShardPosition, width: RunWidth, pageSize: number): Promise<ShardPage> {
  const contacts: Contact[] = [];
  let position: ShardPosition | undefined = at;
  let atOnce = 1;
  while (position && contacts.length < pageSize) {
    const room = pageSize - contacts.length;
    if (position.cursor !== undefined) {
      const page = await listing.page(position.partition, position.cursor, room);
      contacts.push(...page.contacts);
      position = page.cursor ? { partition: position.partition, cursor: page.cursor } : nextPartition(position.partition, width);
      continue;
    }
    const partitions: number[] = [];
    for (let partition = position.partition; partition < width.listPartitions && partitions.length < atOnce; partition += width.shards) partitions.push(partition);
    const pages = await Promise.all(partitions.map((partition) => listing.page(partition, undefined, room)));
    for (const [index, page] of pages.entries()) {
      const partition = partitions[index] as number;
      // The first always fits (read with the room left); a later one may not, and is read again.
      if (contacts.length + page.contacts.length > pageSize) break;
      contacts.push(...page.contacts);
      position = page.cursor ? { partition, cursor: page.cursor } : nextPartition(partition, width);
      if (page.cursor) break;
    }
    atOnce = Math.min(atOnce * 2, MAX_PARTITIONS_AT_ONCE);
  }
  return { contacts, ...(position ? { next: position } : {}) };
}

function nextPartition(partition: number, width: RunWidth): ShardPosition | undefined {
  const next = partition + width.shards;
  return next < width.listPartitions ? { partition: next } : undefined;
}
