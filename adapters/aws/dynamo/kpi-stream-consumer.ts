/**
 * The table's change stream into KPI counts: a batch of stream records of one shard, in order (a
 * Lambda DynamoDB stream event, or a page the local poller read from DynamoDB Local), becomes the
 * changes core/reporting/count-kpi-changes.ts counts. Counted: an engagement event inserted (its
 * move is `kpiMoveOf`, the same one the reports and the in-memory store use), and a send reaching
 * `sent` (its run's `sent` count, by the recipient's tier and locale). Everything else (counters,
 * markers, the batch records this consumer writes itself, deletions by TTL or erasure) counts
 * nothing, and so does an event or a send written before the stream counted (no
 * `countedFromStream`: its own transaction counted it).
 *
 * The batch is named by its first record's eventID: the stream's consumer retries a failed batch
 * from that record (Lambda without bisect or item failures; the local poller likewise).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import { countKpiChanges, type CountKpiDeps, type KpiBatchOutcome, type KpiChange } from '../../../core/reporting/count-kpi-changes.ts';
import { kpiMoveOf, segmentDetailOf, sentMove } from '../../../core/reporting/kpi-counters.ts';
import { sendSchema } from '../../../core/sending/send.ts';
import { engagementEventSchema } from '../../../core/tracking/engagement-event.ts';
import { itemToEntity } from './dynamo-table.ts';
import { COUNTED_FROM_STREAM } from './table-design.ts';

/** One stream record as Lambda's event and the Streams API's GetRecords both give it (images in DynamoDB's wire form). */
export interface KpiStreamRecord {
  eventID?: string | undefined;
  eventName?: string | undefined;
  dynamodb?: { NewImage?: Record<string, unknown> | undefined; OldImage?: Record<string, unknown> | undefined; SequenceNumber?: string | undefined } | undefined;
}

/** One batch of stream records of one shard, in order. Throws when the batch must be retried. */
export type KpiStreamBatchHandler = (records: readonly KpiStreamRecord[]) => Promise<KpiBatchOutcome | undefined>;

/** Entities whose records can count: the Lambda event source filters on them, and so does this parser. */
export const COUNTED_ENTITIES = ['engagement-event', 'send'] as const;

export interface KpiStreamConsumerDeps extends CountKpiDeps {
  /** Told about a record that should count but cannot be read (a bug, not input): it is left out, never blocks the shard. */
  onUnreadable?: (record: { eventID?: string | undefined; entity: string; reason: string }) => void;
}

export function kpiStreamConsumer(deps: KpiStreamConsumerDeps): KpiStreamBatchHandler {
  return async (records) => {
    const batchId = records[0]?.eventID;
    if (!batchId) return undefined;
    const changes = records.flatMap((record) => {
      try {
        const change = kpiChangeOf(record);
        return change ? [change] : [];
      } catch (error) {
        deps.onUnreadable?.({ eventID: record.eventID, entity: String(imageOf(record.dynamodb?.NewImage)?.entity), reason: reasonOf(error) });
        return [];
      }
    });
    if (changes.length === 0) return undefined;
    return countKpiChanges(batchId, changes, deps);
  };
}

/** The change a record counts, or undefined when it counts nothing. Throws on a counted entity it cannot read. */
export function kpiChangeOf(record: KpiStreamRecord): KpiChange | undefined {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return undefined;
  const item = imageOf(record.dynamodb?.NewImage);
  // Written by the code that counted in its own transaction (before the stream): counted already.
  if (item?.[COUNTED_FROM_STREAM] !== true) return undefined;
  if (item?.entity === 'engagement-event' && record.eventName === 'INSERT') {
    const event = itemToEntity(engagementEventSchema, item);
    const move = kpiMoveOf(event);
    return move ? { sourceId: event.eventId, at: event.occurredAt, move } : undefined;
  }
  if (item?.entity === 'send' && item.state === 'sent' && imageOf(record.dynamodb?.OldImage)?.state !== 'sent') {
    const send = itemToEntity(sendSchema, item);
    const at = send.sentAt ?? send.claimedAt;
    return { sourceId: `send:${send.campaignId}:${send.runId}:${send.contactId}`, at, move: sentMove({ messageId: send.campaignId, runId: send.runId }, segmentDetailOf(send), send.contactId) };
  }
  return undefined;
}

/** What is wrong, by field path and issue code only: the values are the item's, personal data among them. */
function reasonOf(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code}`).join('; ').slice(0, 300);
  return error instanceof Error ? error.name : 'unknown';
}

function imageOf(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return image ? unmarshall(withEmptyMaps(image) as Record<string, AttributeValue>) : undefined;
}

/**
 * The Streams API client reads an empty map attribute (`{ M: {} }` on the wire, e.g. an event's
 * empty `detail`) back as `{}`, which unmarshall refuses; Lambda's event keeps `{ M: {} }`.
 */
function withEmptyMaps(image: Record<string, unknown>): Record<string, unknown> {
  const value = (attribute: unknown): unknown => {
    if (typeof attribute !== 'object' || attribute === null) return attribute;
    const entries = Object.entries(attribute);
    if (entries.length === 0) return { M: {} };
    const [[type, inner]] = entries as [[string, unknown]];
    if (type === 'M' && typeof inner === 'object' && inner !== null) return { M: withEmptyMaps(inner as Record<string, unknown>) };
    if (type === 'L' && Array.isArray(inner)) return { L: inner.map(value) };
    return attribute;
  };
  return Object.fromEntries(Object.entries(image).map(([name, attribute]) => [name, value(attribute)]));
}
