/**
 * Assembles the CDK app from the validated team config: resolves the stage and the link
 * base URL, instantiates the stacks and wires cdk-nag in as a synth-time validation plugin.
 * Separate from `app.ts` so tests can build (and synthesize) the exact same app without
 * running the entry point.
 */
import { App, CrossStackReferences, ReferenceStrength, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export const DEFAULT_STAGE = 'dev';
/**
 * Placeholder until a real tracking domain is passed (`cdk deploy -c linkBaseUrl=https://...`):
 * the public URL of the tracking HTTP API (its custom domain in production, or the
 * `TrackingApiUrl` output of a first deploy).
 */
export const DEFAULT_LINK_BASE_URL = 'https://links.example.com';

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
  const linkBaseUrl = readLinkBaseUrl(app);
  // Strong (exports/imports), on purpose: CloudFormation then refuses to delete the storage
  // stack, or replace the table or secret, while the pipeline still uses them. Set before any
  // stack exists, as CDK requires.
  CrossStackReferences.of(app).consume(ReferenceStrength.STRONG);

  // No `env`: the stacks stay environment-agnostic so synth needs no AWS credentials.
  const stateful = new StatefulStack(app, `NurtureEngine-${stage}-Stateful`, {
    stage,
    description: `Nurture engine storage (${stage})`,
  });
  const stateless = new StatelessStack(app, `NurtureEngine-${stage}-Stateless`, {
    stage,
    config: options.config,
    table: stateful.table,
    linkSecret: stateful.linkSecret,
    ingestTokenSecret: stateful.ingestTokenSecret,
    linkBaseUrl,
    description: `Nurture engine pipeline: schedules, dispatcher, send queue, sender, SES events, tracking and ingest API (${stage})`,
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

function readLinkBaseUrl(app: App): string {
  const raw: unknown = app.node.tryGetContext('linkBaseUrl');
  const value = raw === undefined ? DEFAULT_LINK_BASE_URL : String(raw);
  // Every tracking and unsubscribe link in every email starts with this: refuse a typo at synth.
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Invalid linkBaseUrl "${value}": expected an absolute https URL like ${DEFAULT_LINK_BASE_URL}`);
  }
  if (url.protocol !== 'https:') throw new Error(`Invalid linkBaseUrl "${value}": links in email must use https`);
  return value.replace(/\/+$/, '');
}

function validateStage(stage: string): string {
  // The stage ends up in stack names and tags; fail early with a clearer message than CloudFormation's.
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(stage)) {
    throw new Error(`Invalid stage "${stage}": use lowercase letters, digits and dashes, starting with a letter`);
  }
  return stage;
}
