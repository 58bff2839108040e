/**
 * Bench `webinars`: the two webinar paths that meet thousands of people at once, against DynamoDB
 * Local (started here, in memory, stopped in a finally). Figures are named `webinar.*`.
 *
 * Follow-ups: one session (`dashboards-101` / `tokyo-dec-10`, Zoom 81234567890) with 5,000
 * registrants, each a known contact, and attendance marks for 60 % of them (a fifth stayed the
 * whole hour, by webhook join and leave; a fifth stayed 25 minutes, by a report stay; a fifth came
 * twice for 7 minutes in all, under the 10 minutes that count as attending). Timed: Zoom's ended
 * signal through `processZoomSignal` (which finalizes the session: watch time, summaries saved,
 * attended / no-show events, one follow-up parked per registrant in the due index), on a fixed
 * clock 5 minutes after the end. Checked after: exactly 5,000 follow-ups parked. Setup (untimed):
 * customers imported with the import use case and registrations and marks written with the
 * webinar store, once, into a seed table; each round copies the seed's items into a fresh table.
 * Baseline, same run: plain BatchWriteItem (16 requests in flight) of exactly the items the step
 * wrote (the warm-up round's summaries, events and parked sends: 15,000 items), into a fresh
 * table. A warm-up round, then the median of the measured rounds, which side goes first alternating.
 *
 * Webhook: the Zoom webhook route (`POST /webhooks/zoom`, served by @hono/node-server on a
 * loopback port) with the in-process webinar queue behind it, whose consumer runs
 * `processZoomDelivery` on a fresh table holding the same 5,000 imported contacts (the seed's
 * items after the import, copied), so registrations are processed in the background while
 * requests arrive. 5,000 signed `webinar.registration_created` webhooks for `online-en-dec-11`
 * (Zoom 81234567891), 50 in flight, each answer checked to be 200; baseline: `GET /health` under
 * the same load on the same server, the two taking turns in 10 phases of 500 requests (which goes
 * first alternating). Warm-up: 500 registrations for a Zoom webinar no session is configured for
 * (the same route path; the consumer answers `unknown-webinar` without touching the table),
 * drained, then 500 health checks. The route checks signatures against the real time; processing
 * runs on a fixed clock (2026-12-01), so the session is still ahead and each registration gets
 * its confirmation and reminders planned. Then the queue is drained and every registration
 * checked to be stored, matched to its contact. The load generator, the HTTP app and the
 * background processing share this process (2 cores, the JVM beside them), as they would share a
 * local runtime.
 */
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { serve } from '@hono/node-server';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { InProcessWebinarQueue } from '../adapters/local/in-process-webinar-queue.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { mapBounded } from '../core/bounded-parallel.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { importCustomers, type CandidateRecord, type ImportInput } from '../core/customers/import-customers.ts';
import type { Account } from '../core/customers/account.ts';
import type { Contact } from '../core/customers/contact.ts';
import type { Clock, Store } from '../core/ports.ts';
import { processZoomSignal } from '../core/webinars/process-zoom-signal.ts';
import type { WebinarDeps } from '../core/webinars/register-for-webinar.ts';
import { initialSessionState, requireSession } from '../core/webinars/webinar-catalog.ts';
import type { AttendanceMark, Registrant } from '../core/webinars/webinar.ts';
import { processZoomDelivery } from '../core/webinars/zoom-delivery.ts';
import { signAsZoom } from '../core/webinars/zoom-webhook-signature.ts';
import { finishApp, startApp } from '../http/app-shell.ts';
import { zoomWebhookRoutes } from '../http/zoom-webhook-routes.ts';
import { generateDemoCustomers } from '../local/demo-customers.ts';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import { batchWriteAll, scanAll, type RawItem } from './batch-write-baseline.ts';
import { deleteTable } from './bench-table.ts';
import type { Figures } from './bench.ts';
import { DynamoRequestCounter, type DynamoRequestCounts } from './dynamodb-request-counter.ts';
import { median, round1, round3, round4 } from './figure-math.ts';
import { formatNumber, formatTable } from './figure-table.ts';
import { StepLatencies } from './step-latencies.ts';
import { withEngagementPath } from '../core/scoring/record-engagement.ts';

