/**
 * What the bad-input suite fuzzes against: the whole HTTP app and the Lambda apps wired as the local
 * runtime wires them, over a DynamoDB Local table that holds a campaign really sent to a few
 * contacts (so genuine link tokens exist to forge from), the event handlers' use-case deps over the
 * same table, a count of every write (DynamoDB write commands and webinar-queue deliveries), and a
 * capture of every log line (console, stdout, stderr and the deps' `log` callbacks).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Hono } from 'hono';
import { chartJsLoader, chartJsSourcePath } from '../../adapters/fs/chart-library.ts';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { InProcessQueue } from '../../adapters/local/in-process-queue.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import { importCatalogueOf } from '../../core/customers/import-customers.ts';
import type { Store } from '../../core/ports.ts';
import { readDashboard } from '../../core/reporting/dashboard.ts';
import { engagementRecorderOf } from '../../core/scoring/record-engagement.ts';
import { recordUsageSignals } from '../../core/scoring/usage-event.ts';
import { dispatchCampaignRun } from '../../core/sending/dispatch-campaign.ts';
import { processSendBatch, type SenderDeps } from '../../core/sending/send-emails.ts';
import { signAnswerToken } from '../../core/surveys/answer-token.ts';
import { signToken } from '../../core/tracking/link-token.ts';
import type { SesEventDeps } from '../../core/tracking/ses-events/record-ses-event.ts';
import type { WebinarDeps } from '../../core/webinars/register-for-webinar.ts';
import type { WebinarEventQueue, ZoomDelivery } from '../../core/webinars/zoom-delivery.ts';
import { createHttpApp } from '../../http/app.ts';
import { createDashboardApp } from '../../http/dashboard-app.ts';
import { mintDashboardLink } from '../../http/dashboard-auth.ts';
import { createTrackingApp } from '../../http/tracking-app.ts';
import type { TrackingHttpDeps } from '../../http/tracking-deps.ts';
import { createZoomWebhookApp } from '../../lambdas/zoom-webhook/handler.ts';
import type { UsageEventsDeps } from '../../lambdas/usage-events/handler.ts';
import { DynamoRequestCounter } from '../../bench/dynamodb-request-counter.ts';
import { drainQueue, openConfig, RecordingMailer, senderDeps } from '../support/sending-fixtures.ts';
import { LogCapture } from './log-capture.ts';
import { PII_DOMAIN, PII_NAME } from './hostile-input.ts';

export const INGEST_TOKEN = 'fuzz-ingest-token-0123456789abcdef';
export const ZOOM_SECRET = 'fuzz-zoom-secret-token-0123456789';
export const DASHBOARD_SECRET = 'fuzz-dashboard-secret-0123456789abcdef';
/** Signs tokens as the engine's link secret would not: a token signed with it is forged. */
export const OTHER_SECRET = 'someone-else-s-link-secret-0123456789';

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand', 'PutCommand', 'UpdateCommand', 'DeleteCommand', 'BatchWriteCommand', 'TransactWriteCommand']);

/** The genuine capability tokens of one sent email (and webinar links signed for its contact). */
export interface GenuineTokens {
  open: string;
  click: string;
  unsubscribe: string;
  preferences: string;
  register: string;
  calendar: string;
  survey: string;
  /** A survey answer link's token (score 9). */
  answer: string;
  contactId: string;
}

export interface FuzzWorld {
  config: EngineConfig;
  store: Store;
  /** The whole app as `npm start` serves it. */
  app: Hono;
  /** The apps the tracking, dashboard and Zoom webhook functions serve in AWS. */
  lambdaApps: Array<{ name: string; app: Hono }>;
  tokens: GenuineTokens;
  /** The seeded campaign's run (a genuine send request names it). */
  runId: string;
  campaignId: string;
  /** A dashboard session cookie (`name=value`), as a login link would set it. */
  dashboardCookie: string;
  now: Date;
  logs: LogCapture;
  /** Writes so far: DynamoDB write commands plus webinar deliveries queued. */
  writes(): number;
  sesEventDeps: SesEventDeps;
  usageEventsDeps: UsageEventsDeps;
  webinarDeps: WebinarDeps;
  senderDeps: SenderDeps;
  mailer: RecordingMailer;
}

