/**
 * Bench `tracking`: the two tracking paths against DynamoDB Local (started here, stopped in a
 * finally). Figures are named `click.*` and `ses_events.*` (the runner wants the
 * bench's name first).
 *
 * Clicks: the HTTP app (`createHttpApp`, served by @hono/node-server on a loopback port) with the
 * DynamoDB store behind it. 200 emails go through the real sender (`processSendBatch`, a recording
 * mailer), so their click links are stored as the sender stores them; their `/c/<token>` URLs are
 * then requested with a bounded load (16 keep-alive connections, 5,000 requests after 500 warm-up
 * ones, a desktop browser user agent, `redirect: 'manual'`), every answer checked to be a 302 to
 * the stored target. The tracking clock starts two hours after the send and moves a minute per
 * click, so every click is a person's and a new event (the write path: 2 GetItem + PutItem +
 * UpdateItem), as when 5,000 different people click. Baseline: `GET /health` under the same load,
 * same server, same run, the two loads taking turns in 10 phases of 500 requests each (which goes
 * first alternating), so load from elsewhere on the machine hits both alike. Also shown: both with
 * one connection (latency without queueing). The
 * load generator shares this process with the app (2 cores, the JVM beside them): the latencies
 * include the client's share of the CPU, for both sides alike.
 *
 * SES events: sent emails (send items loaded in the store's shape), then their events as SES
 * publishes them (Send; Delivery for the delivered; ~5 % permanent bounces, ~2 % complaints, ~3 %
 * transient bounces after a delay, ~2 % delayed then delivered), with the tags the sender sets,
 * through `ingestSesEvents` (the handler's use case, 16 in flight), then the same events again
 * (SES delivers at least once). Baseline: plain unconditional PutItem of the engagement-event items
 * our path stored (the round before's: same mix, same order), one per event, 16 in flight, into a
 * fresh table, in slices of 500 taking turns with ours (which goes first alternating). A warm-up
 * round, then 4 rounds of 1,250 emails (5,000 in all); figures are medians over the rounds.
 */
