/**
 * Bench `cost`: what a million emails cost on AWS besides SES's own fee, from measured requests.
 *
 * Measured here, on DynamoDB Local with every command asked for its consumed capacity (units as
 * DynamoDB bills them, dynamodb-request-counter.ts):
 * - dispatch and send: the send bench's pipeline at 2,000 recipients (its request units per email);
 * - SES events: a Delivery event per email through the real SES event use case (our configuration
 *   sets do not publish Send events: infra/ses-events.ts);
 * - opens and clicks: each through the real engagement path (event and scores in one transaction;
 *   a click also in its campaign's index), plus the reads the tracking routes do before it (the link
 *   set, and a click's earlier events: 1 read unit each, counted on top);
 * - the KPI counts of each kind: the stream consumer (the KpiCounters function's code, fed by the
 *   local poller) counting the sends, deliveries, opens and clicks above, a batch at a time.
 * Assumed, and printed: how many recipients open (30 %) and click (5 %), Lambda billed time per
 * batch and per request, and AWS's list prices (us-east-1, on-demand, arm64). The baseline is
 * SES's fee itself ($0.10 per 1,000 emails): the target is 2 % of it.
 */
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { withEngagementPath } from '../core/scoring/record-engagement.ts';
import { ingestSesEvent, type SesEventDeps } from '../core/tracking/ses-events/record-ses-event.ts';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { openLocalKpiStream } from '../local/kpi-stream.ts';
import { freePort } from '../local/ports.ts';
import { loadSesFixture } from '../test/fixtures/ses/index.ts';
import type { Figures } from './bench.ts';
import { DynamoRequestCounter } from './dynamodb-request-counter.ts';
import { round3, round4 } from './figure-math.ts';
import { benchConfig, measureSend } from './send.ts';

export const name = 'cost';

const MILLION = 1_000_000;
const EVENT_SAMPLE = 400;

/** AWS list prices, us-east-1 (USD). */
const PRICE = {
  dynamodbPerMillionWru: 0.625,
  dynamodbPerMillionRru: 0.125,
  /** Provisioned capacity, per unit-hour (a unit is one write, or two eventually consistent reads, per second). */
  dynamodbPerWcuHour: 0.00065,
  dynamodbPerRcuHour: 0.00013,
  sqsPerMillionRequests: 0.4,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecondArm: 0.0000133334,
  apiGatewayHttpPerMillion: 1.0,
  eventBridgeCustomPerMillion: 1.0,
  schedulerPerMillion: 1.0,
  sesPerThousandEmails: 0.1,
} as const;

/** Assumptions about traffic and billed time, printed with the result. */
const ASSUME = {
  openRate: 0.3,
  clickRate: 0.05,
  /** Sender: one SQS batch of 10 (the sizing model's batch time at 80 ms SES latency), 512 MB. */
  senderBatchSeconds: 0.13,
  senderMemoryGb: 0.5,
  batchSize: 10,
  /** SES events function: one invocation per event (an EventBridge rule target), 512 MB. */
  sesEventSeconds: 0.03,
  /** KPI counters function: records per invocation (a send burst fills its batches of 1,000; taken low) and billed time per batch, 512 MB. */
  kpiRecordsPerBatch: 100,
  kpiBatchSeconds: 0.5,
  /** Tracking function (opens, clicks): one API request each, 512 MB. */
  trackingSeconds: 0.03,
  /** Dispatcher: 1 GB; about 230 contacts/s per shard worker measured on DynamoDB Local, 1,000/s assumed in AWS. */
  dispatcherSecondsPerContact: 1 / 1000,
  dispatcherMemoryGb: 1,
  /** SQS per email: SendMessageBatch (dispatcher) + ReceiveMessage + DeleteMessageBatch (event source), per 10. */
  sqsRequestsPerEmail: 3 / 10,
  /** Scheduler: one schedule firing per run; a run reaches tens of thousands of people: per email, negligible. */
  schedulerInvocationsPerEmail: 1 / 10_000,
  /** CSQL events to the CRM (EventBridge PutEvents): a promotion per few thousand emails, at most. */
  eventBridgeEventsPerEmail: 1 / 1_000,
  /** Provisioned capacity kept by auto scaling at its 70 % target utilisation (the alternative, not the default). */
  provisionedUtilisation: 0.7,
} as const;

