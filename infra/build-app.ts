/**
 * Assembles the CDK app from the validated team config: resolves the stage and the link
 * base URL, instantiates the stacks and wires cdk-nag in as a synth-time validation plugin.
 * Separate from `app.ts` so tests can build (and synthesize) the exact same app without
 * running the entry point.
 */
import { App, CrossStackReferences, ReferenceStrength, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTACT_LIST_PARTITIONS } from '../adapters/aws/dynamo/table-design.ts';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { DEFAULT_CRM_WEBHOOK_API_KEY_HEADER } from './crm-webhook.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export const DEFAULT_STAGE = 'dev';
/**
 * An example tracking domain, as in the docs. Without `-c linkBaseUrl=...` the links in emails use
 * the deployed HTTP API's own URL, so no placeholder ever reaches a customer; stage prod refuses
 * an example domain outright (links in sent mail must point at a domain the company owns).
 */
export const EXAMPLE_LINK_BASE_URL = 'https://links.example.com';
const EXAMPLE_DOMAINS = /(^|\.)example\.(com|org|net|jp)$/;

export interface BuildAppOptions {
  /** The team config, already validated (a bad config must never reach a stack). */
  readonly config: EngineConfig;
  /** Overrides the `stage` context value (`cdk synth -c stage=prod`). */
  readonly stage?: string;
  /** Passed through to the App, e.g. a temporary `outdir` or extra context in tests. */
  readonly appProps?: AppProps;
}

