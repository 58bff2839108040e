/**
 * Bench `scoring`: the one engagement path.
 * - `scoring.core_events_per_second`: the pure core (an event's score moves: weights, watch share,
 *   decay factor against the era) on one core; baseline in the same run: building the same events'
 *   event ids alone (what any recording path does per event), as the ratio `core_vs_event_ids`.
 * - `scoring.writes_per_event_per_entity`: on DynamoDB Local, the items each scored event writes
 *   (its own item, its contact's score, its account's score) per entity written, and the reads it
 *   needed (`scoring.reads_per_event`, target 0: no read-modify-write); and events per second of
 *   the path against plain conditional PutItem of the same events without scores (the baseline).
 * - `scoring.precision_at_20` and `scoring.precision_ratio_vs_most_opens`: whether the default
 *   config finds accounts with real expansion intent in a synthetic population, against ranking by
 *   raw open count (scoring-precision.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { mapBounded } from '../core/bounded-parallel.ts';
import { eraOf } from '../core/scoring/decayed-score.ts';
import { recordEngagement } from '../core/scoring/record-engagement.ts';
import { qualifyAccounts } from '../core/qualification/qualify-accounts.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { halfLifeOf, scoreUpdatesOf } from '../core/scoring/score-event.ts';
import type { EngagementEvent } from '../core/tracking/engagement-event.ts';
import { trackingEventId } from '../core/tracking/tracking-event-id.ts';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import type { Figures } from './bench.ts';
import { DynamoRequestCounter } from './dynamodb-request-counter.ts';
import { median, round1, round3, round4 } from './figure-math.ts';
import { formatNumber, formatTable } from './figure-table.ts';
import { precisionFigures } from './scoring-precision.ts';

export const name = 'scoring';
/** Also the CSQL evaluation's request count (`csql.`), which the issue names with the scoring figures. */
export const figurePrefixes = ['scoring', 'csql'] as const;

const CORE_EVENTS = 200_000;
const STORE_EVENTS = 3_000;
const CONCURRENCY = 16;
const ROOT = new URL('..', import.meta.url).pathname;
const TYPES: EngagementEvent['type'][] = ['open', 'click', 'webinar-registered', 'webinar-attended', 'unsubscribe', 'delivery'];

function eventsOf(count: number, accounts: number): EngagementEvent[] {
  const start = Date.parse('2026-11-01T00:00:00Z');
  return Array.from({ length: count }, (_, index) => {
    const type = TYPES[index % TYPES.length] as EngagementEvent['type'];
    const contact = index % (accounts * 5);
    return {
      eventId: `e-${index}`,
      type,
      contactId: `c-${contact}`,
      accountId: `a-${contact % accounts}`,
      occurredAt: new Date(start + index * 37_000).toISOString(),
      campaignId: 'news',
      runId: 'r1',
      machine: index % 11 === 0,
      detail: (type === 'webinar-attended' ? { watchShare: 0.7, watchMinutes: 42 } : {}) as EngagementEvent['detail'],
    };
  });
}

/**
 * `csql.requests_per_evaluation_10` and `_10000`: DynamoDB requests of one account's CSQL
 * evaluation (and promotion) when its contacts have 10 and 10,000 events of history: equal when
 * the evaluation is O(1) in history (scores are kept, not recomputed from events).
 */