interface Line {
  service: string;
  what: string;
  perMillionUsd: number;
}

export async function run(): Promise<Figures> {
  console.log('cost: dispatch and send, 2,000 recipients (the send bench pipeline, request units counted)');
  const send = await measureSend({ accounts: 200, contacts: 2_000, maxSendRate: 100, workers: 4 });
  const sendWru = send['send.dynamodb_wru_per_email'] ?? Number.NaN;
  const sendRru = send['send.dynamodb_rru_per_email'] ?? Number.NaN;
  const events = await measureEvents();

  const lines: Line[] = [];
  const dollars = (count: number, perMillion: number) => (count * perMillion) / MILLION;
  const wru = (perEmail: number) => dollars(perEmail * MILLION, PRICE.dynamodbPerMillionWru);
  const rru = (perEmail: number) => dollars(perEmail * MILLION, PRICE.dynamodbPerMillionRru);
  const gbSeconds = (seconds: number, gb: number) => seconds * gb * PRICE.lambdaPerGbSecondArm;
  lines.push({ service: 'DynamoDB', what: `dispatch + send: ${sendWru} WRU, ${sendRru} RRU per email`, perMillionUsd: wru(sendWru) + rru(sendRru) });
  lines.push({ service: 'DynamoDB', what: `the run's sent count, from the table's stream: ${events.sentWru} WRU, ${events.sentRru} RRU per email`, perMillionUsd: wru(events.sentWru) + rru(events.sentRru) });
  lines.push({ service: 'DynamoDB', what: `SES Delivery event (Send events not published), with its count from the stream: ${events.sesWru} WRU, ${events.sesRru} RRU`, perMillionUsd: wru(events.sesWru) + rru(events.sesRru) });
  lines.push({
    service: 'DynamoDB',
    what: `opens ${ASSUME.openRate} x (${events.openWru} WRU, ${events.openRru}+1 RRU), clicks ${ASSUME.clickRate} x (${events.clickWru} WRU, ${events.clickRru}+2 RRU)`,
    perMillionUsd: ASSUME.openRate * (wru(events.openWru) + rru(events.openRru + 1)) + ASSUME.clickRate * (wru(events.clickWru) + rru(events.clickRru + 2)),
  });
  lines.push({ service: 'SQS', what: `${ASSUME.sqsRequestsPerEmail} requests per email`, perMillionUsd: dollars(ASSUME.sqsRequestsPerEmail * MILLION, PRICE.sqsPerMillionRequests) });
  const batches = MILLION / ASSUME.batchSize;
  lines.push({
    service: 'Lambda',
    what: `sender: ${batches} batches x (${ASSUME.senderBatchSeconds} s x ${ASSUME.senderMemoryGb} GB + 1 request)`,
    perMillionUsd: batches * (gbSeconds(ASSUME.senderBatchSeconds, ASSUME.senderMemoryGb) + PRICE.lambdaPerMillionRequests / MILLION),
  });
  lines.push({
    service: 'Lambda',
    what: `dispatcher: ${ASSUME.dispatcherSecondsPerContact} s x ${ASSUME.dispatcherMemoryGb} GB per contact`,
    perMillionUsd: MILLION * gbSeconds(ASSUME.dispatcherSecondsPerContact, ASSUME.dispatcherMemoryGb),
  });
  // One Delivery per email; bounces, complaints and delays are a few percent at most (and a bounce replaces a delivery).
  const sesEvents = MILLION;
  lines.push({ service: 'Lambda', what: `SES events: ${sesEvents} invocations x ${ASSUME.sesEventSeconds} s x 0.5 GB`, perMillionUsd: sesEvents * (gbSeconds(ASSUME.sesEventSeconds, 0.5) + PRICE.lambdaPerMillionRequests / MILLION) });
  // The KpiCounters function: one invocation per batch of stream records (a sent, a delivery, each open and click).
  const kpiRecords = Math.round((2 + ASSUME.openRate + ASSUME.clickRate) * MILLION);
  const kpiInvocations = Math.round(kpiRecords / ASSUME.kpiRecordsPerBatch);
  lines.push({
    service: 'Lambda',
    what: `KPI counters: ${kpiRecords} stream records in ${kpiInvocations} batches x ${ASSUME.kpiBatchSeconds} s x 0.5 GB`,
    perMillionUsd: kpiInvocations * (gbSeconds(ASSUME.kpiBatchSeconds, 0.5) + PRICE.lambdaPerMillionRequests / MILLION),
  });
  const trackingRequests = (ASSUME.openRate + ASSUME.clickRate) * MILLION;
  lines.push({ service: 'Lambda', what: `tracking: ${trackingRequests} requests x ${ASSUME.trackingSeconds} s x 0.5 GB`, perMillionUsd: trackingRequests * (gbSeconds(ASSUME.trackingSeconds, 0.5) + PRICE.lambdaPerMillionRequests / MILLION) });
  lines.push({ service: 'API Gateway', what: `${trackingRequests} HTTP API requests (opens, clicks)`, perMillionUsd: dollars(trackingRequests, PRICE.apiGatewayHttpPerMillion) });
  lines.push({ service: 'EventBridge', what: `SES events on the default bus: AWS service events, no charge; CSQL events ${ASSUME.eventBridgeEventsPerEmail} per email`, perMillionUsd: dollars(ASSUME.eventBridgeEventsPerEmail * MILLION, PRICE.eventBridgeCustomPerMillion) });
  lines.push({ service: 'Scheduler', what: `${ASSUME.schedulerInvocationsPerEmail} invocations per email`, perMillionUsd: dollars(ASSUME.schedulerInvocationsPerEmail * MILLION, PRICE.schedulerPerMillion) });

  const total = lines.reduce((sum, line) => sum + line.perMillionUsd, 0);
  const sesFee = (MILLION / 1000) * PRICE.sesPerThousandEmails;
  console.log('\ncost per million emails, SES fee excluded (us-east-1 list prices, on-demand, arm64):');
  for (const line of lines) console.log(`  ${line.service.padEnd(12)} $${line.perMillionUsd.toFixed(3).padStart(7)}  ${line.what}`);
  console.log(`  ${'total'.padEnd(12)} $${total.toFixed(3).padStart(7)}  = ${((total / sesFee) * 100).toFixed(1)} % of SES's $${sesFee} (target: at most $2, 2 %)`);
  // The same units on provisioned capacity: a unit-hour carries 3,600 writes (7,200 eventually consistent reads) at full use.
  const dynamoUsd = lines.filter((line) => line.service === 'DynamoDB').reduce((sum, line) => sum + line.perMillionUsd, 0);
  const provisionedFactor = (PRICE.dynamodbPerWcuHour / 3600 / ASSUME.provisionedUtilisation) * MILLION / PRICE.dynamodbPerMillionWru;
  const provisionedTotal = total - dynamoUsd + dynamoUsd * provisionedFactor;
  console.log(`  on provisioned capacity at ${ASSUME.provisionedUtilisation * 100} % utilisation, DynamoDB costs ${provisionedFactor.toFixed(3)} x on-demand per write: total $${provisionedTotal.toFixed(3)} (campaign sends are bursts: on-demand stays the default)`);
  const byService = (service: string) => lines.filter((line) => line.service === service).reduce((sum, line) => sum + line.perMillionUsd, 0);
  const floor = costFloor(provisionedFactor);
  console.log('\nthe floor: what the requirements alone cost, with nothing else (no scores, counters, markers, queue, sender or dispatcher):');
  for (const line of floor.lines) console.log(`  ${line.what.padEnd(96)} $${line.perMillionUsd.toFixed(3).padStart(6)}`);
  console.log(`  ${'floor, on-demand'.padEnd(96)} $${floor.onDemand.toFixed(3).padStart(6)}`);
  console.log(`  ${'floor, DynamoDB on provisioned capacity'.padEnd(96)} $${floor.provisioned.toFixed(3).padStart(6)}`);
  return {
    'cost.usd_per_million_emails_excl_ses': round3(total),
    'cost.over_ses_fee': round4(total / sesFee),
    'cost.usd_per_million_provisioned': round3(provisionedTotal),
    'cost.usd_floor_per_million': round3(floor.onDemand),
    'cost.usd_floor_per_million_provisioned': round3(floor.provisioned),
    'cost.usd_dynamodb': round3(byService('DynamoDB')),
    'cost.usd_lambda': round3(byService('Lambda')),
    'cost.usd_sqs': round3(byService('SQS')),
    'cost.usd_api_gateway': round3(byService('API Gateway')),
    'cost.dynamodb_wru_per_email_send': sendWru,
    'cost.dynamodb_wru_per_email_sent_count': events.sentWru,
    'cost.dynamodb_wru_per_ses_event': events.sesWru,
    'cost.dynamodb_wru_per_open': events.openWru,
    'cost.dynamodb_wru_per_click': events.clickWru,
  };
}

