/**
 * The whole HTTP app as the local runtime serves it (npm start, the demo): ingest API, the links in
 * emails, the webinar links, the Zoom webhook (queued to the in-process webinar queue) and the JSON
 * attendance endpoint, over the local engine. One place, so `npm start` and the demo serve the same.
 */
import type { Hono } from 'hono';
import type { Clock } from '../core/ports.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { importCatalogueOf, type ImportReport } from '../core/customers/import-customers.ts';
import { createHttpApp } from '../http/app.ts';
import { recordUsageSignals } from '../core/scoring/usage-event.ts';
import type { LocalEngine } from './engine-wiring.ts';
import { readDashboard } from '../core/reporting/dashboard.ts';
import { chartJsLoader, chartJsSourcePath } from '../adapters/fs/chart-library.ts';

export interface LocalHttpAppOptions {
  config: EngineConfig;
  clock: Clock;
  /** Base URL the app is served at (links on its pages). */
  baseUrl: string;
  tokenSecret: string;
  ingestToken: string;
  /** The Zoom app's webhook secret token (local file `.local/zoom-webhook-secret`). */
  zoomSecret: string;
  /** Signs the dashboard's login links and sessions (local file `.local/dashboard-secret`). */
  dashboardSecret: string;
  onImported?: (report: ImportReport) => Promise<void>;
  log?: (entry: Record<string, unknown>) => void;
}

export function localHttpApp(engine: LocalEngine, options: LocalHttpAppOptions): Hono {
  const { config, clock, tokenSecret } = options;
  return createHttpApp({
    customers: engine.store.customers,
    clock,
    ingestToken: options.ingestToken,
    catalogue: importCatalogueOf(config),
    pauses: engine.store.pauses,
    ...(options.onImported ? { onImported: options.onImported } : {}),
    tracking: {
      ...engine.store,
      engagement: engine.engagement,
      topics: config.topics,
      clock,
      tokenSecret,
      ...(options.log ? { log: options.log } : {}),
      webinarLinks: { ...engine.webinarDeps, customers: engine.store.customers, tokenSecret, baseUrl: options.baseUrl },
      surveyLinks: { surveys: config.surveys, customers: engine.store.customers, answers: engine.store.surveys, engagement: engine.engagement, clock, tokenSecret, ...(options.log ? { log: options.log } : {}) },
    },
    zoomWebhook: { secretToken: options.zoomSecret, queue: engine.webinarQueue, clock, ...(options.log ? { log: options.log } : {}) },
    webinarIngest: engine.webinarDeps,
    usageIngest: {
      usage: engine.store.usage,
      customers: engine.store.customers,
      clock,
      metrics: config.scoring.health.metrics,
      onRecorded: async (records) => void (await recordUsageSignals(records, engine.engagement)),
    },
    crmOutcomes: { pipeline: engine.store.pipeline, customers: engine.store.customers, clock },
    erasure: { customers: engine.store.customers, erasure: engine.store.erasure, clock },
    dashboard: {
      // Plain http on 127.0.0.1: a Secure cookie would never come back.
      auth: { secret: options.dashboardSecret, secureCookie: false, now: () => clock.now() },
      readView: (now) => readDashboard({ ...engine.store, config, maxSendRate: () => engine.mailer.maxSendRate() }, now),
      chartJs: chartJsLoader(chartJsSourcePath()),
    },
  });
}
