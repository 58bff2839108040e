/**
 * Bad-input properties over every event handler: the SES events function (EventBridge), the usage
 * events function (EventBridge), the webinar events function (SQS, Zoom deliveries), the
 * dispatcher (Scheduler job events) and the sender's batch (SQS send requests). Inputs are real
 * events and requests (addresses moved to the sentinel domain) broken in places, or any hostile
 * JSON. Each handler must refuse what it cannot use visibly, in its own way (a `rejected` or
 * `refused` outcome, a record returned to the queue for its dead-letter queue, a thrown
 * "invalid" error), never crash otherwise, write nothing for what it refused, and log ids only.
 */
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import type { Context, EventBridgeEvent, SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { sendRequestSchema } from '../../core/sending/send-request.ts';
import { processSendBatch } from '../../core/sending/send-emails.ts';
import { handler as dispatcherHandler } from '../../lambdas/dispatcher/handler.ts';
import { createSesEventsHandler } from '../../lambdas/ses-events/handler.ts';
import { createUsageEventsHandler } from '../../lambdas/usage-events/handler.ts';
import { createWebinarEventsHandler } from '../../lambdas/webinar-events/handler.ts';
import { sqsRecord } from '../support/sqs-record.ts';
import { loadSesFixture, SES_FIXTURE_NAMES, type SesFixtureName, type SesOtherFixtureName } from '../fixtures/ses/index.ts';
import { expectCleanCase, fuzzProperty, type FuzzProperty, type FuzzTotals } from './fuzz-run.ts';
import { hostileJson, hostileText, mutated, withPlantedAddresses, zoomPayload } from './hostile-input.ts';

/** Fails the case on an unexpected throw (counted with the 5xx: a crash is the handler's 500). */
async function withoutCrash<T>(totals: FuzzTotals, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    totals.fiveXx += 1;
    throw new Error(`${what}: crashed with ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
  }
}

/**
 * An EventBridge event as a rule hands it over: EventBridge itself sets the id, account, region
 * and time; the producer sets the detail (and the rule already matched source and detail-type,
 * which are broken now and then all the same).
 */
const eventBridgeEvent = (source: string, detailType: string, detail: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.record({ detail, detailType: fc.oneof({ weight: 9, arbitrary: fc.constant<unknown>(detailType) }, { weight: 1, arbitrary: hostileJson() }) }).map(({ detail: body, detailType: type }) => ({
    version: '0',
    id: '0b8e1b36-5d4c-4c1c-9a0e-6a54c1d3b2a1',
    'detail-type': type,
    source,
    account: '123456789012',
    time: '2026-12-02T01:00:00Z',
    region: 'ap-northeast-1',
    resources: [],
    detail: body,
  }));

const SES_BASES = [...SES_FIXTURE_NAMES, 'open', 'click', 'subscription'].map((name) => withPlantedAddresses(loadSesFixture(name as SesFixtureName | SesOtherFixtureName)));

const sesEvents = fuzzProperty({
  target: 'SES events function',
  numRuns: 400,
  input: () =>
    fc.oneof(
      { weight: 4, arbitrary: fc.oneof(...SES_BASES.map((event) => mutated(event.detail).map((detail) => ({ ...event, detail })))) },
      { weight: 1, arbitrary: eventBridgeEvent('aws.ses', 'Email Bounced', hostileJson()) },
      { weight: 1, arbitrary: hostileJson() },
    ),
  check: async (world, event, totals) => {
    const handle = createSesEventsHandler({ stores: async () => world.sesEventDeps, logger: world.logs.logger });
    const writesBefore = world.writes();
    const outcome = await withoutCrash(totals, 'SES events function', () => handle(event));
    // Only an event placed on an email (or on an address it suppresses) may write.
    expectCleanCase(world, `SES event (${outcome.outcome})`, { writesBefore, mayWrite: !['rejected', 'ignored', 'unknown-message'].includes(outcome.outcome) });
  },
});

const usageEvents = fuzzProperty({
  target: 'usage events function',
  numRuns: 300,
  input: (world) =>
    eventBridgeEvent(
      'product.usage',
      'ProductUsageReported',
      fc.oneof(
        { weight: 3, arbitrary: mutated({ accountId: 'fuzz-acc', contactId: 'fuzz-en', at: '2026-12-02T00:30:00Z', metrics: Object.fromEntries(world.config.scoring.health.metrics.slice(0, 2).map((metric) => [metric, 5])) }) },
        { weight: 1, arbitrary: hostileJson() },
      ),
    ),
  check: async (world, event, totals) => {
    const handle = createUsageEventsHandler({ deps: async () => world.usageEventsDeps, logger: world.logs.logger });
    const writesBefore = world.writes();
    const outcome = await withoutCrash(totals, 'usage events function', () => handle(event as EventBridgeEvent<string, unknown>));
    // A refusal quotes the offending values of id and metric fields for the operator (addresses
    // masked); a name there is the producer's mistake in an id field, so only addresses are checked.
    expectCleanCase(world, `usage event (${outcome.outcome})`, { writesBefore, mayWrite: outcome.outcome !== 'refused', names: false });
  },
});

const LAMBDA_CONTEXT = { getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

/** Queue bodies: a well-formed message (broken in places), its JSON broken, or hostile text. */
const queueBodies = (wellFormed: fc.Arbitrary<unknown>): fc.Arbitrary<string[]> =>
  fc.array(
    fc.oneof(
      { weight: 3, arbitrary: wellFormed.map((value) => JSON.stringify(value) ?? 'null') },
      { weight: 1, arbitrary: wellFormed.map((value) => (JSON.stringify(value) ?? 'null').slice(0, -3)) },
      { weight: 1, arbitrary: hostileText() },
    ),
    { minLength: 1, maxLength: 3 },
  );

const webinarEvents = fuzzProperty({
  target: 'webinar events function',
  numRuns: 250,
  input: () => queueBodies(fc.oneof({ weight: 3, arbitrary: zoomPayload().map((rawBody) => ({ source: 'zoom', rawBody, receivedAt: '2026-12-02T01:00:00.000Z' })) }, { weight: 1, arbitrary: mutated({ source: 'zoom', rawBody: '{}', receivedAt: '2026-12-02T01:00:00.000Z' }) })),
  check: async (world, bodies, totals) => {
    const handle = createWebinarEventsHandler({ deps: async () => world.webinarDeps, logger: world.logs.logger });
    const event: SQSEvent = { Records: bodies.map((body, index) => sqsRecord(`m-${index}`, body)) };
    const writesBefore = world.writes();
    let allFailed = false;
    try {
      await handle(event, LAMBDA_CONTEXT);
    } catch (error) {
      // Every record failed: the invocation fails (and alarms); the records go back to the queue.
      if (!(error instanceof FullBatchFailureError)) await withoutCrash(totals, 'webinar events function', () => Promise.reject(error));
      allFailed = true;
    }
    expectCleanCase(world, 'webinar events batch', { writesBefore, mayWrite: !allFailed });
  },
});

const dispatcherJobs = fuzzProperty({
  target: 'dispatcher (scheduler job events)',
  numRuns: 300,
  input: (world) => fc.oneof(mutated({ job: 'campaign', campaignId: world.campaignId, scheduledFor: '2026-12-02T01:00:00Z' }), mutated({ job: 'release-deferred' }), hostileJson()),
  check: async (world, event, totals) => {
    const writesBefore = world.writes();
    // Here the function has no Lambda environment: an event that passes the parse fails building its runtime, before any I/O.
    const refused = await dispatcherHandler(event).then(
      (result) => ({ unexpected: `answered ${JSON.stringify(result)}` }),
      (error: unknown) => (error instanceof Error && /^invalid dispatcher event$|^Lambda environment is incomplete/.test(error.message) ? {} : { unexpected: String(error) }),
    );
    if ('unexpected' in refused) await withoutCrash(totals, 'dispatcher', () => Promise.reject(new Error(refused.unexpected)));
    expectCleanCase(world, 'dispatcher job event', { writesBefore, mayWrite: false });
  },
});

const senderBatches = fuzzProperty({
  target: 'sender (send queue batches)',
  numRuns: 250,
  input: (world) => queueBodies(fc.oneof({ weight: 3, arbitrary: mutated({ source: { kind: 'campaign', campaignId: world.campaignId }, runId: world.runId, contactId: 'fuzz-en', accountId: 'fuzz-acc' }) }, { weight: 1, arbitrary: hostileJson() })),
  check: async (world, bodies, totals) => {
    const records = bodies.map((body, index) => ({ id: `m-${index}`, body }));
    const malformed = records.filter((record) => !sendRequestSchema.safeParse(safeJson(record.body)).success).map((record) => record.id);
    const writesBefore = world.writes();
    const mailed = world.mailer.sent.length;
    const result = await withoutCrash(totals, 'sender', () => processSendBatch(records, world.senderDeps));
    const lost = malformed.filter((id) => !result.retryIds.includes(id));
    if (lost.length > 0) throw new Error(`sender: malformed records ${lost.join(', ')} acknowledged instead of returned to the queue (their dead-letter queue)`);
    const allMalformed = malformed.length === records.length;
    if (allMalformed && world.mailer.sent.length !== mailed) throw new Error('sender: a batch of malformed requests sent an email');
    // Ids in the engine's alphabet are quoted in errors (a campaign the config lacks); a planted name
    // can only get there as such an id, so only addresses (which the alphabet excludes) are checked.
    expectCleanCase(world, 'sender batch', { writesBefore, mayWrite: !allMalformed, names: false });
  },
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const HANDLER_PROPERTIES: ReadonlyArray<FuzzProperty<unknown>> = [sesEvents, usageEvents, webinarEvents, dispatcherJobs, senderBatches];