import { median, round1, round3, round4 } from './figure-math.ts';
import { seededRandom } from '../local/demo-customers.ts';
import { deleteTable } from './bench-table.ts';
import { createHash, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { DynamoTable, batchWrite } from '../adapters/aws/dynamo/dynamo-table.ts';
import { keys } from '../adapters/aws/dynamo/table-design.ts';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { mapBounded } from '../core/bounded-parallel.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import type { Clock, Mailer, OutgoingEmail, Store } from '../core/ports.ts';
import { TemplateCompiler } from '../core/rendering/template-compiler.ts';
import { decodeTagValue } from '../core/sending/email-tags.ts';
import { processSendBatch, type SenderDeps } from '../core/sending/send-emails.ts';
import type { SendRequest } from '../core/sending/send-request.ts';
import { SendRateLimiter } from '../core/sending/send-rate-limiter.ts';
import type { Send } from '../core/sending/send.ts';
import { verifyToken } from '../core/tracking/link-token.ts';
import { ingestSesEvents, type SesEventOutcome } from '../core/tracking/ses-events/record-ses-event.ts';
import { buildSesEventBridgeEvent, senderTagsOf, type SimulatedSesEvent } from '../core/tracking/ses-events/ses-event-builder.ts';
import type { SesEventBridgeEvent } from '../core/tracking/ses-events/ses-event.ts';
import { createHttpApp } from '../http/app.ts';
import { generateDemoCustomers } from '../local/demo-customers.ts';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import { scanAll, type RawItem } from './batch-write-baseline.ts';
import type { Figures } from './bench.ts';
import { DynamoRequestCounter, type DynamoRequestCounts } from './dynamodb-request-counter.ts';
import { formatNumber, formatTable } from './figure-table.ts';
import { withEngagementPath } from '../core/scoring/record-engagement.ts';
import type { Scoring } from '../core/config/schema/scoring.ts';

export const name = 'tracking';
/** The figure names the issue gives: `ses_events.*` and `click.*`. */
export const figurePrefixes = ['ses_events', 'click'] as const;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CAMPAIGN_ID = 'monthly-newsletter';
/** In flight for the event ingestion and its PutItem baseline. */
const CONCURRENCY = 16;
/** Sent emails per round (~2 events each); 5,000 over the measured rounds, after a warm-up round. */
const SENDS_PER_ROUND = 1_250;
const SES_MEASURED_ROUNDS = 4;
/** Events per slice of the first delivery; each slice is paired with the baseline writing as many items. */
const SLICE_EVENTS = 500;
const LOAD_CONCURRENCY = 16;

const CLICK_RECIPIENTS = 200;
const CLICK_REQUESTS = 5_000;
const CLICK_CONNECTIONS = 16;
const CLICK_WARM_UP_REQUESTS = 500;
/** The measured load runs in this many phases per side, clicks and health checks taking turns. */
const LOAD_PHASES = 10;
/** Also measured with one connection, for the latency without queueing (context, not the figure). */
const SINGLE_CONNECTION_REQUESTS = 500;
const DESKTOP_BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const TOKEN_SECRET = 'bench-tracking-token-secret-0123456789';

const WRITE_COMMANDS = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand'];

/** The paths did not do what the bench relies on, so their timing would measure something else. */
export class TrackingBenchError extends Error {
  constructor(message: string) {
    super(`bench tracking: ${message}`);
    this.name = 'TrackingBenchError';
  }
}

export async function run(): Promise<Figures> {
  const config = await loadConfigOrThrow(defaultConfigLocation(ROOT));
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client = localDynamoClient(dynamo.endpoint);
  try {
    const counter = DynamoRequestCounter.attach(client);
    console.log(`DynamoDB Local on ${dynamo.endpoint}`);
    // Clicks first: sending their emails through the real sender also checks that the tags the
    // SES events below carry are the ones the sender sets.
    const clicks = await measureClicks(client, counter, config);
    const sesEvents = await measureSesEvents(client, counter, config.scoring);
    return { ...sesEvents, ...clicks };
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// SES events

interface SentEmail {
  send: Send & { messageId: string; sentAt: string };
  email: string;
}

interface SesRoundResult {
  events: number;
  perSecond: number;
  redeliveryPerSecond: number;
  writesPerEvent: number;
  requestsPerEvent: number;
  redeliveryWritesPerEvent: number;
  redeliveryRequestsPerEvent: number;
  baselinePerSecond: number;
  byCommand: Record<string, number>;
}

async function measureSesEvents(client: DynamoDBClient, counter: DynamoRequestCounter, scoring: Scoring): Promise<Figures> {
  console.log(
    `\nSES events: ${formatNumber(SENDS_PER_ROUND)} sent emails a round, their events through ingestSesEvents (${CONCURRENCY} in flight) ` +
      `in slices of ${SLICE_EVENTS} alternating with plain PutItem of as many items (${CONCURRENCY} in flight), then all again; ` +
      `a warm-up round, then ${SES_MEASURED_ROUNDS} measured rounds`,
  );
  const rounds: [string, SesRoundResult][] = [];
  const cpu = new CpuShare();
  let previousItems: RawItem[] | undefined;
  for (let round = 0; round <= SES_MEASURED_ROUNDS; round++) {
    const label = round === 0 ? 'warm-up' : String(round);
    const started = performance.now();
    const { result, eventItems } = await measureSesRound(client, counter, round, previousItems, cpu, scoring);
    previousItems = eventItems;
    rounds.push([label, result]);
    console.log(`  round ${label} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  printSesRounds(rounds);
  const measured = rounds.slice(1).map(([, result]) => result);
  const perSecond = median(measured.map((round) => round.perSecond));
  const baseline = median(measured.map((round) => round.baselinePerSecond));
  const ratio = median(measured.map((round) => round.perSecond / round.baselinePerSecond));
  const last = measured.at(-1) as SesRoundResult;
  const spread = (values: number[]) => `${formatNumber(Math.min(...values))}-${formatNumber(Math.max(...values))}`;
  console.log(`\nDynamoDB requests of one first delivery (${formatNumber(last.events)} events): ${JSON.stringify(last.byCommand)}`);
  console.log(`this process during the timed ingestion: ${cpu.describe()}`);
  console.log(
    `SES events: ${formatNumber(perSecond)} events/s, plain PutItem ${formatNumber(baseline)} items/s; ours / PutItem ${ratio.toFixed(3)} ` +
      `(medians of ${SES_MEASURED_ROUNDS} rounds; ratio range ${spread(measured.map((round) => round.perSecond / round.baselinePerSecond))}); ` +
      `${formatNumber(median(measured.map((round) => round.writesPerEvent)))} writes per event (target <= 2)`,
  );
  return {
    'ses_events.events_per_round': last.events,
    'ses_events.per_second': round1(perSecond),
    'ses_events.redelivery_per_second': round1(median(measured.map((round) => round.redeliveryPerSecond))),
    'ses_events.writes_per_event': round4(median(measured.map((round) => round.writesPerEvent))),
    'ses_events.requests_per_event': round4(median(measured.map((round) => round.requestsPerEvent))),
    'ses_events.redelivery_writes_per_event': round4(median(measured.map((round) => round.redeliveryWritesPerEvent))),
    'ses_events.redelivery_requests_per_event': round4(median(measured.map((round) => round.redeliveryRequestsPerEvent))),
    'ses_events.baseline_putitem_per_second': round1(baseline),
    'ses_events.per_second_vs_putitem': round4(ratio),
  };
}

/**
 * One round in fresh tables: load the sends (setup), then the first delivery of the events in
 * slices, each paired with the baseline writing as many items (the previous round's event items,
 * same mix and order) into its own table, which of the two goes first alternating slice by slice,
 * so load from elsewhere on the machine hits both alike; then the redelivery, all at once; then
 * checks of what the table holds. The warm-up round has no items to pair with: its baseline runs
 * after, on its own items, untimed for the figures.
 */
async function measureSesRound(client: DynamoDBClient, counter: DynamoRequestCounter, round: number, baselineItems: RawItem[] | undefined, cpu: CpuShare, scoring: Scoring) {
  const tableName = `bench-tracking-ses-${round}`;
  const baselineTable = `bench-tracking-ses-${round}-putitem`;
  await ensureTable(client, tableName);
  await ensureTable(client, baselineTable);
  try {
    const store = createDynamoStore(client, tableName);
    const sent = await loadSends(new DynamoTable(client, tableName), store, `bench-${round}`, SENDS_PER_ROUND);
    const { events, expectedSuppressions } = sesEventsOf(sent);
    if (baselineItems && baselineItems.length !== events.length) throw new TrackingBenchError(`round ${round}: ${events.length} events but ${baselineItems.length} baseline items`);
    // The handler's path: each event recorded with its score moves (most SES events move none).
    const deps = { sends: store.sends, engagement: withEngagementPath(store, scoring, { now: () => new Date() }).engagement, suppressions: store.suppressions, customers: store.customers, topics: { kind: 'topics' as const, topics: [] }, tagSecret: TOKEN_SECRET }; // no Subscription events here

    const outcomes: SesEventOutcome[] = [];
    let requests = EMPTY_COUNTS;
    let seconds = 0;
    let baselineSeconds = 0;
    for (let start = 0, slice = 0; start < events.length; start += SLICE_EVENTS, slice++) {
      const ours = async () => {
        const pass = await timed(counter, () => cpu.measure(round > 0, () => ingestSesEvents(events.slice(start, start + SLICE_EVENTS), deps, CONCURRENCY)));
        outcomes.push(...pass.value);
        requests = addCounts(requests, pass.requests);
        seconds += pass.seconds;
      };
      const baseline = async () => {
        if (baselineItems) baselineSeconds += await putItems(client, baselineTable, baselineItems.slice(start, start + SLICE_EVENTS));
      };
      if ((slice + round) % 2 === 0) {
        await ours();
        await baseline();
      } else {
        await baseline();
        await ours();
      }
    }
    expectOutcomes(outcomes, 'first delivery', 'recorded', expectedSuppressions);
    const again = await timed(counter, () => ingestSesEvents(events, deps, CONCURRENCY));
    expectOutcomes(again.value, 'redelivery', 'duplicate', 0);

    const items = await scanAll(client, tableName);
    // In the order our path wrote them, so the next round's baseline writes the same items in the same order.
    const writeOrder = new Map(outcomes.map((outcome, index) => [outcome.outcome === 'recorded' ? outcome.eventId : '', index]));
    const eventItems = items
      .filter((item) => item.entity?.S === 'engagement-event')
      .sort((a, b) => (writeOrder.get(a.eventId?.S ?? '') ?? 0) - (writeOrder.get(b.eventId?.S ?? '') ?? 0));
    const suppressionItems = items.filter((item) => item.entity?.S === 'suppression');
    if (eventItems.length !== events.length || suppressionItems.length !== expectedSuppressions) {
      throw new TrackingBenchError(
        `after both deliveries ${tableName} holds ${eventItems.length} engagement events and ${suppressionItems.length} suppressions; expected ${events.length} and ${expectedSuppressions}`,
      );
    }
    if (!baselineItems) baselineSeconds = await putItems(client, baselineTable, eventItems);

    const perEvent = (count: number) => count / events.length;
    const result: SesRoundResult = {
      events: events.length,
      perSecond: events.length / seconds,
      redeliveryPerSecond: events.length / again.seconds,
      writesPerEvent: perEvent(writesIn(requests)),
      requestsPerEvent: perEvent(requests.commands),
      redeliveryWritesPerEvent: perEvent(writesIn(again.requests)),
      redeliveryRequestsPerEvent: perEvent(again.requests.commands),
      baselinePerSecond: events.length / baselineSeconds,
      byCommand: Object.fromEntries(Object.entries(requests.byCommand).map(([command, count]) => [command.replace(/Command$/, ''), count])),
    };
    return { result, eventItems };
  } finally {
    await deleteTable(client, tableName);
    await deleteTable(client, baselineTable);
  }
}

/**
 * `count` sent emails of one campaign run, 100 a second, written as the send store leaves them
 * (claimed, then marked sent): the first through the store itself, the rest BatchWritten in the
 * same shape, checked against the first. Setup, not measured.
 */
async function loadSends(table: DynamoTable, store: Store, runId: string, count: number): Promise<SentEmail[]> {
  const startedAt = Date.now() - 2 * 86_400_000;
  const sent: SentEmail[] = Array.from({ length: count }, (_, index) => {
    const number = index + 1;
    const contactId = `con-${String(number).padStart(5, '0')}`;
    const accountId = `acc-${String((index % 500) + 1).padStart(4, '0')}`;
    const claimedAt = new Date(startedAt + index * 10).toISOString();
    const sentAt = new Date(startedAt + index * 10 + 120).toISOString();
    return {
      send: { campaignId: CAMPAIGN_ID, runId, contactId, accountId, state: 'sent', claimedAt, claimToken: randomUUID(), sentAt, messageId: sesMessageId(`${runId}|${contactId}`) },
      email: `user${number}@${accountId}.example.com`,
    };
  });
  const [first, ...rest] = sent;
  if (!first) throw new TrackingBenchError('no sends to load');
  const { send } = first;
  const ref = { campaignId: send.campaignId, runId: send.runId, contactId: send.contactId };
  const { messageId: _messageId, sentAt: _sentAt, ...claim } = send;
  if (!(await store.sends.claimSend({ ...claim, state: 'claimed' }))) throw new TrackingBenchError(`could not claim the first send in ${table.tableName}`);
  await store.sends.markSent(ref, send.messageId, new Date(send.sentAt));
  const { Item } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.send(ref.campaignId, ref.runId, ref.contactId) }));
  if (!isDeepStrictEqual(Item, sendItem(send))) {
    throw new TrackingBenchError(`the send item built here differs from what the send store writes:\n  store: ${JSON.stringify(Item)}\n  bench: ${JSON.stringify(sendItem(send))}`);
  }
  const requests = rest.map(({ send: other }) => ({ PutRequest: { Item: sendItem(other) } }));
  const chunks: (typeof requests)[] = [];
  for (let start = 0; start < requests.length; start += 250) chunks.push(requests.slice(start, start + 250));
  await mapBounded(chunks, LOAD_CONCURRENCY, (chunk) => batchWrite(table, chunk));
  return sent;
}

function sendItem(send: SentEmail['send']): Record<string, unknown> {
  return {
    ...keys.send(send.campaignId, send.runId, send.contactId),
    entity: 'send',
    ...send,
    ...keys.sendByMessage(send.messageId),
    ...keys.sendOfContact(send.contactId, send.sentAt),
  };
}

/**
 * The events SES publishes for these emails, in time order: every email a Send; then 5 % bounce
 * for good, 3 % are delayed and bounce transiently, 2 % are delayed and delivered, 2 % are
 * delivered and complained about, the rest are delivered. Tagged as the sender tags (kind,
 * campaign, run, contact, account).
 */
function sesEventsOf(sent: readonly SentEmail[]): { events: SesEventBridgeEvent[]; expectedSuppressions: number } {
  const next = seededRandom(20_261_201);
  const timeline: { at: Date; event: SesEventBridgeEvent }[] = [];
  let expectedSuppressions = 0;
  for (const { send, email } of sent) {
    const sentAt = new Date(send.sentAt);
    const target = { messageId: send.messageId, email, tags: senderTagsOf(send, { kind: 'campaign', withAccount: true, signWith: TOKEN_SECRET }), sentAt };
    const add = (kind: SimulatedSesEvent, afterMs: number) => {
      const at = new Date(sentAt.getTime() + afterMs);
      timeline.push({ at, event: buildSesEventBridgeEvent(kind, target, at) });
    };
    add('send', 0);
    const roll = next();
    const deliveredAfter = 1_000 + Math.floor(next() * 4_000);
    if (roll < 0.05) {
      add('bounce', deliveredAfter);
      expectedSuppressions += 1;
    } else if (roll < 0.08) {
      add('delivery-delay', 60_000);
      add('soft-bounce', 4 * 3_600_000);
    } else if (roll < 0.1) {
      add('delivery-delay', 60_000);
      add('delivery', 15 * 60_000);
    } else if (roll < 0.12) {
      add('delivery', deliveredAfter);
      add('complaint', 3 * 3_600_000 + Math.floor(next() * 3_600_000));
      expectedSuppressions += 1;
    } else {
      add('delivery', deliveredAfter);
    }
  }
  timeline.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { events: timeline.map(({ event }) => event), expectedSuppressions };
}

function expectOutcomes(outcomes: readonly SesEventOutcome[], what: string, expected: 'recorded' | 'duplicate', suppressions: number): void {
  const byOutcome: Record<string, number> = {};
  let suppressed = 0;
  let notByTags = 0;
  for (const outcome of outcomes) {
    byOutcome[outcome.outcome] = (byOutcome[outcome.outcome] ?? 0) + 1;
    if (outcome.outcome === 'recorded' || outcome.outcome === 'duplicate') {
      suppressed += outcome.suppressed;
      if (outcome.joinedBy !== 'tags') notByTags += 1;
    }
  }
  const rejected = outcomes.find((outcome) => outcome.outcome === 'rejected');
  if (byOutcome[expected] !== outcomes.length || suppressed !== suppressions || notByTags > 0) {
    throw new TrackingBenchError(
      `${what}: expected every event '${expected}', joined by tags, ${suppressions} addresses suppressed; got ${JSON.stringify(byOutcome)}, ` +
        `${notByTags} joined otherwise, ${suppressed} suppressed${rejected?.outcome === 'rejected' ? ` (first rejection: ${rejected.reason})` : ''}`,
    );
  }
}

/** Plain unconditional PutItem of `items`, CONCURRENCY in flight; the seconds it took. */
async function putItems(client: DynamoDBClient, tableName: string, items: readonly RawItem[]): Promise<number> {
  const started = performance.now();
  await mapBounded(items, CONCURRENCY, (Item) => client.send(new PutItemCommand({ TableName: tableName, Item })));
  return (performance.now() - started) / 1000;
}

function printSesRounds(rounds: readonly [string, SesRoundResult][]): void {
  const table = formatTable(
    ['round', 'events', 'events/s', 'writes/event', 'requests/event', 'redelivery events/s', 'redelivery requests/event', 'PutItem items/s', 'events vs PutItem'],
    rounds.map(([label, result]) => [
      label,
      formatNumber(result.events),
      formatNumber(result.perSecond),
      formatNumber(result.writesPerEvent),
      formatNumber(result.requestsPerEvent),
      formatNumber(result.redeliveryPerSecond),
      formatNumber(result.redeliveryRequestsPerEvent),
      formatNumber(result.baselinePerSecond),
      `${(result.perSecond / result.baselinePerSecond).toFixed(3)} x`,
    ]),
  );
  console.log('');
  for (const line of table) console.log(`  ${line}`);
}

// ---------------------------------------------------------------------------------------------
// Clicks

/** A mailer that keeps what it is given and answers with an SES-shaped message id. */
class RecordingMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    this.sent.push(email);
    return { messageId: sesMessageId(`click-bench|${this.sent.length}`) };
  }

  async maxSendRate(): Promise<number> {
    return 1_000_000;
  }
}

interface ClickTarget {
  url: string;
  location: string;
}

interface LoadResult {
  latenciesMs: number[];
  seconds: number;
  connections: number;
}

async function measureClicks(client: DynamoDBClient, counter: DynamoRequestCounter, config: EngineConfig): Promise<Figures> {
  const tableName = 'bench-tracking-clicks';
  await ensureTable(client, tableName);
  const store = createDynamoStore(client, tableName);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const sentAt = new Date(Date.now() - 2 * 3_600_000);
  const targets = await sendTrackedEmails(store, config, baseUrl, sentAt);
  const distinctTargets = new Set(targets.map((target) => target.location)).size;
  console.log(`\nclicks: ${CLICK_RECIPIENTS} emails sent through processSendBatch, ${formatNumber(targets.length)} click URLs to ${distinctTargets} distinct targets`);

  // Two hours after the send, then a minute later each click: a person's click, never a repeat.
  let clicks = 0;
  const clickClock: Clock = { now: () => new Date(Date.now() + clicks++ * 60_000) };
  const errors: string[] = [];
  const app = createHttpApp({
    customers: store.customers,
    clock: clickClock,
    ingestToken: 'bench-tracking-ingest-token',
    tracking: {
      ...withEngagementPath(store, config.scoring, clickClock),
      topics: config.topics,
      clock: clickClock,
      tokenSecret: TOKEN_SECRET,
      log: (entry) => errors.push(JSON.stringify(entry)),
    },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(started));
  });
  try {
    const health: ClickTarget = { url: `${baseUrl}/health`, location: '' };
    console.log(`HTTP app on ${baseUrl}; warm-up: ${formatNumber(CLICK_WARM_UP_REQUESTS)} clicks and ${formatNumber(CLICK_WARM_UP_REQUESTS)} health checks`);
    await drive(targets, CLICK_WARM_UP_REQUESTS, CLICK_CONNECTIONS, expectRedirect);
    await drive([health], CLICK_WARM_UP_REQUESTS, CLICK_CONNECTIONS, expectHealthy);

    // In phases, clicks and health checks taking turns going first, so load from elsewhere on the machine hits both alike.
    const cpu = new CpuShare();
    const clickPhases: LoadResult[] = [];
    const healthPhases: LoadResult[] = [];
    let requests = EMPTY_COUNTS;
    const perPhase = CLICK_REQUESTS / LOAD_PHASES;
    for (let phase = 0; phase < LOAD_PHASES; phase++) {
      const clicksPhase = async () => {
        const before = counter.snapshot();
        clickPhases.push(await cpu.measure(true, () => drive(targets, perPhase, CLICK_CONNECTIONS, expectRedirect, phase * perPhase)));
        requests = addCounts(requests, counter.since(before));
      };
      const healthPhase = async () => void healthPhases.push(await drive([health], perPhase, CLICK_CONNECTIONS, expectHealthy));
      if (phase % 2 === 0) {
        await clicksPhase();
        await healthPhase();
      } else {
        await healthPhase();
        await clicksPhase();
      }
    }
    const clickLoad = combine(clickPhases);
    const healthLoad = combine(healthPhases);
    const singleClick = await drive(targets, SINGLE_CONNECTION_REQUESTS, 1, expectRedirect);
    const singleHealth = await drive([health], SINGLE_CONNECTION_REQUESTS, 1, expectHealthy);
    if (errors.length > 0) throw new TrackingBenchError(`the click route logged ${errors.length} errors, first: ${errors[0]}`);
    const totalClicks = CLICK_WARM_UP_REQUESTS + CLICK_REQUESTS + SINGLE_CONNECTION_REQUESTS;
    await expectClicksCounted(store, targets, totalClicks);

    const perClick = (count: number) => count / CLICK_REQUESTS;
    const byCommand = Object.fromEntries(Object.entries(requests.byCommand).map(([command, count]) => [command.replace(/Command$/, ''), formatNumber(perClick(count))]));
    const click = summarize(clickLoad);
    const healthSummary = summarize(healthLoad);
    console.log('');
    for (const line of formatTable(
      ['load', 'requests', 'connections', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'requests/s'],
      [
        ['GET /c/<token> (302)', ...summaryCells(click)],
        ['GET /health (baseline)', ...summaryCells(healthSummary)],
        ['GET /c/<token> (302)', ...summaryCells(summarize(singleClick))],
        ['GET /health', ...summaryCells(summarize(singleHealth))],
      ],
    )) {
      console.log(`  ${line}`);
    }
    console.log(`DynamoDB requests per click: ${JSON.stringify(byCommand)}; all ${formatNumber(totalClicks)} clicks counted on their links as people's`);
    console.log(`this process (load generator and HTTP app) during the click load: ${cpu.describe()}`);
    console.log(
      `clicks: p50 ${click.p50.toFixed(2)} ms = ${(click.p50 / healthSummary.p50).toFixed(2)} x GET /health (${healthSummary.p50.toFixed(2)} ms); ` +
        `p99 ${click.p99.toFixed(2)} ms; ${formatNumber(click.perSecond)} clicks/s with ${CLICK_CONNECTIONS} connections`,
    );
    return {
      'click.p50_ms': round3(click.p50),
      'click.p99_ms': round3(click.p99),
      'click.requests_per_second': round1(click.perSecond),
      'click.dynamodb_requests_per_click': round4(perClick(requests.commands)),
      'click.baseline_health_p50_ms': round3(healthSummary.p50),
      'click.baseline_health_p99_ms': round3(healthSummary.p99),
      'click.baseline_health_requests_per_second': round1(healthSummary.perSecond),
      'click.p50_vs_health': round4(click.p50 / healthSummary.p50),
      'click.one_connection_p50_ms': round3(summarize(singleClick).p50),
      'click.one_connection_health_p50_ms': round3(summarize(singleHealth).p50),
    };
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle keep-alive connections would hold close() open until they time out.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    await deleteTable(client, tableName);
  }
}

/**
 * Sends one email to each of CLICK_RECIPIENTS contacts through the real sender, at `sentAt`, with
 * links to `baseUrl`; checks the email tags are the ones the SES events are built with, and returns
 * every click URL with the target stored for it.
 */
async function sendTrackedEmails(store: Store, config: EngineConfig, baseUrl: string, sentAt: Date): Promise<ClickTarget[]> {
  const demo = generateDemoCustomers({ accounts: 20, contacts: CLICK_RECIPIENTS });
  const contacts = demo.contacts.map((contact) => ({ ...contact, consent: 'granted' as const, topicsOptedOut: [] }));
  await mapBounded(demo.accounts, LOAD_CONCURRENCY, (account) => store.customers.upsertAccount(account, sentAt));
  await mapBounded(contacts, LOAD_CONCURRENCY, (contact) => store.customers.upsertContact(contact, sentAt));

  const mailer = new RecordingMailer();
  let claims = 0;
  const deps: SenderDeps = {
    config,
    customers: store.customers,
    sends: store.sends,
    strandedClaims: store.strandedClaims,
    suppressions: store.suppressions,
    pauses: store.pauses,
    webinars: store.webinars,
    mailer,
    compiler: new TemplateCompiler(config.templates),
    clock: { now: () => sentAt },
    rateLimiter: new SendRateLimiter(1_000_000, { now: () => 0, sleep: async () => {} }),
    links: { baseUrl, tokenSecret: TOKEN_SECRET },
    newClaimToken: () => `bench-claim-${++claims}`,
    sleep: async () => {},
  };
  const runId = `bench-${sentAt.toISOString()}`;
  const records = contacts.map((contact) => {
    const body: SendRequest = { source: { kind: 'campaign', campaignId: CAMPAIGN_ID }, runId, contactId: contact.contactId, accountId: contact.accountId };
    return { id: contact.contactId, body };
  });
  for (let start = 0; start < records.length; start += 10) {
    const { outcomes } = await processSendBatch(records.slice(start, start + 10), deps);
    const notSent = [...outcomes.entries()].filter(([, outcome]) => outcome !== 'sent');
    if (notSent.length > 0) throw new TrackingBenchError(`the sender did not send to every contact: ${JSON.stringify(notSent.slice(0, 5))}`);
  }

  const sends = new Map((await store.sends.listSendsOfRun(CAMPAIGN_ID, runId)).map((send) => [send.contactId, send]));
  const linkSets = new Map<string, string[]>();
  const targets: ClickTarget[] = [];
  const clickUrl = new RegExp(`${baseUrl.replace(/[.]/g, '\\.')}/c/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)`, 'g');
  for (const email of mailer.sent) {
    const send = sends.get(decodeTagValue(email.tags?.contact ?? '') ?? '');
    if (!send) throw new TrackingBenchError(`an email went to ${email.to} with contact tag '${email.tags?.contact}', which names no send of run ${runId}`);
    const expectedTags = senderTagsOf(send, { kind: 'campaign', withAccount: true, signWith: TOKEN_SECRET });
    if (!isDeepStrictEqual(email.tags, expectedTags)) {
      throw new TrackingBenchError(`the sender tags emails ${JSON.stringify(email.tags)}, the SES events below are built with ${JSON.stringify(expectedTags)}`);
    }
    const tokens = new Set([...email.html.matchAll(clickUrl)].map((match) => match[1] as string));
    if (tokens.size === 0) throw new TrackingBenchError(`the email to ${send.contactId} has no click URL under ${baseUrl}/c/`);
    for (const token of tokens) {
      const claims = verifyToken(token, TOKEN_SECRET);
      if (claims?.purpose !== 'click' || claims.link === undefined || claims.linkSet === undefined) throw new TrackingBenchError(`not a click token in the email to ${send.contactId}: ${token}`);
      const setKey = `${claims.messageId}|${claims.runId}|${claims.linkSet}`;
      let links = linkSets.get(setKey);
      if (!links) {
        const stored = await store.sends.getMessageLinks(claims.messageId, claims.runId, claims.linkSet);
        if (!stored) throw new TrackingBenchError(`no stored link set ${setKey}`);
        links = stored.links;
        linkSets.set(setKey, links);
      }
      const location = links[claims.link];
      if (!location) throw new TrackingBenchError(`link set ${setKey} has no link ${claims.link}`);
      targets.push({ url: `${baseUrl}/c/${token}`, location });
    }
  }
  return targets;
}

/** `total` GETs over `targets` in turn, `connections` at a time (one keep-alive connection each), every answer checked. */
async function drive(
  targets: readonly ClickTarget[],
  total: number,
  connections: number,
  check: (response: Response, body: string, target: ClickTarget) => void,
  firstTarget = 0,
): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let issued = 0;
  let failed = false;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (issued < total && !failed) {
        const target = targets[(firstTarget + issued++) % targets.length] as ClickTarget;
        try {
          const sent = performance.now();
          const response = await fetch(target.url, { redirect: 'manual', headers: { 'User-Agent': DESKTOP_BROWSER_UA, Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
          const body = await response.text();
          latenciesMs.push(performance.now() - sent);
          check(response, body, target);
        } catch (error) {
          // The other connections stop too, so a failed load ends at once.
          failed = true;
          throw error;
        }
      }
    }),
  );
  return { latenciesMs, seconds: (performance.now() - started) / 1000, connections };
}

function expectRedirect(response: Response, body: string, target: ClickTarget): void {
  const location = response.headers.get('location');
  if (response.status !== 302 || location !== target.location) {
    throw new TrackingBenchError(`GET ${target.url} answered ${response.status} to '${location}', expected 302 to '${target.location}' (${body.slice(0, 200)})`);
  }
}

function expectHealthy(response: Response, body: string, target: ClickTarget): void {
  if (response.status !== 200 || body !== '{"ok":true}') throw new TrackingBenchError(`GET ${target.url} answered ${response.status}: ${body.slice(0, 200)}`);
}

/** Every click was counted on its link, as a person's (no scanner, not too fast). */
async function expectClicksCounted(store: Store, targets: readonly ClickTarget[], total: number): Promise<void> {
  const sets = new Map<string, { messageId: string; runId: string; linkSet: string }>();
  for (const target of targets) {
    const claims = verifyToken(target.url.slice(target.url.lastIndexOf('/') + 1), TOKEN_SECRET);
    if (claims?.linkSet) sets.set(`${claims.messageId}|${claims.runId}|${claims.linkSet}`, { messageId: claims.messageId, runId: claims.runId, linkSet: claims.linkSet });
  }
  let human = 0;
  let machine = 0;
  for (const set of sets.values()) {
    const stored = await store.sends.getMessageLinks(set.messageId, set.runId, set.linkSet);
    human += stored?.clicks.human.reduce((sum, count) => sum + count, 0) ?? 0;
    machine += stored?.clicks.machine.reduce((sum, count) => sum + count, 0) ?? 0;
  }
  if (human !== total || machine !== 0) throw new TrackingBenchError(`expected ${total} clicks counted as people's and none as machines', got ${human} and ${machine}`);
}

/** Phases of one load as one: their latencies together, their times added. */
function combine(phases: readonly LoadResult[]): LoadResult {
  return { latenciesMs: phases.flatMap((phase) => phase.latenciesMs), seconds: phases.reduce((sum, phase) => sum + phase.seconds, 0), connections: phases[0]?.connections ?? 0 };
}

function summarize(load: LoadResult) {
  const sorted = [...load.latenciesMs].sort((a, b) => a - b);
  const at = (percent: number) => sorted[Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1)] ?? 0;
  return { count: sorted.length, connections: load.connections, p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) ?? 0, perSecond: sorted.length / load.seconds };
}

function summaryCells(summary: ReturnType<typeof summarize>): string[] {
  return [formatNumber(summary.count), String(summary.connections), summary.p50.toFixed(2), summary.p90.toFixed(2), summary.p99.toFixed(2), summary.max.toFixed(2), formatNumber(summary.perSecond)];
}

// ---------------------------------------------------------------------------------------------
// Shared

/** This process's CPU over the timed passes, as a share of one core: is the Node side or DynamoDB Local the limit? */
class CpuShare {
  private cpuMicros = 0;
  private wallMs = 0;

  async measure<T>(enabled: boolean, task: () => Promise<T>): Promise<T> {
    if (!enabled) return task();
    const cpu = process.cpuUsage();
    const started = performance.now();
    try {
      return await task();
    } finally {
      const used = process.cpuUsage(cpu);
      this.cpuMicros += used.user + used.system;
      this.wallMs += performance.now() - started;
    }
  }

  describe(): string {
    return `${((this.cpuMicros / 1000 / this.wallMs) * 100).toFixed(0)} % of one core (2 cores, DynamoDB Local's JVM beside it)`;
  }
}

async function timed<T>(counter: DynamoRequestCounter, task: () => Promise<T>) {
  const before = counter.snapshot();
  const started = performance.now();
  const value = await task();
  const seconds = (performance.now() - started) / 1000;
  return { value, seconds, requests: counter.since(before) };
}

const EMPTY_COUNTS: DynamoRequestCounts = { commands: 0, attempts: 0, byCommand: {}, readUnits: 0, writeUnits: 0 };

function addCounts(a: DynamoRequestCounts, b: DynamoRequestCounts): DynamoRequestCounts {
  const byCommand = { ...a.byCommand };
  for (const [command, count] of Object.entries(b.byCommand)) byCommand[command] = (byCommand[command] ?? 0) + count;
  return { commands: a.commands + b.commands, attempts: a.attempts + b.attempts, byCommand, readUnits: a.readUnits + b.readUnits, writeUnits: a.writeUnits + b.writeUnits };
}

function writesIn(counts: DynamoRequestCounts): number {
  return WRITE_COMMANDS.reduce((sum, command) => sum + (counts.byCommand[command] ?? 0), 0);
}

/** An id shaped like the ones SES gives (`0106019a...-uuid-000000`), stable for a seed. */
function sesMessageId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `0106019${h.slice(0, 9)}-${h.slice(9, 17)}-${h.slice(17, 21)}-${h.slice(21, 25)}-${h.slice(25, 29)}-${h.slice(29, 41)}-000000`;
}




