/**
 * The event bus locally: what EventBridge is in AWS. Every published event is kept in `published`,
 * in order, as EventBridge would put it on the bus (source, detail-type, detail, time), so the demo
 * can show what the CRM would receive and tests can assert on it. Publishing never fails; an
 * optional listener plays a rule's target: when it throws, the event is kept in `deadLetters` and
 * logged, like an undeliverable event in a target's dead-letter queue, and the publish still succeeds.
 */
import type { EventBus } from '../../core/ports.ts';
import { CSQL_EVENT_SOURCE, type OutboxEntry } from '../../core/qualification/csql-promotion.ts';

/** An event as it went on the local bus. */
export interface LocalBusEvent {
  /** The outbox entry's id (the idempotency key; also in `detail.eventId`). */
  id: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  /** The entry's creation time (ISO-8601), as the event's `time`. */
  time: string;
}

export interface InProcessBusOptions {
  /** Called for every event, in publish order (a rule target). */
  listener?: (event: LocalBusEvent) => void | Promise<void>;
  log?: (entry: Record<string, unknown>) => void;
}

export class InProcessBus implements EventBus {
  readonly published: LocalBusEvent[] = [];
  readonly deadLetters: Array<{ event: LocalBusEvent; error: string }> = [];

  constructor(private readonly options: InProcessBusOptions = {}) {}

  async publish(entries: readonly OutboxEntry[]): Promise<{ failedIds: string[] }> {
    for (const entry of entries) {
      const event: LocalBusEvent = { id: entry.id, source: CSQL_EVENT_SOURCE, detailType: entry.detailType, detail: entry.detail, time: entry.createdAt };
      this.published.push(event);
      if (this.options.listener === undefined) continue;
      try {
        await this.options.listener(event);
      } catch (error) {
        // The bus took the event; its target did not. Kept, not dropped, and said out loud.
        this.deadLetters.push({ event, error: (error as Error).message });
        this.options.log?.({ level: 'ERROR', message: 'local bus listener failed; event kept in the dead letters', eventId: event.id, detailType: event.detailType, error: (error as Error).message });
      }
    }
    return { failedIds: [] };
  }

  /** Published events of one detail-type (e.g. `AccountQualifiedAsCsql`). */
  ofType(detailType: string): LocalBusEvent[] {
    return this.published.filter((event) => event.detailType === detailType);
  }
}