async function csqlRequestsByHistory(client: DynamoDBClient, counter: DynamoRequestCounter, config: EngineConfig): Promise<Figures> {
  const figures: Figures = {};
  for (const history of [10, 10_000]) {
    const tableName = `bench-csql-${history}`;
    await ensureTable(client, tableName);
    const store = createDynamoStore(client, tableName);
    const now = new Date('2026-12-02T00:00:00Z');
    await store.customers.upsertAccount({ accountId: 'acme', name: 'Acme', tier: 'tier2', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
    for (const id of ['p1', 'p2', 'p3']) {
      await store.customers.upsertContact({ contactId: id, accountId: 'acme', email: `${id}@acme.example`, firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
    }
    // The history: old events (plain puts: they are history, not scored here), then the scored recent ones.
    const old = Array.from({ length: history }, (_, index): EngagementEvent => ({
      eventId: `old-${index}`, type: 'open', contactId: `p${(index % 3) + 1}`, accountId: 'acme', occurredAt: new Date(now.getTime() - (index + 60) * 3_600_000).toISOString(), machine: false, detail: {},
    }));
    await mapBounded(old, CONCURRENCY, (event) => store.engagement.recordScoredEvent(event, []));
    const path = { engagement: store.engagement, scores: store.scores, scoring: config.scoring, clock: { now: () => now } };
    for (const contactId of ['p1', 'p2', 'p3']) {
      for (let i = 0; i < 4; i++) {
        await recordEngagement({ eventId: `${contactId}-click-${i}`, type: 'click', contactId, accountId: 'acme', occurredAt: new Date(now.getTime() - i * 60_000).toISOString(), machine: false, detail: {} }, path);
      }
    }
    await store.usage.recordUsage([{ accountId: 'acme', at: now.toISOString(), recordId: 'e:bench', metrics: { seats_bought: 10, seats_used: 9, integrations_connected: 3, active_users: 8, key_feature_use: 60, logins_30d: 250, reports_scheduled: 12, hours_saved: 50 } }]);
    const before = counter.snapshot();
    const [outcome] = await qualifyAccounts(['acme'], { ...store, config, clock: { now: () => now } });
    const requests = counter.since(before).commands;
    if (outcome?.decision !== 'promote') throw new Error(`bench scoring: the CSQL account was not promoted (${outcome?.decision}: ${outcome?.reason})`);
    figures[`csql.requests_per_evaluation_${history}`] = requests;
    console.log(`CSQL evaluation with ${history.toLocaleString("en-US")} events of history: ${requests} DynamoDB requests (${JSON.stringify(counter.since(before).byCommand)})`);
  }
  return figures;
}

export async function run(): Promise<Figures> {
  const config = await loadConfigOrThrow(defaultConfigLocation(ROOT));
  const { scoring } = config;
  const now = new Date('2026-12-02T00:00:00Z');
  const epoch = eraOf(now, halfLifeOf(scoring));

  // Pure core, one core: rounds alternate with the baseline; medians.
  const events = eventsOf(CORE_EVENTS, 2_000);
  const coreRates: number[] = [];
  const baselineRates: number[] = [];
  let sink = 0;
  for (let round = 0; round < 6; round++) {
    const core = () => {
      const started = performance.now();
      for (const event of events) sink += scoreUpdatesOf(event, scoring, epoch).length;
      return CORE_EVENTS / ((performance.now() - started) / 1000);
    };
    const baseline = () => {
      const started = performance.now();
      for (const event of events) sink += trackingEventId(event.type, [event.campaignId ?? '', event.runId ?? '', event.contactId, event.occurredAt]).length;
      return CORE_EVENTS / ((performance.now() - started) / 1000);
    };
    // Alternating which goes first; the first round warms the JIT and is not counted.
    let c: number;
    let b: number;
    if (round % 2 === 0) {
      c = core();
      b = baseline();
    } else {
      b = baseline();
      c = core();
    }
    if (round > 0) {
      coreRates.push(c);
      baselineRates.push(b);
    }
  }
  if (sink === 0) throw new Error('bench scoring: the core produced nothing');
  const coreRate = median(coreRates);
  const baselineRate = median(baselineRates);

  // The store: scored events through the path vs plain conditional puts of the same events.
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client: DynamoDBClient = localDynamoClient(dynamo.endpoint);
  try {
    const counter = DynamoRequestCounter.attach(client);
    // Items each write request writes (a transaction writes each of its items once).
    let itemWrites = 0;
    client.middlewareStack.add(
      (next, context) => (args) => {
        const input = args.input as { TransactItems?: unknown[] };
        if (context.commandName === 'TransactWriteItemsCommand') itemWrites += input.TransactItems?.length ?? 0;
        else if (context.commandName === 'PutItemCommand' || context.commandName === 'UpdateItemCommand') itemWrites += 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchCountItemWrites' },
    );
    await ensureTable(client, 'bench-scoring');
    await ensureTable(client, 'bench-scoring-baseline');
    const store = createDynamoStore(client, 'bench-scoring');
    const baselineStore = createDynamoStore(client, 'bench-scoring-baseline');
    const storeEvents = eventsOf(STORE_EVENTS, 200);
    const deps = { engagement: store.engagement, scores: store.scores, scoring, clock: { now: () => now } };
    const before = counter.snapshot();
    const writesBefore = itemWrites;
    const started = performance.now();
    await mapBounded(storeEvents, CONCURRENCY, (event) => recordEngagement(event, deps));
    const pathSeconds = (performance.now() - started) / 1000;
    const path = counter.since(before);
    const pathItemWrites = itemWrites - writesBefore;
    const beforeBaseline = counter.snapshot();
    const baselineStarted = performance.now();
    await mapBounded(storeEvents, CONCURRENCY, (event) => baselineStore.engagement.recordScoredEvent(event, []));
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;
    const baselineCounts = counter.since(beforeBaseline);
    // The entities an event must write: itself, and its contact's and account's scores when it moves them.
    const scored = storeEvents.filter((event) => scoreUpdatesOf(event, scoring, epoch).length > 0).length;
    const entitiesWritten = storeEvents.length + 2 * scored;
    const itemsWritten = pathItemWrites;
    const reads = path.commands - (path.byCommand.TransactWriteItemsCommand ?? 0) - (path.byCommand.PutItemCommand ?? 0);
    // Again: every event a duplicate, nothing may move.
    const again = await Promise.all(storeEvents.slice(0, 500).map((event) => recordEngagement(event, deps)));
    if (again.some(Boolean)) throw new Error('bench scoring: a resent event was recorded again');

    const figures: Figures = {
      'scoring.core_events_per_second': round1(coreRate),
      'scoring.core_baseline_event_ids_per_second': round1(baselineRate),
      'scoring.core_vs_event_ids': round4(coreRate / baselineRate),
      'scoring.writes_per_event_per_entity': round4(itemsWritten / entitiesWritten),
      'scoring.reads_per_event': round4(reads / storeEvents.length),
      'scoring.requests_per_event': round4(path.commands / storeEvents.length),
      'scoring.store_events_per_second': round1(storeEvents.length / pathSeconds),
      'scoring.store_baseline_puts_per_second': round1(storeEvents.length / baselineSeconds),
      'scoring.store_vs_plain_puts': round3(storeEvents.length / pathSeconds / (storeEvents.length / baselineSeconds)),
    };
    Object.assign(figures, await csqlRequestsByHistory(client, counter, config));
    Object.assign(figures, precisionFigures(config));
    for (const line of formatTable(
      ['step', 'events', 'per second', 'requests', 'baseline per second', 'ratio'],
      [
        ['pure core (score moves)', formatNumber(CORE_EVENTS), formatNumber(round1(coreRate)), '-', formatNumber(round1(baselineRate)), `${round3(coreRate / baselineRate)} x event ids`],
        ['path on DynamoDB Local', formatNumber(STORE_EVENTS), formatNumber(round1(STORE_EVENTS / pathSeconds)), JSON.stringify(path.byCommand), formatNumber(round1(STORE_EVENTS / baselineSeconds)), `${round3(baselineSeconds / pathSeconds)} x plain puts (${JSON.stringify(baselineCounts.byCommand)})`],
      ],
    )) console.log(line);
    console.log(`${scored} of ${storeEvents.length} events moved scores (the rest: machine traffic, deliveries at weight 0); writes per event per entity ${figures['scoring.writes_per_event_per_entity']}, reads per event ${figures['scoring.reads_per_event']}; 500 resent events recorded nothing`);
    return figures;
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}