/** Seeds `tableName` (already created) and wires everything over it. The log capture is not started. */
export async function buildFuzzWorld(client: DynamoDBClient, tableName: string): Promise<FuzzWorld> {
  const counter = DynamoRequestCounter.attach(client);
  const store = createDynamoStore(client, tableName);
  const { config, campaign } = await openConfig();
  const now = new Date('2026-12-02T01:00:00Z');
  const clock = { now: () => now };
  const logs = new LogCapture();
  const log = logs.sink;
  const mailer = new RecordingMailer();
  const sending = { ...senderDeps(store, config, mailer, clock), log };

  await store.customers.upsertAccount({ accountId: 'fuzz-acc', name: `${PII_NAME} K.K.`, tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  for (const [contactId, locale] of [['fuzz-ja', 'ja'], ['fuzz-en', 'en']] as const) {
    await store.customers.upsertContact({ contactId, email: `${contactId}@${PII_DOMAIN}`, locale, accountId: 'fuzz-acc', firstName: PII_NAME, lastName: '<b>佐藤</b>', timeZone: 'Asia/Tokyo', consent: 'granted', topicsOptedOut: [] }, now);
  }
  const queue = new InProcessQueue();
  const { runId } = await dispatchCampaignRun(campaign, now, { ...store, runs: store.campaignRuns, config, queue, clock });
  await drainQueue(queue, sending, processSendBatch);
  const email = mailer.sent.find((sent) => sent.to === `fuzz-en@${PII_DOMAIN}`);
  if (!email) throw new Error(`fuzz world: the seeded campaign sent no email to fuzz-en (sent ${mailer.sent.length})`);
  const tokenIn = (pattern: RegExp, what: string) => {
    const found = pattern.exec(`${email.html}\n${email.headers.map((header) => header.value).join('\n')}`)?.[1];
    if (!found) throw new Error(`fuzz world: no ${what} link in the seeded email`);
    return found;
  };
  const webinar = config.webinars[0];
  const session = webinar?.sessions[0];
  if (!webinar || !session) throw new Error('fuzz world: the shipped config has no webinar session to sign links for');
  const webinarToken = (purpose: 'register' | 'calendar' | 'survey') => signToken({ purpose, messageId: webinar.id, runId: session.id, contactId: 'fuzz-en' }, sending.links.tokenSecret);
  const tokens: GenuineTokens = {
    open: tokenIn(/\/o\/([^"/]+)\.gif/, 'open pixel'),
    click: tokenIn(/\/c\/([^"/]+)"/, 'click'),
    unsubscribe: tokenIn(/\/u\/([^">/]+)>/, 'unsubscribe'),
    preferences: tokenIn(/\/p\/([^"/]+)"/, 'preferences'),
    register: webinarToken('register'),
    calendar: webinarToken('calendar'),
    survey: webinarToken('survey'),
    answer: signAnswerToken({ surveyId: config.surveys[0]?.id ?? 'nps', messageId: campaign.id, runId, contactId: 'fuzz-en', score: 9 }, sending.links.tokenSecret),
    contactId: 'fuzz-en',
  };

  const deliveries: ZoomDelivery[] = [];
  const zoomQueue: WebinarEventQueue = { enqueue: async (delivery) => void deliveries.push(delivery) };
  const engagement = { ...engagementRecorderOf(store, config.scoring, clock), recordUnplacedSesEvent: store.engagement.recordUnplacedSesEvent.bind(store.engagement) };
  const webinarDeps: WebinarDeps = { config, webinars: store.webinars, customers: store.customers, engagement, sends: store.sends, clock };
  const tokenSecret = sending.links.tokenSecret;
  const tracking: TrackingHttpDeps = {
    ...store,
    engagement,
    topics: config.topics,
    clock,
    tokenSecret,
    log,
    webinarLinks: { ...webinarDeps, customers: store.customers, tokenSecret, baseUrl: 'https://links.example.com' },
    surveyLinks: { surveys: config.surveys, customers: store.customers, answers: store.surveys, engagement, clock, tokenSecret, log },
  };
  const usageIngest = { usage: store.usage, customers: store.customers, clock, metrics: config.scoring.health.metrics, onRecorded: async (records: Parameters<typeof recordUsageSignals>[0]) => void (await recordUsageSignals(records, engagement)) };
  const dashboard = {
    auth: { secret: DASHBOARD_SECRET, secureCookie: false, now: () => now },
    readView: (at: Date) => readDashboard({ ...store, config, maxSendRate: () => mailer.maxSendRate() }, at),
    chartJs: chartJsLoader(chartJsSourcePath()),
  };
  const zoomWebhook = { secretToken: ZOOM_SECRET, queue: zoomQueue, clock, log };
  const app = createHttpApp({
    customers: store.customers,
    clock,
    ingestToken: INGEST_TOKEN,
    catalogue: importCatalogueOf(config),
    pauses: store.pauses,
    tracking,
    zoomWebhook,
    webinarIngest: webinarDeps,
    usageIngest,
    crmOutcomes: { pipeline: store.pipeline, customers: store.customers, clock },
    dashboard,
  });
  const dashboardCookie = await sessionCookieOf(app, now);

  return {
    config,
    store,
    app,
    lambdaApps: [
      { name: 'tracking function', app: createTrackingApp(tracking) },
      { name: 'dashboard function', app: createDashboardApp(dashboard, log) },
      { name: 'Zoom webhook function', app: createZoomWebhookApp(zoomWebhook) },
    ],
    tokens,
    runId,
    campaignId: campaign.id,
    dashboardCookie,
    now,
    logs,
    writes: () => Object.entries(counter.snapshot().byCommand).reduce((sum, [command, count]) => sum + (WRITE_COMMANDS.has(command) ? count : 0), 0) + deliveries.length,
    sesEventDeps: { sends: store.sends, engagement, suppressions: store.suppressions, customers: store.customers, topics: config.topics, tagSecret: tokenSecret },
    usageEventsDeps: { metrics: config.scoring.health.metrics, usage: store.usage, customers: store.customers, engagement, clock },
    webinarDeps,
    senderDeps: sending,
    mailer,
  };
}

/** Logs in through a genuine login link and returns the session cookie it sets. */
async function sessionCookieOf(app: Hono, now: Date): Promise<string> {
  const link = new URL(await mintDashboardLink(DASHBOARD_SECRET, 'http://localhost', now));
  const response = await app.request(`${link.pathname}${link.search}`);
  const cookie = response.headers.get('set-cookie')?.split(';', 1)[0];
  if (response.status !== 303 || !cookie) throw new Error(`fuzz world: the dashboard login answered ${response.status} without a session cookie`);
  return cookie;
}