/**
 * The least any design meeting the requirements pays per million emails, at the same prices: a
 * claim written before SES is called (ARCHITECTURE 5: no email twice), the send's state with its SES
 * message id and its place in the contact's send history (SES events without our tags, frequency
 * caps: two index entries), each delivery stored (PRODUCT 4), one function invocation per SES
 * event (ARCHITECTURE 6: EventBridge to Lambda), and each open and click through the HTTP API
 * (ARCHITECTURE 1) with its event stored. One write unit each, the billed minimum.
 */
function costFloor(provisionedFactor: number): { lines: Line[]; onDemand: number; provisioned: number } {
  const wru = (units: number) => (units * MILLION * PRICE.dynamodbPerMillionWru) / MILLION;
  const tracked = ASSUME.openRate + ASSUME.clickRate;
  const lines: Line[] = [
    { service: 'DynamoDB', what: 'the claim: 1 WRU', perMillionUsd: wru(1) },
    { service: 'DynamoDB', what: 'the send marked sent with its message-id and send-history index entries: 3 WRU', perMillionUsd: wru(3) },
    { service: 'DynamoDB', what: 'the delivery stored: 1 WRU', perMillionUsd: wru(1) },
    { service: 'DynamoDB', what: `opens and clicks stored: ${tracked} x 1 WRU (a click's campaign index entry: +${ASSUME.clickRate})`, perMillionUsd: wru(tracked + ASSUME.clickRate) },
    { service: 'Lambda', what: 'SES events: 1 invocation per email (requests alone)', perMillionUsd: PRICE.lambdaPerMillionRequests },
    { service: 'API Gateway', what: `opens and clicks: ${tracked} HTTP API requests per email, and their invocations`, perMillionUsd: tracked * (PRICE.apiGatewayHttpPerMillion + PRICE.lambdaPerMillionRequests) },
  ];
  const onDemand = lines.reduce((sum, line) => sum + line.perMillionUsd, 0);
  const dynamo = lines.filter((line) => line.service === 'DynamoDB').reduce((sum, line) => sum + line.perMillionUsd, 0);
  return { lines, onDemand, provisioned: onDemand - dynamo + dynamo * provisionedFactor };
}

