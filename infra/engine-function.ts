/**
 * One engine Lambda function: a NodejsFunction bundled locally with esbuild as ESM for the
 * latest Node.js runtime on arm64, with the parts of the validated team config its handler reads
 * written as JSON next to it (lambdas/runtime/bundled-config.ts), its own log group and its own
 * role. The role starts with nothing but "write to this log group"; each function's stack code
 * adds exactly what it uses.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EngineConfig } from '../core/config/engine-config.ts';
import { BUNDLED_CONFIG_FILE, serializeConfig, type ConfigPart } from '../lambdas/runtime/bundled-config.ts';
import { ESBUILD_TARGET, ESM_REQUIRE_BANNER, EXTERNAL_MODULES, MAIN_FIELDS } from './bundling-options.ts';

export { ESM_REQUIRE_BANNER } from './bundling-options.ts';

/** The repository root: the bundler's project root. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Writes the function's config JSON at synth and copies it into the bundle after esbuild: the
 * deployed function runs exactly the config `cdk synth` validated, parsed once per cold start
 * (no YAML parser or schema in the bundle). The file is part of the asset, so a config change
 * changes the asset hash and redeploys the function.
 */
function copyConfigIntoBundle(configJson: string, extraFiles: readonly BundledFile[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    // Written here, not in the constructor: a synth that skips bundling writes nothing.
    afterBundling: (_inputDir: string, outputDir: string) => {
      const file = join(mkdtempSync(join(tmpdir(), 'nurture-engine-config-')), BUNDLED_CONFIG_FILE);
      writeFileSync(file, configJson);
      return [`cp "${file}" "${join(outputDir, BUNDLED_CONFIG_FILE)}"`, ...extraFiles.map((extra) => `cp "${extra.from}" "${join(outputDir, extra.name)}"`)];
    },
  };
}

/** A file the handler reads at run time, copied next to it in the bundle (e.g. the dashboard's Chart.js). */
export interface BundledFile {
  /** Absolute path at synth. */
  readonly from: string;
  /** Its name in the bundle. */
  readonly name: string;
}

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
  /** The validated team config, and the parts of it this function's handler reads (lambdas/runtime/function-config-parts.ts). */
  readonly config: EngineConfig;
  readonly configParts: readonly ConfigPart[];
  /** Files the handler reads at run time, copied into the bundle. */
  readonly bundledFiles?: readonly BundledFile[];
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
        target: ESBUILD_TARGET,
        mainFields: [...MAIN_FIELDS],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Why each is external: infra/bundling-options.ts.
        externalModules: [...EXTERNAL_MODULES],
        commandHooks: copyConfigIntoBundle(serializeConfig(props.config, props.configParts), props.bundledFiles ?? []),
      },
    });
  }
}
