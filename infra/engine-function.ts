/**
 * One engine Lambda function: a NodejsFunction bundled locally with esbuild as ESM for the
 * latest Node.js runtime on arm64, with the team's config (campaigns/, templates/) copied next
 * to the handler, its own log group and its own role. The role starts with nothing but
 * "write to this log group"; each function's stack code adds exactly what it uses.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: the bundler's project root and where campaigns/ and templates/ live. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Folders the handlers read at run time from LAMBDA_TASK_ROOT (lambdas/runtime/composition.ts):
 * the deployed functions run exactly the config that `cdk synth` validated.
 */
export const BUNDLED_CONFIG_FOLDERS = ['campaigns', 'templates'] as const;

/**
 * Some dependencies (mjml and its helpers) are CommonJS and call `require` at run time;
 * an ESM bundle has no `require`, so the bundle defines one.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

const copyConfigIntoBundle: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir: string, outputDir: string) =>
    BUNDLED_CONFIG_FOLDERS.map((folder) => `cp -r "${join(inputDir, folder)}" "${join(outputDir, folder)}"`),
};

export interface EngineFunctionProps {
  /** Handler file relative to the repository root, e.g. lambdas/sender/handler.ts. */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  /** Prod keeps logs longer and keeps the log group if the stack is deleted. */
  readonly isProd: boolean;
  readonly reservedConcurrentExecutions?: number;
  /** Asynchronous invocations (EventBridge Scheduler) that still fail after Lambda's retries. */
  readonly onFailure?: lambda.IDestination;
}

export class EngineFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EngineFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.isProd ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
      removalPolicy: props.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy lets the
    // function create log groups and write to any of them; this one writes to its own only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The log group's Arn attribute ends in ":*", which covers its streams and nothing else.
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      // Stack traces name our .ts files; NodejsFunction does not set this by itself.
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      role: this.role,
      logGroup: this.logGroup,
      // Powertools already writes JSON; this makes the platform's own lines JSON too.
      loggingFormat: lambda.LoggingFormat.JSON,
      ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      ...(props.onFailure === undefined ? {} : { onFailure: props.onFailure, retryAttempts: 2, maxEventAge: Duration.hours(1) }),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // @aws-sdk/*: the Node.js runtime provides SDK v3 (the default, restated because this
        // list replaces it). typescript: cosmiconfig (mjml -> htmlnano) requires it only to read a
        // .ts config file, which the bundle never has; bundled it is 3.5 MB of a 4.5 MB bundle.
        externalModules: ['@aws-sdk/*', 'typescript'],
        commandHooks: copyConfigIntoBundle,
      },
    });
  }
}
