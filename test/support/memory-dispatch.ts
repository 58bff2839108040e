/**
 * In-memory contact listing and dispatch checkpoints with the DynamoDB adapters' contract: the
 * listing is partitioned by the same hash and paged by a cursor (the last contact id returned), the
 * checkpoint write is conditional on the page before it. And a send queue that records.
 */
import { shardOf } from '../../adapters/aws/dynamo/table-design.ts';
import type { DispatchShardProgress } from '../../core/campaigns/dispatch-shard.ts';
import type { Contact } from '../../core/customers/contact.ts';
import type { ContactListing, DispatchProgressStore, SendQueue } from '../../core/ports.ts';
import type { SendRequest } from '../../core/sending/send-request.ts';

export function memoryContactListing(contacts: () => Iterable<Contact>, partitions: number): ContactListing {
  return {
    partitions,
    page: async (partition, cursor, limit) => {
      if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) throw new Error(`memory contact listing: partition ${partition} is outside 0..${partitions - 1}`);
      const inPartition = [...contacts()].filter((contact) => shardOf(contact.contactId, partitions) === partition && (cursor === undefined || contact.contactId > cursor));
      inPartition.sort((a, b) => (a.contactId < b.contactId ? -1 : 1));
      const page = inPartition.slice(0, limit);
      const last = page.at(-1);
      // Like DynamoDB with Limit: a full page has a cursor even when nothing follows it.
      return { contacts: structuredClone(page), ...(page.length === limit && last ? { cursor: last.contactId } : {}) };
    },
    // Exact: counting memory is free (DynamoDB's estimate samples partitions, test/integration/dispatch-fanout).
    estimateContacts: async () => [...contacts()].length,
  };
}

export function memoryDispatchProgress(): DispatchProgressStore & { saved: DispatchShardProgress[] } {
  const progress = new Map<string, DispatchShardProgress>();
  const key = (campaignId: string, runId: string, shard: number) => `${campaignId}|${runId}|${shard}`;
  const saved: DispatchShardProgress[] = [];
  return {
    saved,
    shardProgress: async (campaignId, runId, shard) => structuredClone(progress.get(key(campaignId, runId, shard))),
    savePage: async (next) => {
      const id = key(next.campaignId, next.runId, next.shard);
      if ((progress.get(id)?.pages ?? 0) !== next.pages - 1) return false;
      progress.set(id, structuredClone(next));
      saved.push(structuredClone(next));
      return true;
    },
    listShardProgress: async (campaignId, runId) => [...progress.values()].filter((entry) => entry.campaignId === campaignId && entry.runId === runId).map((entry) => structuredClone(entry)),
  };
}

/** A send queue that keeps what was queued, in order (a contact queued twice appears twice). */
export class RecordingSendQueue implements SendQueue {
  readonly requests: SendRequest[] = [];
  get contactIds(): string[] {
    return this.requests.map((request) => request.contactId);
  }
  async enqueue(requests: readonly SendRequest[]): Promise<void> {
    this.requests.push(...structuredClone(requests));
  }
}
