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
 * - `dashboard.first_load_ms`: GET /dashboard in headless Chromium (a fresh browser context each
 *   round, so nothing is cached), from navigation to the charts drawn (`data-ready`), over the
 *   100,000-send table plus 200 accounts (20 of them with an MRR change in the last 90 days); the dashboard reads every
 *   campaign's counters, the webinars' sessions, the CSQLs and the revenue histories on each load.
 *   `dashboard.view_ms`: the same view read in-process (no HTTP, no browser). Ratio: the page load
 *   over the campaign report's read at 100,000 sends (the baseline above, same run).
 *
 * Seeding: 1,000 sends and their delivery and open events go through the real write paths (the
 * sender's markSent transaction, the engagement path). For 100,000 the counter items are written as
 * those writes leave them (one ADD per run with the same totals per tier and locale): the report
 * reads only these items, and writing 300,000 transactions would take the bench most of an hour.
 */
import { existsSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { chromium } from 'playwright-core';
import { chartJsLoader, chartJsSourcePath } from '../adapters/fs/chart-library.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { readDashboard } from '../core/reporting/dashboard.ts';
import { mintDashboardLink } from '../http/dashboard-auth.ts';
import { dashboardRoutes } from '../http/dashboard-routes.ts';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { DynamoKpiBatchStore } from '../adapters/aws/dynamo/kpi-batch-store.ts';
import { DynamoTable } from '../adapters/aws/dynamo/dynamo-table.ts';
import { counterAttributes } from '../core/reporting/kpi-counters.ts';
import { mapBounded } from '../core/bounded-parallel.ts';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import type { Store } from '../core/ports.ts';
import { campaignEventsOf, campaignKpis } from '../core/reporting/campaign-kpis.ts';
import { kpiRows, runsOf } from '../core/reporting/kpi-report.ts';
import { recordEngagement } from '../core/scoring/record-engagement.ts';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { openLocalKpiStream } from '../local/kpi-stream.ts';
import { freePort } from '../local/ports.ts';
import type { Figures } from './bench.ts';
import { DynamoRequestCounter } from './dynamodb-request-counter.ts';
import { median, round1, round3 } from './figure-math.ts';

export const name = 'reporting';
/** The figure names. */
export const figurePrefixes = ['report', 'dashboard'] as const;

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
    // The counters move from the table's stream, as the KpiCounters function moves them in AWS.
    await (await openLocalKpiStream({ client, endpoint: dynamo.endpoint, tableName: 'bench-report-1000' })).drain();
    const smallReport = await measure(report(small));
    const rows = await report(small)();
    const total = rows.at(-1)?.counts;
    if (total?.sent !== 1_000) throw new Error(`bench reporting: the report counts ${total?.sent} sent, not 1,000`);
    const scan = await measure(async () => {
      const sends = (await Promise.all(RUNS.map((runId) => small.sends.listSendsOfRun(CAMPAIGN, runId)))).flat();
      return campaignKpis(sends.filter((send) => send.state === 'sent').length, await campaignEventsOf(CAMPAIGN, sends.map((send) => send.contactId), small.engagement));
    });

    // 100,000 sends: the counter items as those writes leave them.
    await ensureTable(client, 'bench-report-100000');
    const large = createDynamoStore(client, 'bench-report-100000');
    await seedCounters(client, 'bench-report-100000', 100_000);
    const largeReport = await measure(report(large));
    const largeTotal = (await report(large)()).at(-1)?.counts;
    if (largeTotal?.sent !== 100_000) throw new Error(`bench reporting: the report counts ${largeTotal?.sent} sent, not 100,000`);

    const dashboard = await measureDashboardLoad(large, config);

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
      'dashboard.first_load_ms': round1(dashboard.firstLoadMs),
      'dashboard.view_ms': round1(dashboard.viewMs),
      'dashboard.first_load_vs_report_read': round3(dashboard.firstLoadMs / largeReport.ms),
    };
  } finally {
    await dynamo.stop();
  }
}

const CHROMIUM = '/usr/bin/chromium';
const DASHBOARD_SECRET = 'bench-dashboard-secret-0123456789abcdef';

/** Median first load of the dashboard page in a cold browser context, and of its view read in-process. */
async function measureDashboardLoad(store: Store, config: EngineConfig): Promise<{ firstLoadMs: number; viewMs: number }> {
  if (!existsSync(CHROMIUM)) throw new Error(`bench reporting: dashboard.first_load_ms needs Debian's Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  // Customers since June; one in ten changed its MRR during the dashboard's 90 days (a typical quarter).
  const account = (index: number, mrr: number) => ({ accountId: `acc-${index}`, name: `Account ${index}`, tier: TIERS[index % 3] as (typeof TIERS)[number], plan: 'standard', products: ['core'], phase: 'adoption' as const, mrr, currency: index % 2 ? 'USD' : 'JPY' });
  await mapBounded(Array.from({ length: 200 }, (_, index) => index), 16, (index) => store.customers.upsertAccount(account(index, 1000 + index), new Date('2026-06-01T00:00:00Z')));
  await mapBounded(Array.from({ length: 20 }, (_, index) => index * 10), 16, (index) => store.customers.upsertAccount(account(index, 1500 + index), new Date('2026-11-15T00:00:00Z')));
  const clock = { now: () => new Date('2026-12-10T00:00:00Z') };
  const readView = (now: Date) => readDashboard({ ...store, config }, now);
  const viewMs: number[] = [];
  await readView(clock.now());
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    await readView(clock.now());
    viewMs.push(performance.now() - started);
  }
  const app = new Hono();
  app.route('/dashboard', dashboardRoutes({ auth: { secret: DASHBOARD_SECRET, secureCookie: false, now: clock.now }, readView, chartJs: chartJsLoader(chartJsSourcePath()) }));
  const port = await freePort();
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const loads: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const link = await mintDashboardLink(DASHBOARD_SECRET, `http://127.0.0.1:${port}`, clock.now());
      const started = performance.now();
      await page.goto(link);
      await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
      loads.push(performance.now() - started);
      const sent = (await page.locator('#email-kpis tr[data-email="total"] td[data-kpi="sent"]').textContent())?.replace(/,/gu, '');
      if (sent !== '100000') throw new Error(`bench reporting: the dashboard shows ${sent} sent, not 100,000`);
      await context.close();
    }
    console.log(`dashboard first load (cold browser context, to charts drawn): ${round1(median(loads))} ms; its view read in-process: ${round1(median(viewMs))} ms`);
    return { firstLoadMs: median(loads), viewMs: median(viewMs) };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
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
  const batches = new DynamoKpiBatchStore(new DynamoTable(client, tableName));
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
        // What the change stream's consumer would apply for these sends and events, as one batch.
        const add = counterAttributes({ sent: count, delivered: count, opens: opened, openers: opened }, { tier, locale });
        await batches.applyDelta(`seed-${runId}-${tier}-${locale}`, undefined, { counter: { kind: 'run', run: { messageId: CAMPAIGN, runId } }, add, firstAt: at, lastAt: at });
      }
    }
  }
}
