/**
 * Bench `reporting`: what a campaign report costs as sends grow, against DynamoDB Local.
 *
 * - `report.requests_1000_sends` / `report.requests_100000_sends`: DynamoDB requests of
 *   `npm run report -- campaign <id>` (core/reporting/kpi-report.ts) for a campaign of 4 runs whose
 *   emails went to 1,000 and to 100,000 contacts. Equal: the report reads the runs' counter items,
 *   never sends or events. `report.ms_1000_sends` / `report.ms_100000_sends`: its wall time.
 * - Baseline in the same run (`report.scan_requests_1000_sends`, `report.scan_ms_1000_sends`): the
 *   same KPIs computed the old way, scanning the run's sends and the campaign's events
 *   (core/reporting/campaign-kpis.ts), for 1,000 sends; it grows with the sends (and the events
 *   expire after 400 days). Ratios: counters at 100,000 sends over counters at 1,000 (target 1), and
 *   the scan's requests over the counters' at 1,000 sends.
 *
 * Seeding: 1,000 sends and their delivery and open events go through the real write paths (the
 * sender's markSent transaction, the engagement path). For 100,000 the counter items are written as
 * those writes leave them (one ADD per run with the same totals per tier and locale): the report
 * reads only these items, and writing 300,000 transactions would take the bench most of an hour.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { kpiTransactItems } from '../adapters/aws/dynamo/kpi-store.ts';
import { mapBounded } from '../core/bounded-parallel.ts';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import type { Store } from '../core/ports.ts';
import { campaignKpis } from '../core/reporting/campaign-kpis.ts';
import { kpiRows, runsOf } from '../core/reporting/kpi-report.ts';
import { recordEngagement } from '../core/scoring/record-engagement.ts';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import type { Figures } from './bench.ts';
import { DynamoRequestCounter } from './dynamodb-request-counter.ts';
import { median, round1, round3 } from './figure-math.ts';

export const name = 'reporting';
/** The figure names. */
export const figurePrefixes = ['report'] as const;

const ROOT = new URL('..', import.meta.url).pathname;
const CAMPAIGN = 'monthly-newsletter';
const RUNS = ['20260902T010000Z', '20261002T010000Z', '20261102T010000Z', '20261202T010000Z'];
const TIERS = ['tier1', 'tier2', 'tier3'] as const;
const LOCALES = ['ja', 'en'] as const;
const ROUNDS = 5;

export async function run(): Promise<Figures> {
  const config = await loadConfigOrThrow(defaultConfigLocation(ROOT));
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client: DynamoDBClient = localDynamoClient(dynamo.endpoint);
  try {
    const counter = DynamoRequestCounter.attach(client);
    const measure = async (work: () => Promise<unknown>) => {
      const requests: number[] = [];
      const ms: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const before = counter.snapshot();
        const started = performance.now();
        await work();
        ms.push(performance.now() - started);
        requests.push(counter.since(before).commands);
      }
      return { requests: median(requests), ms: median(ms) };
    };
    const report = (store: Store) => async () => kpiRows(await runsOf([CAMPAIGN], {}, store.kpis), 'run');

    // 1,000 sends through the real write paths.
    await ensureTable(client, 'bench-report-1000');
    const small = createDynamoStore(client, 'bench-report-1000');
    await seedThroughPaths(small, config.scoring, 1_000);
    const smallReport = await measure(report(small));
    const rows = await report(small)();
    const total = rows.at(-1)?.counts;
    if (total?.sent !== 1_000) throw new Error(`bench reporting: the report counts ${total?.sent} sent, not 1,000`);
    const scan = await measure(async () => {
      const sends = (await Promise.all(RUNS.map((runId) => small.sends.listSendsOfRun(CAMPAIGN, runId)))).flat();
      return campaignKpis(sends.filter((send) => send.state === 'sent').length, await small.engagement.listEventsOfCampaign(CAMPAIGN));
    });

    // 100,000 sends: the counter items as those writes leave them.
    await ensureTable(client, 'bench-report-100000');
    const large = createDynamoStore(client, 'bench-report-100000');
    await seedCounters(client, 'bench-report-100000', 100_000);
    const largeReport = await measure(report(large));
    const largeTotal = (await report(large)()).at(-1)?.counts;
    if (largeTotal?.sent !== 100_000) throw new Error(`bench reporting: the report counts ${largeTotal?.sent} sent, not 100,000`);

    console.log(`campaign report, ${RUNS.length} runs: 1,000 sends ${smallReport.requests} requests in ${round1(smallReport.ms)} ms; 100,000 sends ${largeReport.requests} requests in ${round1(largeReport.ms)} ms`);
    console.log(`baseline, a scan of the sends and events (1,000 sends): ${scan.requests} requests in ${round1(scan.ms)} ms`);
    return {
      'report.requests_1000_sends': smallReport.requests,
      'report.requests_100000_sends': largeReport.requests,
      'report.requests_ratio_100000_vs_1000': round3(largeReport.requests / smallReport.requests),
      'report.ms_1000_sends': round1(smallReport.ms),
      'report.ms_100000_sends': round1(largeReport.ms),
      'report.scan_requests_1000_sends': scan.requests,
      'report.scan_ms_1000_sends': round1(scan.ms),
      'report.scan_vs_counters_requests_1000': round3(scan.requests / smallReport.requests),
    };
  } finally {
    await dynamo.stop();
  }
}