export const name = 'webinars';
/** The figure names the issue gives: `webinar.*`. */
export const figurePrefixes = ['webinar'] as const;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEBINAR_ID = 'dashboards-101';
const REGISTRANTS = 5_000;
const ACCOUNTS = 500;
/** In flight for the setup writes and the BatchWriteItem baseline (as the import bench). */
const CONCURRENCY = 16;

const ENDED_SESSION = { id: 'tokyo-dec-10', zoomId: '81234567890', startedAt: new Date('2026-12-10T05:00:00Z'), endedAt: new Date('2026-12-10T06:00:00Z') };
const ENDED_CLOCK: Clock = { now: () => new Date('2026-12-10T06:05:00Z') };
const FOLLOW_UP_RUN_ID = `follow-up-${ENDED_SESSION.id}`;
/** Later than any follow-up can be parked for, so the due index lists them all. */
const FAR_FUTURE = new Date('2030-01-01T00:00:00Z');
const WARM_UP_ROUNDS = 1;
const MEASURED_ROUNDS = 3;
/** What finalizing writes, one item each per registrant. */
const STEP_ENTITIES = ['registrant', 'engagement-event', 'deferred-send'] as const;

const AHEAD_SESSION = { id: 'online-en-dec-11', zoomId: 81234567891 };
const REGISTRATION_CLOCK: Clock = { now: () => new Date('2026-12-01T00:00:00Z') };
/** No session of the shipped config has this Zoom id. */
const UNCONFIGURED_ZOOM_ID = 89999999999;
const ZOOM_SECRET = 'bench-webinars-zoom-secret-token';
const WEBHOOK_CONNECTIONS = 50;
const WARM_UP_REQUESTS = 500;
const LOAD_PHASES = 10;

/** The paths did not do what the bench relies on, so their timing would measure something else. */
export class WebinarBenchError extends Error {
  constructor(message: string) {
    super(`bench webinars: ${message}`);
    this.name = 'WebinarBenchError';
  }
}

