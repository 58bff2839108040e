/**
 * The EventBus port on Amazon EventBridge: PutEvents on one bus, the engine's events under source
 * `CSQL_EVENT_SOURCE`, the entry's detail-type and detail as JSON, its creation time as the event
 * time. PutEvents takes at most 10 entries and 256 KiB a call, so entries go in chunks within both.
 * A partial failure (an entry with an ErrorCode) reports that entry's id as failed: it stays in the
 * outbox and is published again by the next run. A thrown error (network, throttling of the whole
 * call, access denied) is rethrown: the job fails, is retried, and nothing was marked published.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventBus } from '../../core/ports.ts';
import { CSQL_EVENT_SOURCE, type OutboxEntry } from '../../core/qualification/csql-promotion.ts';

/** PutEvents limits: entries per call, and the total entry size of a call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** EventBridge's size of an entry: the UTF-8 bytes of its source, detail-type, detail and resources, plus 14 for a time. */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  const bytes = (value: string | undefined) => (value === undefined ? 0 : Buffer.byteLength(value, 'utf8'));
  return (entry.Time === undefined ? 0 : 14) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0);
}

export class EventBridgeBus implements EventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(entries: readonly OutboxEntry[]): Promise<{ failedIds: string[] }> {
    const failedIds: string[] = [];
    const chunks: Array<Array<{ id: string; request: PutEventsRequestEntry }>> = [];
    let chunk: Array<{ id: string; request: PutEventsRequestEntry }> = [];
    let chunkBytes = 0;
    for (const entry of entries) {
      const request = this.requestEntry(entry);
      const size = putEventsEntrySize(request);
      // No call can carry it: EventBridge would refuse the whole call. It stays in the outbox, counted as failed (and alarmed on).
      if (size > PUT_EVENTS_MAX_BYTES) {
        failedIds.push(entry.id);
        continue;
      }
      if (chunk.length === PUT_EVENTS_MAX_ENTRIES || chunkBytes + size > PUT_EVENTS_MAX_BYTES) {
        chunks.push(chunk);
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push({ id: entry.id, request });
      chunkBytes += size;
    }
    if (chunk.length > 0) chunks.push(chunk);

    for (const part of chunks) {
      const output = await this.client.send(new PutEventsCommand({ Entries: part.map((item) => item.request) }));
      // Results come back in request order. Only an entry with an event id and no error code was taken.
      part.forEach((item, index) => {
        const result = output.Entries?.[index];
        if (result?.ErrorCode !== undefined || result?.EventId === undefined) failedIds.push(item.id);
      });
    }
    return { failedIds };
  }

  private requestEntry(entry: OutboxEntry): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: CSQL_EVENT_SOURCE,
      DetailType: entry.detailType,
      Detail: JSON.stringify(entry.detail),
      Time: new Date(entry.createdAt),
    };
  }
}
