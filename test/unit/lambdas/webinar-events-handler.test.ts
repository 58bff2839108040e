/**
 * The webinar events function's batch handling: a record that fails goes back to the queue alone
 * (its message id in batchItemFailures), the others are done; records are handled one after
 * another; a batch that failed whole fails the invocation; outcomes are counted per batch by a
 * bounded kind; and no log line carries an address, even when the error message quotes one.
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ZoomSignalOutcome } from '../../../core/webinars/process-zoom-signal.ts';
import type { WebinarDeps } from '../../../core/webinars/register-for-webinar.ts';
import { processZoomDelivery } from '../../../core/webinars/zoom-delivery.ts';
import { createWebinarEventsHandler, loggableError, outcomeKind, type WebinarEventsHandlerDeps } from '../../../lambdas/webinar-events/handler.ts';
import { sqsRecord } from '../../support/sqs-record.ts';

const record = (messageId: string, body: string) => sqsRecord(messageId, body);
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const context = { getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const deps = {} as WebinarDeps;

function harness(processDelivery: NonNullable<WebinarEventsHandlerDeps['processDelivery']>) {
  const lines: Array<{ level: string; message: string; attributes: Record<string, unknown> }> = [];
  const counted: Array<Map<string, number>> = [];
  const handler = createWebinarEventsHandler({
    deps: async () => deps,
    logger: {
      info: (message: string, attributes: Record<string, unknown>) => void lines.push({ level: 'info', message, attributes }),
      error: (message: string, attributes: Record<string, unknown>) => void lines.push({ level: 'error', message, attributes }),
    } as WebinarEventsHandlerDeps['logger'],
    countOutcomes: (counts) => void counted.push(new Map(counts)),
    processDelivery,
  });
  return { handler, lines, counted };
}

describe('webinar events handler', () => {
  it('returns only the failed record to the queue, logs ids and outcomes, and counts outcome kinds once per batch', async () => {
    const order: string[] = [];
    const { handler, lines, counted } = harness(async (body) => {
      order.push(String(body));
      if (body === 'bad') throw new Error('store refused the write for hanako.sato@example.co.jp');
      return body === 'end'
        ? { outcome: 'ended: 3 attended, 1 no-shows, 4 follow-ups planned', webinarId: 'dashboards-101', sessionId: 'tokyo-dec-10' }
        : { outcome: 'registered', webinarId: 'dashboards-101', sessionId: 'tokyo-dec-10' };
    });
    const result = await handler(batch(record('m-1', 'reg'), record('m-2', 'bad'), record('m-3', 'end')), context);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    // One after another, in the order received.
    expect(order).toEqual(['reg', 'bad', 'end']);
    expect(counted).toEqual([new Map([['registered', 1], ['failed', 1], ['ended', 1]])]);
    expect(lines.map((line) => [line.level, line.attributes.messageId])).toEqual([['info', 'm-1'], ['error', 'm-2'], ['info', 'm-3']]);
    expect(lines[2]?.attributes).toMatchObject({ outcome: 'ended: 3 attended, 1 no-shows, 4 follow-ups planned', webinarId: 'dashboards-101', sessionId: 'tokyo-dec-10', receiveCount: 1 });
    expect(lines[1]?.attributes).toMatchObject({ errorName: 'Error', error: 'store refused the write for [address]' });
    expect(JSON.stringify(lines)).not.toContain('@');
  });

  it('fails the invocation when every record failed (the errors alarm hears it), still counting them', async () => {
    const { handler, counted } = harness(async () => Promise.reject(new Error('table gone')));
    await expect(handler(batch(record('m-1', 'a'), record('m-2', 'b')), context)).rejects.toThrow(/All records failed/i);
    expect(counted).toEqual([new Map([['failed', 2]])]);
  });

  it('with the real use case, a queued body that is not JSON fails its record without quoting it in the log', async () => {
    const { handler, lines } = harness((message, webinarDeps) => processZoomDelivery(message, webinarDeps));
    const good = record('m-ok', JSON.stringify({ source: 'zoom', rawBody: '{"event":"meeting.started","event_ts":1796878711502,"payload":{}}', receivedAt: '2026-12-10T05:00:00.000Z' }));
    const result = await handler(batch(record('m-bad', '{"source":"zoom","rawBody":"hanako.sato@example.co.jp'), good), context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-bad' }]);
    const failure = lines.find((line) => line.attributes.messageId === 'm-bad');
    expect(failure?.attributes).toMatchObject({ errorName: 'SyntaxError', error: 'the queued delivery is not valid JSON' });
    expect(JSON.stringify(lines)).not.toMatch(/hanako/);
  });
});

describe('outcome kinds and loggable errors', () => {
  it('keeps the dimension bounded: the outcome up to its first colon', () => {
    const outcomes: Array<[ZoomSignalOutcome['outcome'], string]> = [
      ['ended: 12 attended, 3 no-shows, 15 follow-ups planned', 'ended'],
      ['registered', 'registered'],
      ['unknown-webinar', 'unknown-webinar'],
      ['', 'unknown'],
    ];
    for (const [outcome, kind] of outcomes) expect(outcomeKind(outcome)).toBe(kind);
  });

  it('masks addresses in any message and drops what JSON.parse quotes', () => {
    expect(loggableError(new Error('no contact for <Hanako.Sato@Example.co.jp>, retry'))).toEqual({ errorName: 'Error', error: 'no contact for <[address]>, retry' });
    let syntax: unknown;
    try {
      JSON.parse('{"email":"hanako.sato@example.co.jp"');
    } catch (error) {
      syntax = error;
    }
    expect(loggableError(syntax)).toEqual({ errorName: 'SyntaxError', error: 'the queued delivery is not valid JSON' });
  });
});
