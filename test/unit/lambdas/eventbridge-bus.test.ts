/**
 * The EventBridge bus on a mocked EventBridgeClient: entries go to the configured bus in PutEvents
 * calls of at most 10 (and 256 KiB), under the engine's source, with the detail-type, the detail as
 * JSON and the promotion time; entries EventBridge reports with an error code come back as failed
 * ids (they stay in the outbox); an entry too large for any call is failed without a call; a thrown
 * error reaches the caller, so nothing is marked published.
 */
import { EventBridgeClient, EventBridgeServiceException, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgeBus, PUT_EVENTS_MAX_BYTES, putEventsEntrySize } from '../../../adapters/aws/eventbridge-bus.ts';
import { CSQL_EVENT_SOURCE, CSQL_QUALIFIED, qualifiedEvent, type OutboxEntry } from '../../../core/qualification/csql-promotion.ts';

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

const BUS = 'nurture-engine-dev';
const bus = () => new EventBridgeBus(new EventBridgeClient({ region: 'ap-northeast-1' }), BUS);

function entry(index: number, extra: Record<string, unknown> = {}): OutboxEntry {
  const event = qualifiedEvent({
    accountId: `acct-${index}`,
    promotedAt: new Date(Date.UTC(2026, 11, 10, 5, index % 60)).toISOString(),
    ruleId: 'engaged-account',
    ruleDescription: 'アカウントスコア 40 以上',
    accountScore: 47.5,
    health: 72,
    values: { accountScore: 47.5 },
    topSignals: [{ signal: 'click', contribution: 12.5 }],
    evidence: [],
  });
  return { ...event, detail: { eventId: event.id, ...event.detail, ...extra } };
}

/** Answers each PutEvents with one result per entry, an error for the entries `fails` picks. */
function answerWith(fails: (request: PutEventsRequestEntry) => boolean = () => false): void {
  let next = 0;
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
    const results = input.Entries.map((request) => (fails(request) ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: `evt-${next++}` }));
    return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
  });
}

const sentEntries = () => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);

describe('EventBridgeBus', () => {
  it('puts each entry on the configured bus under the engine source, detail as JSON, the promotion time as the event time', async () => {
    answerWith();
    const published = entry(7);
    expect(await bus().publish([published])).toEqual({ failedIds: [] });
    expect(sentEntries()).toEqual([
      [
        {
          EventBusName: BUS,
          Source: CSQL_EVENT_SOURCE,
          DetailType: CSQL_QUALIFIED,
          Detail: JSON.stringify(published.detail),
          Time: new Date('2026-12-10T05:07:00.000Z'),
        },
      ],
    ]);
    expect(JSON.parse(sentEntries()[0]![0]!.Detail!)).toMatchObject({ eventId: published.id, version: '1', accountId: 'acct-7' });
  });

  it('sends 25 entries in calls of 10, 10 and 5, in order', async () => {
    answerWith();
    const entries = Array.from({ length: 25 }, (_, index) => entry(index));
    expect(await bus().publish(entries)).toEqual({ failedIds: [] });
    expect(sentEntries().map((call) => call.length)).toEqual([10, 10, 5]);
    expect(sentEntries().flat().map((request) => (JSON.parse(request.Detail!) as { eventId: string }).eventId)).toEqual(entries.map((item) => item.id));
  });

  it('reports the entries EventBridge failed (FailedEntryCount / ErrorCode) by their outbox id, in any chunk', async () => {
    const entries = Array.from({ length: 12 }, (_, index) => entry(index));
    const failing = new Set([entries[3]!.id, entries[11]!.id]);
    answerWith((request) => failing.has((JSON.parse(request.Detail!) as { eventId: string }).eventId));
    const { failedIds } = await bus().publish(entries);
    expect(failedIds.sort()).toEqual([...failing].sort());
  });

  it('counts an entry with no result or no event id as failed: only what EventBridge acknowledged leaves the outbox', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }, {}] });
    const entries = [entry(1), entry(2), entry(3)];
    expect((await bus().publish(entries)).failedIds).toEqual([entries[1]!.id, entries[2]!.id]);
  });

  it('keeps each call within 256 KiB, and fails an entry too large for any call without sending it', async () => {
    answerWith();
    // About 100 KiB each: two fit in a call, the third starts another.
    const large = [0, 1, 2].map((index) => entry(index, { padding: 'x'.repeat(100 * 1024) }));
    const tooLarge = entry(9, { padding: 'x'.repeat(PUT_EVENTS_MAX_BYTES) });
    const { failedIds } = await bus().publish([...large, tooLarge]);
    expect(failedIds).toEqual([tooLarge.id]);
    expect(sentEntries().map((call) => call.length)).toEqual([2, 1]);
    for (const call of sentEntries()) expect(call.reduce((sum, request) => sum + putEventsEntrySize(request), 0)).toBeLessThanOrEqual(PUT_EVENTS_MAX_BYTES);
  });

  it('sends nothing for no entries', async () => {
    answerWith();
    expect(await bus().publish([])).toEqual({ failedIds: [] });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('lets a thrown error reach the caller (the job fails and is retried; nothing is marked published)', async () => {
    eventBridge.on(PutEventsCommand).rejects(new EventBridgeServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'not authorized to perform events:PutEvents' }));
    await expect(bus().publish([entry(1)])).rejects.toThrow(/not authorized/);
  });

  it('measures an entry as EventBridge does: UTF-8 bytes of source, detail-type and detail, plus 14 for the time', () => {
    expect(putEventsEntrySize({ Source: 'ab', DetailType: 'c', Detail: '"é"', Time: new Date() })).toBe(2 + 1 + 4 + 14);
    expect(putEventsEntrySize({ Source: 'ab', Resources: ['r1'] })).toBe(4);
  });
});