export interface BuiltApp {
  readonly app: App;
  readonly stage: string;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

export function buildApp(options: BuildAppOptions): BuiltApp {
  const app = new App(options.appProps);
  const stage = validateStage(options.stage ?? readStageContext(app));
  const linkBaseUrl = readLinkBaseUrl(app, stage);
  const alarmEmail = readAlarmEmail(app);
  const crmWebhook = readCrmWebhook(app);
  const senderSizing = readSenderSizing(app);
  const dispatchMaxWorkers = readDispatchMaxWorkers(app);
  // Strong (exports/imports), on purpose: CloudFormation then refuses to delete the storage
  // stack, or replace the table or secret, while the pipeline still uses them. Set before any
  // stack exists, as CDK requires.
  CrossStackReferences.of(app).consume(ReferenceStrength.STRONG);

  // No `env`: the stacks stay environment-agnostic so synth needs no AWS credentials.
  const stateful = new StatefulStack(app, `NurtureEngine-${stage}-Stateful`, {
    stage,
    generateCrmWebhookApiKey: crmWebhook !== undefined && crmWebhook.secretArn === undefined,
    description: `Nurture engine storage and event bus (${stage})`,
  });
  const crmWebhookApiKeySecretArn = crmWebhook?.secretArn ?? stateful.crmWebhookApiKeySecret?.secretArn;
  const stateless = new StatelessStack(app, `NurtureEngine-${stage}-Stateless`, {
    stage,
    config: options.config,
    table: stateful.table,
    linkSecret: stateful.linkSecret,
    ingestTokenSecret: stateful.ingestTokenSecret,
    dashboardSecret: stateful.dashboardSecret,
    zoomWebhookSecret: stateful.zoomWebhookSecret,
    eventBus: stateful.eventBus.bus,
    ...(crmWebhook === undefined || crmWebhookApiKeySecretArn === undefined
      ? {}
      : { crmWebhook: { url: crmWebhook.url, apiKeySecretArn: crmWebhookApiKeySecretArn, apiKeyHeader: crmWebhook.apiKeyHeader } }),
    ...(linkBaseUrl === undefined ? {} : { linkBaseUrl }),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    senderSizing,
    ...(dispatchMaxWorkers === undefined ? {} : { dispatchMaxWorkers }),
    description: `Nurture engine pipeline: schedules, dispatcher, send queue, sender, SES events, tracking and ingest API, Zoom webhooks, CSQL event publishing (${stage})`,
  });

  // Cost allocation and ownership per stage without touching each construct.
  Tags.of(app).add('project', 'nurture-engine');
  Tags.of(app).add('stage', stage);

  // cdk-nag 3 is a policy-validation plugin: any unacknowledged finding, warning or error, fails synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  return { app, stage, stateful, stateless };
}

function readStageContext(app: App): string {
  const raw: unknown = app.node.tryGetContext('stage');
  return raw === undefined ? DEFAULT_STAGE : String(raw);
}

/** `-c linkBaseUrl=https://links.company.com`; undefined when not given (the API's own URL is used). */
function readLinkBaseUrl(app: App, stage: string): string | undefined {
  const raw: unknown = app.node.tryGetContext('linkBaseUrl');
  if (raw === undefined || raw === '') return undefined;
  const value = String(raw);
  // Every tracking and unsubscribe link in every email starts with this: refuse a typo at synth.
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Invalid linkBaseUrl "${value}": expected an absolute https URL like ${EXAMPLE_LINK_BASE_URL}`);
  }
  if (url.protocol !== 'https:') throw new Error(`Invalid linkBaseUrl "${value}": links in email must use https`);
  if (stage === 'prod' && EXAMPLE_DOMAINS.test(url.hostname)) {
    throw new Error(`Invalid linkBaseUrl "${value}" for stage prod: an example domain in every customer's email; pass your tracking domain, or leave it out to use the deployed API's URL`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * `-c sesMaxSendRate=1000 -c sesLatencyMs=80 -c senderLambdaConcurrency=200`: the SES account's
 * quota, SES's measured latency (p95, ms; the sender's SES latency in the bench or CloudWatch) and
 * the Lambda concurrency the sender may take; each left out keeps its default (DEFAULT_SENDER_SIZING).
 */
function readSenderSizing(app: App): { maxSendRate?: number; sesLatencyMs?: number; lambdaConcurrencyAvailable?: number } {
  const positive = (name: string, example: string): number | undefined => {
    const raw: unknown = app.node.tryGetContext(name);
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    // A typo would size the sender for the wrong account: too slow, or throttled by SES all day.
    if (!Number.isFinite(value) || value <= 0) throw new Error(`Invalid ${name} "${String(raw)}": expected a positive number like ${example}`);
    return value;
  };
  const maxSendRate = positive('sesMaxSendRate', '1000 (emails per second, SES console: sending quota)');
  const sesLatencyMs = positive('sesLatencyMs', '80 (milliseconds, p95 of SendEmail)');
  const lambdaConcurrencyAvailable = positive('senderLambdaConcurrency', '200');
  return {
    ...(maxSendRate === undefined ? {} : { maxSendRate }),
    ...(sesLatencyMs === undefined ? {} : { sesLatencyMs }),
    ...(lambdaConcurrencyAvailable === undefined ? {} : { lambdaConcurrencyAvailable }),
  };
}

/**
 * `-c dispatchMaxWorkers=64`: a campaign run's dispatch workers at most (and the dispatcher's
 * concurrency on the shard queue); absent, DEFAULT_DISPATCH_MAX_WORKERS. SQS event sources take 2
 * at least, and a run never has more workers than the contact listing has partitions.
 */
function readDispatchMaxWorkers(app: App): number | undefined {
  const raw: unknown = app.node.tryGetContext('dispatchMaxWorkers');
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 2 || value > CONTACT_LIST_PARTITIONS) {
    throw new Error(`Invalid dispatchMaxWorkers "${String(raw)}": expected a whole number from 2 to ${CONTACT_LIST_PARTITIONS} (the contact listing's partitions), like 64`);
  }
  return value;
}

/** `-c alarmEmail=ops@example.com`: subscribed to the alarm topic; absent, the topic has no subscription. */
function readAlarmEmail(app: App): string | undefined {
  const raw: unknown = app.node.tryGetContext('alarmEmail');
  if (raw === undefined || raw === '') return undefined;
  const value = String(raw).trim();
  // A typo here means alarms reach nobody, silently: refuse it at synth.
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new Error(`Invalid alarmEmail "${value}": expected an email address like ops@example.com`);
  return value;
}

/** `-c csqlWebhookUrl=https://...` (+ `csqlWebhookSecretArn`, `csqlWebhookApiKeyHeader`): the CRM hand-off of CSQL promotions; absent, none. */
function readCrmWebhook(app: App): { url: string; secretArn?: string; apiKeyHeader: string } | undefined {
  const text = (name: string): string | undefined => {
    const raw: unknown = app.node.tryGetContext(name);
    return raw === undefined || raw === '' ? undefined : String(raw).trim();
  };
  const url = text('csqlWebhookUrl');
  const secretArn = text('csqlWebhookSecretArn');
  const apiKeyHeader = text('csqlWebhookApiKeyHeader') ?? DEFAULT_CRM_WEBHOOK_API_KEY_HEADER;
  if (url === undefined) {
    // A key with nowhere to go is a typo in the other option's name: say so rather than deploy nothing.
    if (secretArn !== undefined) throw new Error('csqlWebhookSecretArn is given without csqlWebhookUrl: pass -c csqlWebhookUrl=https://... too, or drop it');
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Invalid csqlWebhookUrl "${url}": expected an absolute https URL like https://crm.example.com/hooks/csql`);
  }
  // EventBridge API destinations call https endpoints only.
  if (parsed.protocol !== 'https:') throw new Error(`Invalid csqlWebhookUrl "${url}": EventBridge API destinations call https endpoints only`);
  if (secretArn !== undefined && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/.test(secretArn)) {
    throw new Error(`Invalid csqlWebhookSecretArn "${secretArn}": expected a Secrets Manager secret ARN like arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:crm-webhook-key`);
  }
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(apiKeyHeader)) throw new Error(`Invalid csqlWebhookApiKeyHeader "${apiKeyHeader}": expected an HTTP header name like x-api-key`);
  return { url, apiKeyHeader, ...(secretArn === undefined ? {} : { secretArn }) };
}

function validateStage(stage: string): string {
  // The stage ends up in stack names and tags; fail early with a clearer message than CloudFormation's.
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(stage)) {
    throw new Error(`Invalid stage "${stage}": use lowercase letters, digits and dashes, starting with a letter`);
  }
  return stage;
}
