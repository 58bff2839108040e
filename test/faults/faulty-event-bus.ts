/**
 * An EventBridge that fails on purpose, behind the engine's real EventBridge adapter: PutEvents
 * calls refused whole (throttled before anything was put), partial failures (FailedEntryCount > 0,
 * an ErrorCode on some entries: ThrottlingException, InternalFailure), and answers lost after the
 * bus took every entry (the call throws although the events went out). What the bus took is
 * delivered to a CRM-side receiver that dedupes by `detail.eventId`, as docs/csql-event.md asks
 * every consumer to: its deliveries and distinct ids are the ground truth for "published at least
 * once, seen exactly once".
 */
import { EventBridgeClient, type PutEventsCommandInput, type PutEventsCommandOutput, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { EventBridgeBus } from '../../adapters/aws/eventbridge-bus.ts';
import type { EventBus } from '../../core/ports.ts';

export interface EventBusFaultRates {
  /** Share of calls refused whole before the bus took anything. */
  refused: number;
  /** Share of entries (in calls that go through) answered with an ErrorCode instead of an event id. */
  entryFailed: number;
  /** Share of calls whose answer is lost after the bus took every entry. */
  answerLost: number;
}

/** The CRM's side: every event the bus delivered, and the ones it kept after deduping by event id. */
export interface CrmReceiver {
  deliveries: number;
  readonly seen: Map<string, { detailType: string; times: number }>;
}

export interface FaultyEventBus {
  bus: EventBus;
  receiver: CrmReceiver;
  readonly injected: { refusedCalls: number; failedEntries: number; lostAnswers: number };
}

const ENTRY_ERRORS = [
  { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
  { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error' },
] as const;

export function faultyEventBus(rates: EventBusFaultRates, random: () => number): FaultyEventBus {
  // Answered in the first middleware step: no request leaves the process, so no credentials or endpoint are needed.
  const client = new EventBridgeClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'faults', secretAccessKey: 'faults' }, maxAttempts: 1 });
  const receiver: CrmReceiver = { deliveries: 0, seen: new Map() };
  const injected = { refusedCalls: 0, failedEntries: 0, lostAnswers: 0 };
  const deliver = (detailType: string, detail: string) => {
    const eventId = (JSON.parse(detail) as { eventId?: unknown }).eventId;
    if (typeof eventId !== 'string') throw new Error(`faulty event bus: an event of type ${detailType} has no detail.eventId to dedupe by`);
    receiver.deliveries++;
    const known = receiver.seen.get(eventId);
    receiver.seen.set(eventId, { detailType, times: (known?.times ?? 0) + 1 });
  };
  let calls = 0;
  const throttled = (when: string) => Object.assign(new Error(`PutEvents: ThrottlingException injected ${when}`), { name: 'ThrottlingException', $retryable: { throttling: true } });
  client.middlewareStack.add(
    () => async (args) => {
      const input = args.input as PutEventsCommandInput;
      // The first three calls strike one kind each (refused, a partial failure, a lost answer), so every kind strikes whatever the seed.
      const call = rates.refused > 0 ? calls++ : -1;
      if (call === 0 || (call > 2 && random() < rates.refused)) {
        injected.refusedCalls++;
        throw throttled('before the bus took anything');
      }
      const lost = call === 2 || (call > 2 && random() < rates.answerLost);
      const results: PutEventsResultEntry[] = (input.Entries ?? []).map((entry, index) => {
        if (!lost && ((call === 1 && index === 0) || random() < rates.entryFailed)) {
          injected.failedEntries++;
          return { ...ENTRY_ERRORS[index % ENTRY_ERRORS.length] };
        }
        deliver(entry.DetailType ?? '', entry.Detail ?? '{}');
        return { EventId: `eb-${receiver.deliveries}` };
      });
      if (lost) {
        injected.lostAnswers++;
        throw throttled('after the bus took every entry (the answer was lost)');
      }
      const output: PutEventsCommandOutput = { $metadata: { httpStatusCode: 200 }, Entries: results, FailedEntryCount: results.filter((result) => result.ErrorCode).length };
      return { output, response: {} };
    },
    { step: 'initialize', name: 'injectEventBusFaults' },
  );
  return { bus: new EventBridgeBus(client, 'fault-suite-bus'), receiver, injected };
}
