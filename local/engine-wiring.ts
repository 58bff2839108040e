/**
 * The local composition root: the same use cases and AWS adapters as in Lambda, wired to
 * DynamoDB Local, the SES emulator, the in-process queue and sender workers, the in-process
 * scheduler and the given clock. Used by `npm start` and the demo.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { SesMailer } from '../adapters/aws/ses-mailer.ts';
import { InProcessQueue } from '../adapters/local/in-process-queue.ts';
import { SenderWorkers } from '../adapters/local/sender-workers.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import type { Clock, EngagementRecorder, EngagementStore, Scheduler, Store } from '../core/ports.ts';
import { engagementRecorderOf } from '../core/scoring/record-engagement.ts';
import type { UnplacedSesEvent } from '../core/tracking/ses-events/unplaced-ses-event.ts';
import { TemplateCompiler } from '../core/rendering/template-compiler.ts';
import { dispatchCampaignRun, type DispatchOutcome } from '../core/sending/dispatch-campaign.ts';
import { frequencyCaps } from '../core/sending/guardrails.ts';
import { releaseDeferredSends } from '../core/sending/release-deferred.ts';
import { advanceDueEnrollments, type StepOutcome } from '../core/sequences/advance-enrollments.ts';
import { enrollAccounts } from '../core/sequences/enroll-contacts.ts';
import type { WebinarDeps } from '../core/webinars/register-for-webinar.ts';
import { sweepWebinars, type SweepOutcome } from '../core/webinars/webinar-sweep.ts';
import { processZoomDelivery } from '../core/webinars/zoom-delivery.ts';
import { InProcessWebinarQueue } from '../adapters/local/in-process-webinar-queue.ts';
import { InProcessBus } from '../adapters/local/in-process-bus.ts';
import { publishOutbox } from '../core/qualification/publish-outbox.ts';
import { qualifyAllAccounts, type QualifyOutcome } from '../core/qualification/qualify-accounts.ts';
import { LOCAL_AWS } from './dynamodb-local.ts';
import { openLocalKpiStream, type LocalKpiStream } from './kpi-stream.ts';
import { reputationGuardOf } from '../core/sending/reputation-guard.ts';

export interface LocalEngine {
  store: Store;
  queue: InProcessQueue;
  workers: SenderWorkers;
  mailer: SesMailer;
  dispatch(campaignId: string, scheduledFor: Date): Promise<DispatchOutcome>;
  releaseDeferred(): Promise<number>;
  /** Enrolls the not-yet-enrolled contacts of these accounts in the sequences their phase enters. */
  enroll(accountIds: readonly string[]): Promise<number>;
  advanceSequences(): Promise<Map<StepOutcome, number>>;
  /** The one engagement path (events recorded with their score moves), plus the unplaced-SES-event record. */
  engagement: EngagementRecorder & Pick<EngagementStore, 'recordUnplacedSesEvent'>;
  /** What the webinar use cases need (registration, attendance, session changes). */
  webinarDeps: WebinarDeps;
  /** Zoom webhooks the route accepted, processed in the background (SQS + function in AWS). */
  webinarQueue: InProcessWebinarQueue;
  /** Joins unmatched registrants, finalizes sessions whose follow-ups are due without an end signal. */
  sweepWebinars(): Promise<SweepOutcome>;
  /** Evaluates every account against the CSQL rules (promotes, demotes), then publishes the outbox. */
  qualify(): Promise<QualifyOutcome[]>;
  /** Events that left the engine (`AccountQualifiedAsCsql`, ...): the local stand-in for EventBridge. */
  bus: InProcessBus;
  /** The KPI counters' consumer of the table's stream (the KpiCounters function in AWS): start() it, or drain() before reading counters. */
  kpiStream: LocalKpiStream;
  /** Adds a job per active campaign, the deferred-send release job, the sequence job and the webinar sweep; returns the campaign count. */
  scheduleJobs(scheduler: Scheduler): number;
}

export interface LocalEngineOptions {
  client: DynamoDBClient;
  tableName: string;
  /** DynamoDB Local's endpoint: the KPI consumer reads the table's stream there. */
  dynamoEndpoint: string;
  /** Where the KPI consumer keeps the stream position (the data folder's file); default: in memory. */
  streamPositionsFile?: string;
  sesEndpoint: string;
  config: EngineConfig;
  clock: Clock;
  /** Base URL of the local HTTP app, for unsubscribe and preference links. */
  linkBaseUrl: string;
  tokenSecret: string;
  senderWorkers?: number;
  onDispatch?: (campaignId: string, outcome: DispatchOutcome) => void;
  log?: (entry: Record<string, unknown>) => void;
}

/** Every minute: how often parked sends are checked (EventBridge Scheduler runs it every minute in AWS too). */
export const RELEASE_SCHEDULE = { cron: '* * * * *', timezone: 'UTC' } as const;

/** Every 15 minutes: CSQL evaluation of every account, then the outbox published to the local bus. */
export const QUALIFY_SCHEDULE = { cron: '*/15 * * * *', timezone: 'UTC' } as const;

