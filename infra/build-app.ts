/**
 * Assembles the CDK app: resolves the stage, instantiates the stacks and wires
 * cdk-nag in as a synth-time validation plugin. Separate from `app.ts` so tests
 * can build (and synthesize) the exact same app without running the entry point.
 */
import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StatefulStack } from './stateful-stack.ts';

export const DEFAULT_STAGE = 'dev';

export interface BuildAppOptions {
  /** Overrides the `stage` context value (`cdk synth -c stage=prod`). */
  readonly stage?: string;
  /** Passed through to the App, e.g. a temporary `outdir` or extra context in tests. */
  readonly appProps?: AppProps;
}

export interface BuiltApp {
  readonly app: App;
  readonly stage: string;
  readonly stateful: StatefulStack;
}

export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const app = new App(options.appProps);
  const stage = validateStage(options.stage ?? readStageContext(app));

  // No `env`: the stacks stay environment-agnostic so synth needs no AWS credentials.
  const stateful = new StatefulStack(app, `NurtureEngine-${stage}-Stateful`, {
    stage,
    description: `Nurture engine storage (${stage})`,
  });

  // Cost allocation and ownership per stage without touching each construct.
  Tags.of(app).add('project', 'nurture-engine');
  Tags.of(app).add('stage', stage);

  // cdk-nag 3 is a policy-validation plugin: any unacknowledged finding, warning or error, fails synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  return { app, stage, stateful };
}

function readStageContext(app: App): string {
  const raw: unknown = app.node.tryGetContext('stage');
  return raw === undefined ? DEFAULT_STAGE : String(raw);
}

function validateStage(stage: string): string {
  // The stage ends up in stack names and tags; fail early with a clearer message than CloudFormation's.
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(stage)) {
    throw new Error(`Invalid stage "${stage}": use lowercase letters, digits and dashes, starting with a letter`);
  }
  return stage;
}