/** Request units of one SES event and one open through the real use cases, averaged over a sample. */
async function measureEvents(): Promise<{ sentWru: number; sentRru: number; sesWru: number; sesRru: number; openWru: number; openRru: number; clickWru: number; clickRru: number }> {
  const config = await benchConfig();
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  try {
    const client = localDynamoClient(dynamo.endpoint);
    await ensureTable(client, 'bench-cost');
    const counter = DynamoRequestCounter.attach(client, { capacity: true });
    const store = createDynamoStore(client, 'bench-cost');
    const clock = { now: () => new Date() };
    const now = new Date();
    await store.customers.upsertAccount({ accountId: 'acc', name: 'Cost K.K.', tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
    for (let i = 0; i < EVENT_SAMPLE; i++) {
      const ref = { campaignId: 'cost-news', runId: 'r1', contactId: `c${i}` };
      await store.customers.upsertContact({ contactId: ref.contactId, accountId: 'acc', email: `c${i}@example.com`, firstName: 'A', lastName: 'B', locale: 'en', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
      await store.sends.claimSend({ ...ref, accountId: 'acc', tier: 'tier3', locale: 'en', state: 'claimed', claimedAt: now.toISOString() });
      await store.sends.markSent(ref, `cost-msg-${i}`, now, { tier: 'tier3', locale: 'en' });
    }
    // The KpiCounters function's work, counted the same way: its batches of the table's stream (a
    // batch of up to a thousand records, as deployed) after each kind of write.
    const kpiStream = await openLocalKpiStream({ client, endpoint: dynamo.endpoint, tableName: 'bench-cost' });
    const counted = counter.snapshot();
    await kpiStream.drain();
    const sentCounting = counter.since(counted);
    const engaged = withEngagementPath(store, config.scoring, clock);
    const deps: SesEventDeps = { sends: store.sends, engagement: engaged.engagement, suppressions: store.suppressions, customers: store.customers, topics: { kind: 'topics', topics: [] } };
    const before = counter.snapshot();
    for (let i = 0; i < EVENT_SAMPLE; i++) {
      // Placed by the SES message id (one index query): without our signed tags, the dearer path.
      const event = loadSesFixture('delivery');
      event.detail.mail = { ...event.detail.mail, messageId: `cost-msg-${i}`, tags: {} };
      const outcome = await ingestSesEvent(event, deps);
      if (outcome.outcome !== 'recorded') throw new Error(`cost bench: SES event ${i} was ${outcome.outcome}, expected recorded`);
    }
    await kpiStream.drain();
    const ses = counter.since(before);
    const opened = counter.snapshot();
    for (let i = 0; i < EVENT_SAMPLE; i++) {
      const recorded = await engaged.engagement.recordEvent({ eventId: `open-${i}`, type: 'open', contactId: `c${i}`, accountId: 'acc', occurredAt: new Date(now.getTime() + 60_000).toISOString(), campaignId: 'cost-news', runId: 'r1', machine: false, detail: { tier: 'tier3', locale: 'en' } });
      if (!recorded) throw new Error(`cost bench: open ${i} was not recorded`);
    }
    await kpiStream.drain();
    const opens = counter.since(opened);
    const clicked = counter.snapshot();
    for (let i = 0; i < EVENT_SAMPLE; i++) {
      const recorded = await engaged.engagement.recordEvent({ eventId: `click-${i}`, type: 'click', contactId: `c${i}`, accountId: 'acc', occurredAt: new Date(now.getTime() + 120_000).toISOString(), campaignId: 'cost-news', runId: 'r1', machine: false, detail: { tier: 'tier3', locale: 'en' } });
      if (!recorded) throw new Error(`cost bench: click ${i} was not recorded`);
    }
    await kpiStream.drain();
    const clicks = counter.since(clicked);
    const kpiCounters = await store.kpis.runCounters('cost-news', 'r1');
    if (kpiCounters?.totals.sent !== EVENT_SAMPLE || kpiCounters.totals.delivered !== EVENT_SAMPLE || kpiCounters.totals.openers !== EVENT_SAMPLE || kpiCounters.totals.clickers !== EVENT_SAMPLE) {
      throw new Error(`cost bench: the stream's consumer counted ${JSON.stringify(kpiCounters?.totals)}, not ${EVENT_SAMPLE} of each`);
    }
    const perEvent = (units: number) => round4(units / EVENT_SAMPLE);
    return { sentWru: perEvent(sentCounting.writeUnits), sentRru: perEvent(sentCounting.readUnits), sesWru: perEvent(ses.writeUnits), sesRru: perEvent(ses.readUnits), openWru: perEvent(opens.writeUnits), openRru: perEvent(opens.readUnits), clickWru: perEvent(clicks.writeUnits), clickRru: perEvent(clicks.readUnits) };
  } finally {
    await dynamo.stop();
  }
}