export async function wireLocalEngine(options: LocalEngineOptions): Promise<LocalEngine> {
  const store = createDynamoStore(options.client, options.tableName);
  const queue = new InProcessQueue({ visibilityTimeoutMs: 30_000, maxReceiveCount: 5 });
  const ses = new SESv2Client({ ...LOCAL_AWS, endpoint: options.sesEndpoint, maxAttempts: 1 });
  const mailer = new SesMailer(ses);
  const workers = new SenderWorkers(
    queue,
    {
      config: options.config,
      customers: store.customers,
      sends: store.sends,
      strandedClaims: store.strandedClaims,
      suppressions: store.suppressions,
      pauses: store.pauses,
      webinars: store.webinars,
      mailer,
      compiler: new TemplateCompiler(options.config.templates),
      clock: options.clock,
      links: { baseUrl: options.linkBaseUrl, tokenSecret: options.tokenSecret },
      newClaimToken: randomUUID,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...(options.log ? { log: options.log } : {}),
    },
    { workers: options.senderWorkers ?? 4, maxSendRate: await mailer.maxSendRate() },
  );
  const dispatchDeps = { ...store, runs: store.campaignRuns, config: options.config, queue, clock: options.clock };
  const engagement = { ...engagementRecorderOf(store, options.config.scoring, options.clock), recordUnplacedSesEvent: (event: UnplacedSesEvent) => store.engagement.recordUnplacedSesEvent(event) };
  const webinarDeps: WebinarDeps = { config: options.config, webinars: store.webinars, customers: store.customers, engagement, sends: store.sends, clock: options.clock };
  const bus = new InProcessBus({ ...(options.log ? { log: options.log } : {}) });
  const webinarQueue = new InProcessWebinarQueue({ process: (delivery) => processZoomDelivery(delivery, webinarDeps), ...(options.log ? { log: options.log } : {}) });
  const kpiStream = await openLocalKpiStream({
    client: options.client,
    endpoint: options.dynamoEndpoint,
    tableName: options.tableName,
    ...(options.streamPositionsFile ? { positionsFile: options.streamPositionsFile } : {}),
    // A campaign (or all sending) whose bounce or complaint rate crosses the limits pauses itself, as in AWS.
    reputation: reputationGuardOf(store, options.config, options.clock),
    onOutcome: (outcome) => {
      if (outcome.autoPaused.length === 0) return;
      const entry = { level: 'ERROR', message: 'reputation auto-pause: sending paused until resumed explicitly (npm run resume)', pauses: outcome.autoPaused };
      if (options.log) options.log(entry);
      else console.error(JSON.stringify(entry));
    },
    ...(options.log ? { logger: options.log } : {}),
  });
  const engine: LocalEngine = {
    store,
    kpiStream,
    queue,
    workers,
    mailer,
    engagement,
    async dispatch(campaignId, scheduledFor) {
      const campaign = options.config.campaigns.find((candidate) => candidate.id === campaignId);
      if (!campaign) throw new Error(`no campaign '${campaignId}' in the config`);
      const outcome = await dispatchCampaignRun(campaign, scheduledFor, dispatchDeps);
      options.onDispatch?.(campaignId, outcome);
      return outcome;
    },
    releaseDeferred: () => releaseDeferredSends({ sends: store.sends, pauses: store.pauses, queue, clock: options.clock, caps: frequencyCaps(options.config.guardrails) }),
    enroll: (accountIds) => enrollAccounts(accountIds, { ...store, config: options.config, clock: options.clock }),
    advanceSequences: () => advanceDueEnrollments({ ...store, config: options.config, queue, clock: options.clock }),
    webinarDeps,
    webinarQueue,
    sweepWebinars: () => sweepWebinars(webinarDeps),
    bus,
    async qualify() {
      const outcomes = await qualifyAllAccounts({ ...store, config: options.config, clock: options.clock });
      await publishOutbox({ csql: store.csql, bus });
      return outcomes;
    },
    scheduleJobs(scheduler) {
      const active = options.config.campaigns.filter((campaign) => campaign.status === 'active');
      for (const campaign of active) {
        scheduler.add({ id: campaign.id, schedule: campaign.schedule, run: async (scheduledFor) => void (await engine.dispatch(campaign.id, scheduledFor)) });
      }
      scheduler.add({ id: 'release-deferred-sends', schedule: RELEASE_SCHEDULE, run: async () => void (await engine.releaseDeferred()) });
      scheduler.add({ id: 'advance-sequences', schedule: RELEASE_SCHEDULE, run: async () => void (await engine.advanceSequences()) });
      scheduler.add({ id: 'webinar-sweep', schedule: RELEASE_SCHEDULE, run: async () => void (await engine.sweepWebinars()) });
      scheduler.add({ id: 'csql', schedule: QUALIFY_SCHEDULE, run: async () => void (await engine.qualify()) });
      return active.length;
    },
  };
  return engine;
}