export async function run(): Promise<Figures> {
  const config = await loadConfigOrThrow(defaultConfigLocation(ROOT));
  const customers = generateDemoCustomers({ accounts: ACCOUNTS, contacts: REGISTRANTS });
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client = localDynamoClient(dynamo.endpoint);
  try {
    const counter = DynamoRequestCounter.attach(client);
    console.log(`DynamoDB Local on ${dynamo.endpoint}; ${formatNumber(REGISTRANTS)} contacts in ${ACCOUNTS} accounts`);
    const seed = await seedItems(client, config, customers.accounts, customers.contacts);
    const followUps = await measureFollowUps(client, counter, config, seed.session);
    const webhook = await measureWebhook(client, counter, config, seed.customers, customers.contacts);
    return { ...followUps, ...webhook };
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Setup

/**
 * Imports the customers (the import use case), then registers every contact for the ended
 * session and records the attendance marks (the webinar store), in a seed table; returns its
 * items after the import and after the registrations, for the rounds to copy.
 */
async function seedItems(client: DynamoDBClient, config: EngineConfig, accounts: Account[], contacts: Contact[]) {
  const tableName = 'bench-webinars-seed';
  await ensureTable(client, tableName);
  try {
    const started = performance.now();
    const store = createDynamoStore(client, tableName);
    const input: ImportInput = {
      accounts: accounts.map((value, index): CandidateRecord => ({ location: { source: 'accounts', index }, value })),
      contacts: contacts.map((value, index): CandidateRecord => ({ location: { source: 'contacts', index }, value })),
    };
    const report = await importCustomers(input, store.customers, systemClock);
    if (report.rejected.length > 0 || report.contacts.created !== contacts.length || report.accounts.created !== accounts.length) {
      throw new WebinarBenchError(`the import did not create every customer: accounts ${JSON.stringify(report.accounts)}, contacts ${JSON.stringify(report.contacts)}, ${report.rejected.length} rejected`);
    }
    const customerItems = await scanAll(client, tableName);

    // The session exists before it ends (a registration creates it), or the end signal has nothing to record on.
    await store.webinars.ensureSession(initialSessionState(requireSession(config, WEBINAR_ID, ENDED_SESSION.id)));
    const registered = await mapBounded(contacts, CONCURRENCY, (contact) => store.webinars.register(registrantOf(contact)));
    if (registered.some((created) => !created)) throw new WebinarBenchError(`${registered.filter((created) => !created).length} registrations already existed in a fresh table`);
    await store.webinars.recordAttendance(contacts.flatMap((contact, index) => attendanceOf(contact, index)));
    const sessionItems = await scanAll(client, tableName);
    console.log(
      `setup (untimed): ${formatNumber(contacts.length)} contacts imported, registered for ${WEBINAR_ID}/${ENDED_SESSION.id} with attendance marks ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s; ${formatNumber(sessionItems.length)} items, copied into each round's table`,
    );
    return { customers: customerItems, session: sessionItems };
  } finally {
    await deleteTable(client, tableName);
  }
}

function registrantOf(contact: Contact): Registrant {
  return {
    webinarId: WEBINAR_ID,
    sessionId: ENDED_SESSION.id,
    email: contact.email.toLowerCase(),
    contactId: contact.contactId,
    accountId: contact.accountId,
    name: `${contact.firstName} ${contact.lastName}`,
    registeredAt: '2026-12-01T03:00:00.000Z',
    source: 'zoom',
    answers: [{ question: 'Anything you would like us to cover?', answer: 'Slack alerts' }],
  };
}

/**
 * By index: a fifth stayed the whole hour (webhook join and leave, a little outside the session);
 * a fifth stayed 25 minutes (a report stay); a fifth came twice, 7 minutes in all (under the 10
 * that count as attending); two fifths never came.
 */
function attendanceOf(contact: Contact, index: number): AttendanceMark[] {
  const base = { webinarId: WEBINAR_ID, sessionId: ENDED_SESSION.id, person: contact.email.toLowerCase() };
  const at = (time: string) => `2026-12-10T${time}:00.000Z`;
  switch (index % 5) {
    case 0:
      return [
        { ...base, kind: 'join', stayKey: `p-${index}`, at: at('04:58') },
        { ...base, kind: 'leave', stayKey: `p-${index}`, at: at('06:02') },
      ];
    case 1:
      return [{ ...base, kind: 'stay', stayKey: 'report', at: at('05:05'), leftAt: at('05:30') }];
    case 2:
      return [
        { ...base, kind: 'join', stayKey: `p-${index}-a`, at: at('05:00') },
        { ...base, kind: 'leave', stayKey: `p-${index}-a`, at: at('05:04') },
        { ...base, kind: 'join', stayKey: `p-${index}-b`, at: at('05:40') },
        { ...base, kind: 'leave', stayKey: `p-${index}-b`, at: at('05:43') },
      ];
    default:
      return [];
  }
}

/** Those who stayed the hour or 25 minutes (indices 0 and 1 modulo 5). */
const EXPECTED_ATTENDED = Array.from({ length: REGISTRANTS }, (_, index) => index % 5).filter((kind) => kind < 2).length;

// ---------------------------------------------------------------------------------------------
// Follow-ups

interface FollowUpRound {
  seconds: number;
  requests: DynamoRequestCounts;
  baselineSeconds: number;
  baselineRequests: number;
  steps: StepLatencies;
}

async function measureFollowUps(client: DynamoDBClient, counter: DynamoRequestCounter, config: EngineConfig, seed: readonly RawItem[]): Promise<Figures> {
  console.log(
    `\nfollow-ups: Zoom's ended signal for ${WEBINAR_ID}/${ENDED_SESSION.id}, ${formatNumber(REGISTRANTS)} registrants (${formatNumber(EXPECTED_ATTENDED)} attend), ` +
      `through processZoomSignal; baseline: BatchWriteItem of the items it writes, ${CONCURRENCY} in flight; ${WARM_UP_ROUNDS} warm-up + ${MEASURED_ROUNDS} measured rounds`,
  );
  const rounds: [string, FollowUpRound][] = [];
  let baselineItems: RawItem[] | undefined;
  for (let round = 1; round <= WARM_UP_ROUNDS + MEASURED_ROUNDS; round++) {
    const label = round <= WARM_UP_ROUNDS ? `warm-up ${round}` : String(round - WARM_UP_ROUNDS);
    const ours = () => measureFinalizeInFreshTable(client, counter, config, `bench-webinars-${round}-ours`, seed);
    // The warm-up round has no items yet: its baseline writes its own, after.
    const baseline = (items: readonly RawItem[]) => measureBaseline(client, counter, `bench-webinars-${round}-batchwrite`, items);
    let result: FollowUpRound;
    if (baselineItems === undefined || round % 2 === 1) {
      const ourResult = await ours();
      baselineItems ??= ourResult.stepItems;
      result = { ...ourResult, ...(await baseline(baselineItems)) };
    } else {
      const baselineResult = await baseline(baselineItems);
      result = { ...(await ours()), ...baselineResult };
    }
    rounds.push([label, result]);
  }
  printFollowUpRounds(rounds);
  const measured = rounds.slice(WARM_UP_ROUNDS).map(([, result]) => result);
  const last = measured.at(-1) as FollowUpRound;
  console.log(`\nwhere the time of the last round went (each call until its promise settled):`);
  for (const line of last.steps.table()) console.log(`  ${line}`);

  const seconds = median(measured.map((round) => round.seconds));
  const baselineSeconds = median(measured.map((round) => round.baselineSeconds));
  const ratio = median(measured.map((round) => round.seconds / round.baselineSeconds));
  const requestsPerRegistrant = median(measured.map((round) => round.requests.commands / REGISTRANTS));
  const byCommand = Object.fromEntries(
    Object.entries(last.requests.byCommand)
      .sort(([, a], [, b]) => b - a)
      .map(([command, count]) => [command.replace(/Command$/, ''), count]),
  );
  console.log(`DynamoDB requests of the last round's step: ${JSON.stringify(byCommand)} = ${formatNumber(last.requests.commands / REGISTRANTS)} per registrant`);
  console.log(
    `follow-ups of ${formatNumber(REGISTRANTS)} registrants parked in ${seconds.toFixed(2)} s = ${ratio.toFixed(2)} x plain BatchWriteItem of the ` +
      `${formatNumber(STEP_ENTITIES.length * REGISTRANTS)} items it writes (${baselineSeconds.toFixed(2)} s); medians of ${MEASURED_ROUNDS} rounds`,
  );
  return {
    'webinar.followups_enqueue_seconds_5000': round3(seconds),
    'webinar.followups_enqueue_baseline_batchwrite_seconds_5000': round3(baselineSeconds),
    'webinar.followups_enqueue_vs_batchwrite': round4(ratio),
    'webinar.requests_per_registrant': round4(requestsPerRegistrant),
    ...Object.fromEntries(Object.entries(byCommand).map(([command, count]) => [`webinar.requests_per_registrant.${command}`, round4(count / REGISTRANTS)])),
  };
}

/** One round: the seed copied into a fresh table (untimed), then the ended signal, timed, then checks. */
async function measureFinalizeInFreshTable(client: DynamoDBClient, counter: DynamoRequestCounter, config: EngineConfig, tableName: string, seed: readonly RawItem[]) {
  await ensureTable(client, tableName);
  try {
    await batchWriteAll(client, tableName, seed, CONCURRENCY);
    const store = createDynamoStore(client, tableName);
    const steps = new StepLatencies();
    const deps: WebinarDeps = {
      config,
      webinars: steps.watch('webinars', store.webinars, ['ensureSession', 'recordSessionRun', 'listAttendance', 'listRegistrants', 'saveRegistrants', 'markFollowUpsPlanned']),
      customers: steps.watch('customers', store.customers, ['contactIdsByEmail', 'getContacts']),
      engagement: steps.watch('engagement', withEngagementPath(store, config.scoring, ENDED_CLOCK).engagement, ['recordEvent']),
      sends: steps.watch('sends', store.sends, ['deferSends']),
      clock: ENDED_CLOCK,
    };
    const signal = { kind: 'ended' as const, platformId: ENDED_SESSION.zoomId, startedAt: ENDED_SESSION.startedAt, endedAt: ENDED_SESSION.endedAt };
    const ended = await timed(counter, () => processZoomSignal(signal, ENDED_CLOCK.now(), deps));

    const expected = `ended: ${EXPECTED_ATTENDED} attended, ${REGISTRANTS - EXPECTED_ATTENDED} no-shows, ${REGISTRANTS} follow-ups planned`;
    if (ended.value.outcome !== expected) throw new WebinarBenchError(`${tableName}: the ended signal answered '${ended.value.outcome}', expected '${expected}'`);
    await expectFollowUpsParked(store, tableName);
    const stepItems = (await scanAll(client, tableName)).filter((item) => STEP_ENTITIES.some((entity) => item.entity?.S === entity));
    if (stepItems.length !== STEP_ENTITIES.length * REGISTRANTS) {
      throw new WebinarBenchError(`${tableName}: expected ${STEP_ENTITIES.length * REGISTRANTS} summaries, events and parked sends, found ${stepItems.length}`);
    }
    return { seconds: ended.seconds, requests: ended.requests, steps, stepItems };
  } finally {
    await deleteTable(client, tableName);
  }
}

/** Exactly one follow-up parked per registrant, and the session marked as planned. */
async function expectFollowUpsParked(store: Store, tableName: string): Promise<void> {
  const parked = (await store.sends.listDueDeferredSends(FAR_FUTURE, 10_000)).filter((deferred) => deferred.request.runId === FOLLOW_UP_RUN_ID);
  const contacts = new Set(parked.map((deferred) => deferred.request.contactId));
  if (parked.length !== REGISTRANTS || contacts.size !== REGISTRANTS) {
    throw new WebinarBenchError(`${tableName}: expected ${REGISTRANTS} follow-ups parked (one per registrant), found ${parked.length} for ${contacts.size} contacts`);
  }
  const session = await store.webinars.getSession(WEBINAR_ID, ENDED_SESSION.id);
  if (session?.endedAt !== ENDED_SESSION.endedAt.toISOString() || session.followUpsPlannedAt === undefined) {
    throw new WebinarBenchError(`${tableName}: the session should have its end recorded and its follow-ups marked planned, got ${JSON.stringify(session)}`);
  }
}

async function measureBaseline(client: DynamoDBClient, counter: DynamoRequestCounter, tableName: string, items: readonly RawItem[]) {
  await ensureTable(client, tableName);
  try {
    const written = await timed(counter, () => batchWriteAll(client, tableName, items, CONCURRENCY));
    return { baselineSeconds: written.seconds, baselineRequests: written.requests.commands };
  } finally {
    await deleteTable(client, tableName);
  }
}

function printFollowUpRounds(rounds: readonly [string, FollowUpRound][]): void {
  console.log('');
  for (const line of formatTable(
    ['round', 'ended signal s', 'requests', 'requests/registrant', 'BatchWrite s', 'BatchWrite requests', 'ours vs BatchWrite'],
    rounds.map(([label, result]) => [
      label,
      result.seconds.toFixed(2),
      formatNumber(result.requests.commands),
      formatNumber(result.requests.commands / REGISTRANTS),
      result.baselineSeconds.toFixed(2),
      formatNumber(result.baselineRequests),
      `${(result.seconds / result.baselineSeconds).toFixed(2)} x`,
    ]),
  )) {
    console.log(`  ${line}`);
  }
  for (const [label, result] of rounds.filter(([, result]) => result.requests.attempts > result.requests.commands)) {
    console.log(`  round ${label}: the SDK retried some requests (${result.requests.attempts} HTTP attempts for ${result.requests.commands} commands)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Webhook

interface LoadResult {
  latenciesMs: number[];
  seconds: number;
}

interface Target {
  method: 'GET' | 'POST';
  url: string;
  /** Signed when sent: the route checks the timestamp against the real time. */
  rawBody?: string;
}

async function measureWebhook(client: DynamoDBClient, counter: DynamoRequestCounter, config: EngineConfig, customerItems: readonly RawItem[], contacts: readonly Contact[]): Promise<Figures> {
  const tableName = 'bench-webinars-webhook';
  await ensureTable(client, tableName);
  await batchWriteAll(client, tableName, customerItems, CONCURRENCY);
  const store = createDynamoStore(client, tableName);
  const deps: WebinarDeps = { config, webinars: store.webinars, customers: store.customers, engagement: withEngagementPath(store, config.scoring, REGISTRATION_CLOCK).engagement, sends: store.sends, clock: REGISTRATION_CLOCK };
  const outcomes = new Map<string, number>();
  const errors: string[] = [];
  const log = (entry: Record<string, unknown>) => errors.push(JSON.stringify(entry));
  const queue = new InProcessWebinarQueue({
    process: async (delivery) => {
      const { outcome } = await processZoomDelivery(delivery, deps);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    },
    log,
  });
  const app = startApp();
  app.route('/webhooks', zoomWebhookRoutes({ secretToken: ZOOM_SECRET, queue, clock: systemClock, log }));
  finishApp(app, 'bench-webinars', log);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(started));
  });
  try {
    const webhookUrl = `${baseUrl}/webhooks/zoom`;
    const registrations: Target[] = contacts.map((contact, index) => ({ method: 'POST', url: webhookUrl, rawBody: JSON.stringify(registrationWebhook(contact, index)) }));
    // The same route path (signature, parse, enqueue) for a webinar no session is configured for: the consumer answers 'unknown-webinar' without touching the table.
    const warmUps: Target[] = contacts.slice(0, WARM_UP_REQUESTS).map((contact, index) => ({ method: 'POST', url: webhookUrl, rawBody: JSON.stringify(registrationWebhook(contact, index, UNCONFIGURED_ZOOM_ID)) }));
    const health: Target = { method: 'GET', url: `${baseUrl}/health` };
    console.log(
      `\nwebhook: HTTP app on ${baseUrl}; ${formatNumber(REGISTRANTS)} signed webinar.registration_created for ${WEBINAR_ID}/${AHEAD_SESSION.id} ` +
        `against GET /health, ${WEBHOOK_CONNECTIONS} in flight, ${LOAD_PHASES} phases each; warm-up: ${WARM_UP_REQUESTS} registrations for a Zoom webinar no session is configured for, and ${WARM_UP_REQUESTS} health checks`,
    );
    await drive(warmUps, WARM_UP_REQUESTS, expectOk);
    await drive([health], WARM_UP_REQUESTS, expectOk);
    await queue.drain();
    if (queue.processed !== WARM_UP_REQUESTS || outcomes.get('unknown-webinar') !== WARM_UP_REQUESTS || errors.length > 0) {
      throw new WebinarBenchError(`the warm-up should have processed ${WARM_UP_REQUESTS} deliveries as 'unknown-webinar': ${JSON.stringify(Object.fromEntries(outcomes))}, ${errors.length} errors (first: ${errors[0]})`);
    }
    outcomes.clear();

    const before = counter.snapshot();
    const webhookPhases: LoadResult[] = [];
    const healthPhases: LoadResult[] = [];
    const perPhase = REGISTRANTS / LOAD_PHASES;
    const loadStarted = performance.now();
    for (let phase = 0; phase < LOAD_PHASES; phase++) {
      const webhookPhase = async () => void webhookPhases.push(await drive(registrations.slice(phase * perPhase, (phase + 1) * perPhase), perPhase, expectOk));
      const healthPhase = async () => void healthPhases.push(await drive([health], perPhase, expectOk));
      if (phase % 2 === 0) {
        await webhookPhase();
        await healthPhase();
      } else {
        await healthPhase();
        await webhookPhase();
      }
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const processedDuringLoad = queue.processed - WARM_UP_REQUESTS;
    await queue.drain();
    const processingSeconds = (performance.now() - loadStarted) / 1000;
    const processing = counter.since(before);

    if (errors.length > 0) throw new WebinarBenchError(`the route or the queue logged ${errors.length} errors, first: ${errors[0]}`);
    if (queue.deadLetters.length > 0) throw new WebinarBenchError(`${queue.deadLetters.length} deliveries went to the dead letters, first: ${queue.deadLetters[0]?.error}`);
    if (queue.processed - WARM_UP_REQUESTS !== REGISTRANTS || outcomes.get('registered') !== REGISTRANTS) {
      throw new WebinarBenchError(`expected ${REGISTRANTS} deliveries processed, each 'registered'; processed ${queue.processed - WARM_UP_REQUESTS}: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    }
    const registrants = await store.webinars.listRegistrants(WEBINAR_ID, AHEAD_SESSION.id);
    const matched = registrants.filter((registrant) => registrant.contactId !== undefined).length;
    const expectedEmails = new Set(contacts.map((contact) => contact.email.toLowerCase()));
    if (registrants.length !== REGISTRANTS || matched !== REGISTRANTS || !isDeepStrictEqual(new Set(registrants.map((registrant) => registrant.email)), expectedEmails)) {
      throw new WebinarBenchError(`expected ${REGISTRANTS} registrants of ${AHEAD_SESSION.id}, each matched to its contact; found ${registrants.length}, ${matched} matched`);
    }

    const webhook = summarize(combine(webhookPhases));
    const baseline = summarize(combine(healthPhases));
    console.log('');
    for (const line of formatTable(
      ['load', 'requests', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'requests/s'],
      [
        ['POST /webhooks/zoom (200)', ...summaryCells(webhook)],
        ['GET /health (baseline)', ...summaryCells(baseline)],
      ],
    )) {
      console.log(`  ${line}`);
    }
    const byCommand = Object.fromEntries(
      Object.entries(processing.byCommand)
        .sort(([, a], [, b]) => b - a)
        .map(([command, count]) => [command.replace(/Command$/, ''), formatNumber(count / REGISTRANTS)]),
    );
    console.log(
      `background processing: all ${formatNumber(REGISTRANTS)} registrations stored and matched ${processingSeconds.toFixed(1)} s after the first webhook ` +
        `(${formatNumber(REGISTRANTS / processingSeconds)} registrations/s; the load took ${loadSeconds.toFixed(1)} s, ${formatNumber(processedDuringLoad)} processed by its end); ` +
        `DynamoDB requests per registration ${formatNumber(processing.commands / REGISTRANTS)}: ${JSON.stringify(byCommand)}`,
    );
    console.log(`p99 ms by phase: webhooks ${webhookPhases.map((phase) => summarize(phase).p99.toFixed(1)).join(', ')}; health ${healthPhases.map((phase) => summarize(phase).p99.toFixed(1)).join(', ')}`);
    console.log(
      `webhook: p99 ${webhook.p99.toFixed(2)} ms = ${(webhook.p99 / baseline.p99).toFixed(2)} x GET /health (${baseline.p99.toFixed(2)} ms); ` +
        `p50 ${webhook.p50.toFixed(2)} ms, max ${webhook.max.toFixed(2)} ms; ${WEBHOOK_CONNECTIONS} in flight`,
    );
    return {
      'webinar.webhook_p50_ms': round3(webhook.p50),
      'webinar.webhook_p99_ms': round3(webhook.p99),
      'webinar.webhook_max_ms': round3(webhook.max),
      'webinar.webhook_baseline_health_p99_ms': round3(baseline.p99),
      'webinar.webhook_p99_vs_health': round4(webhook.p99 / baseline.p99),
      'webinar.webhook_processing_seconds_5000': round1(processingSeconds),
      'webinar.webhook_processing_requests_per_registration': round4(processing.commands / REGISTRANTS),
    };
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle keep-alive connections would hold close() open until they time out.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    await queue.drain();
    await deleteTable(client, tableName);
  }
}

/** The body Zoom posts when someone registers (as in test/integration/webinars.test.ts). */
function registrationWebhook(contact: Contact, index: number, zoomId: number = AHEAD_SESSION.zoomId) {
  return {
    event: 'webinar.registration_created',
    event_ts: REGISTRATION_CLOCK.now().getTime() + index,
    payload: {
      account_id: 'zoom-acc',
      object: {
        id: zoomId,
        uuid: 'bench-instance',
        topic: 'Dashboards 101',
        start_time: '2026-12-11T15:00:00Z',
        registrant: { email: contact.email, first_name: contact.firstName, last_name: contact.lastName, id: `r-${index}`, custom_questions: [{ title: 'Anything you would like us to cover?', value: 'Slack alerts' }] },
      },
    },
  };
}

/** `total` requests over `targets` in turn, WEBHOOK_CONNECTIONS at a time, every answer checked; a POST is signed just before it is sent. */
async function drive(targets: readonly Target[], total: number, check: (response: Response, body: string, target: Target) => void): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let issued = 0;
  let failed = false;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WEBHOOK_CONNECTIONS }, async () => {
      while (issued < total && !failed) {
        const target = targets[issued++ % targets.length] as Target;
        try {
          let init: RequestInit = { method: target.method };
          if (target.rawBody !== undefined) {
            const { timestamp, signature } = signAsZoom(target.rawBody, ZOOM_SECRET, new Date());
            init = { method: 'POST', body: target.rawBody, headers: { 'content-type': 'application/json', 'x-zm-request-timestamp': timestamp, 'x-zm-signature': signature } };
          }
          const sent = performance.now();
          const response = await fetch(target.url, init);
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
  return { latenciesMs, seconds: (performance.now() - started) / 1000 };
}

function expectOk(response: Response, body: string, target: Target): void {
  if (response.status !== 200 || body !== '{"ok":true}') throw new WebinarBenchError(`${target.method} ${target.url} answered ${response.status}: ${body.slice(0, 200)}`);
}

function combine(phases: readonly LoadResult[]): LoadResult {
  return { latenciesMs: phases.flatMap((phase) => phase.latenciesMs), seconds: phases.reduce((sum, phase) => sum + phase.seconds, 0) };
}

function summarize(load: LoadResult) {
  const sorted = [...load.latenciesMs].sort((a, b) => a - b);
  const at = (percent: number) => sorted[Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1)] ?? 0;
  return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) ?? 0, perSecond: sorted.length / load.seconds };
}

function summaryCells(summary: ReturnType<typeof summarize>): string[] {
  return [formatNumber(summary.count), summary.p50.toFixed(2), summary.p90.toFixed(2), summary.p99.toFixed(2), summary.max.toFixed(2), formatNumber(summary.perSecond)];
}

// ---------------------------------------------------------------------------------------------
// Shared

async function timed<T>(counter: DynamoRequestCounter, task: () => Promise<T>) {
  const before = counter.snapshot();
  const started = performance.now();
  const value = await task();
  const seconds = (performance.now() - started) / 1000;
  return { value, seconds, requests: counter.since(before) };
}