/** `sends` sends spread over the runs, each delivered, every third opened: the sender's and the engagement path's own writes. */
async function seedThroughPaths(store: Store, scoring: Parameters<typeof recordEngagement>[1]['scoring'], sends: number): Promise<void> {
  const now = new Date('2026-12-05T00:00:00Z');
  const path = { engagement: store.engagement, scores: store.scores, scoring, clock: { now: () => now } };
  await mapBounded(
    Array.from({ length: sends }, (_, index) => index),
    16,
    async (index) => {
      const runId = RUNS[index % RUNS.length] as string;
      const contactId = `c${index}`;
      const segment = { tier: TIERS[index % TIERS.length] as string, locale: LOCALES[index % LOCALES.length] as string };
      const ref = { campaignId: CAMPAIGN, runId, contactId };
      await store.sends.claimSend({ ...ref, accountId: `a${index % 200}`, ...segment, state: 'claimed', claimedAt: now.toISOString() });
      await store.sends.markSent(ref, `ses-${index}`, now, segment);
      const base = { contactId, accountId: `a${index % 200}`, occurredAt: now.toISOString(), campaignId: CAMPAIGN, runId, machine: false, detail: segment };
      await recordEngagement({ ...base, eventId: `delivery-${index}`, type: 'delivery' }, path);
      if (index % 3 === 0) await recordEngagement({ ...base, eventId: `open-${index}`, type: 'open' }, path);
    },
  );
}

/** The counter items `seedThroughPaths` would leave for `sends` sends, one ADD per run and segment. */
async function seedCounters(client: DynamoDBClient, tableName: string, sends: number): Promise<void> {
  const doc = DynamoDBDocumentClient.from(client);
  const at = '2026-12-05T00:00:00.000Z';
  for (const [runIndex, runId] of RUNS.entries()) {
    for (const [tierIndex, tier] of TIERS.entries()) {
      for (const [localeIndex, locale] of LOCALES.entries()) {
        // How many of this run's sends have this tier and locale (the same round-robin as seedThroughPaths).
        let count = 0;
        let opened = 0;
        for (let index = runIndex; index < sends; index += RUNS.length) {
          if (index % TIERS.length === tierIndex && index % LOCALES.length === localeIndex) {
            count += 1;
            if (index % 3 === 0) opened += 1;
          }
        }
        if (count === 0) continue;
        const move = { run: { messageId: CAMPAIGN, runId }, segment: { tier, locale }, add: { sent: count, delivered: count, opens: opened, openers: opened }, firsts: [], contactId: 'bench' };
        await doc.send(new TransactWriteCommand({ TransactItems: kpiTransactItems(tableName, move, at, new Set()) }));
      }
    }
  }
}
