/**
 * The local stream poller over a mocked Streams client, for what DynamoDB Local only does after
 * hours (a shard rollover every 4 h, iterators expiring after 15 min): a child shard is read only
 * after its parent is read to its end, shards listed over several DescribeStream pages are all
 * read, and an expired iterator is replaced from the last position without handing a record twice.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { TableStreamPoller } from '../../../local/table-stream-poller.ts';

const streamsMock = mockClient(DynamoDBStreamsClient);
afterEach(() => streamsMock.reset());

const STREAM_ARN = 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-12-03T00:00:00.000';

interface FakeShard {
  shardId: string;
  parentShardId?: string;
  sequenceNumbers: number[];
  closed: boolean;
}

const sequenceText = (sequence: number): string => String(sequence).padStart(21, '0');
const record = (sequence: number): StreamRecord => ({ eventID: `event-${sequence}`, eventName: 'INSERT', dynamodb: { SequenceNumber: sequenceText(sequence) } });

/** A stream whose DescribeStream lists one shard per page and whose iterators are `shard|index`; the nth GetRecords can answer that the iterator expired. */
function fakeStream(shards: FakeShard[], options: { expireGetRecordsCall?: number } = {}): void {
  let getRecordsCalls = 0;
  streamsMock.on(DescribeStreamCommand).callsFake((input: { ExclusiveStartShardId?: string }) => {
    const start = input.ExclusiveStartShardId === undefined ? 0 : shards.findIndex((shard) => shard.shardId === input.ExclusiveStartShardId) + 1;
    const shard = shards[start];
    const last = start === shards.length - 1;
    return {
      StreamDescription: {
        Shards: shard ? [{ ShardId: shard.shardId, ...(shard.parentShardId ? { ParentShardId: shard.parentShardId } : {}) }] : [],
        ...(last ? {} : { LastEvaluatedShardId: shard?.shardId }),
      },
    };
  });
  streamsMock.on(GetShardIteratorCommand).callsFake((input: { ShardId: string; ShardIteratorType: string; SequenceNumber?: string }) => {
    const shard = shards.find((candidate) => candidate.shardId === input.ShardId);
    if (!shard) throw new Error(`no shard ${input.ShardId}`);
    const at = input.SequenceNumber === undefined ? -1 : shard.sequenceNumbers.indexOf(Number(input.SequenceNumber));
    const index = input.ShardIteratorType === 'TRIM_HORIZON' ? 0 : input.ShardIteratorType === 'AT_SEQUENCE_NUMBER' ? at : at + 1;
    return { ShardIterator: `${shard.shardId}|${index}` };
  });
  streamsMock.on(GetRecordsCommand).callsFake((input: { ShardIterator: string; Limit: number }) => {
    getRecordsCalls += 1;
    if (getRecordsCalls === options.expireGetRecordsCall) {
      throw new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} });
    }
    const [shardId, indexText] = input.ShardIterator.split('|');
    const shard = shards.find((candidate) => candidate.shardId === shardId);
    if (!shard) throw new Error(`no shard ${shardId}`);
    const index = Number(indexText);
    const page = shard.sequenceNumbers.slice(index, index + input.Limit);
    const next = index + page.length;
    const atEnd = shard.closed && next >= shard.sequenceNumbers.length;
    return { Records: page.map(record), ...(atEnd ? {} : { NextShardIterator: `${shard.shardId}|${next}` }) };
  });
}

describe('table stream poller over shards', () => {
  it('reads a closed parent to its end before its child, across DescribeStream pages', async () => {
    fakeStream([
      { shardId: 'shard-child', parentShardId: 'shard-parent', sequenceNumbers: [6, 7], closed: false },
      { shardId: 'shard-parent', sequenceNumbers: [1, 2, 3, 4, 5], closed: true },
    ]);
    const handed: string[] = [];
    const poller = new TableStreamPoller({
      streams: new DynamoDBStreamsClient({ region: 'ap-northeast-1' }),
      streamArn: STREAM_ARN,
      batchSize: 2,
      logger: () => undefined,
      onBatch: async (records) => void handed.push(...records.map((one) => one.eventID ?? '')),
    });
    await poller.drain();
    expect(handed).toEqual(['event-1', 'event-2', 'event-3', 'event-4', 'event-5', 'event-6', 'event-7']);
  });

  it('replaces an expired iterator from the last position, handing nothing twice', async () => {
    fakeStream([{ shardId: 'shard-only', sequenceNumbers: [1, 2, 3, 4], closed: false }], { expireGetRecordsCall: 2 });
    const handed: string[] = [];
    const poller = new TableStreamPoller({
      streams: new DynamoDBStreamsClient({ region: 'ap-northeast-1' }),
      streamArn: STREAM_ARN,
      batchSize: 3,
      logger: () => undefined,
      onBatch: async (records) => void handed.push(...records.map((one) => one.eventID ?? '')),
    });
    await poller.drain();
    expect(handed).toEqual(['event-1', 'event-2', 'event-3', 'event-4']);
  });
});
