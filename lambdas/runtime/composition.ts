/**
 * The one composition root for the Lambda functions: AWS clients, the DynamoDB store, the SES
 * mailer, the SQS queue and the bundled config, built once per cold start and shared by the
 * handlers. The same adapters run locally against the emulators (local/engine-wiring.ts).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { SesMailer } from '../../adapters/aws/ses-mailer.ts';
import { SqsSendQueue } from '../../adapters/aws/sqs-send-queue.ts';
import { defaultConfigLocation, loadConfigOrThrow } from '../../adapters/fs/config-directory.ts';
import { systemClock } from '../../adapters/local/system-clock.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Store } from '../../core/ports.ts';
import type { TemplateCompiler } from '../../core/rendering/template-compiler.ts';
import { readEnvironment, type LambdaEnvironment } from './environment.ts';

/** Service name from POWERTOOLS_SERVICE_NAME (set per function in infra/). */
export const logger = new Logger();

export interface LambdaRuntime {
  env: LambdaEnvironment;
  config: EngineConfig;
  store: Store;
  queue: SqsSendQueue;
  mailer: SesMailer;
  /** Loaded on first use: mjml is heavy, and only the sender renders. */
  compiler(): Promise<TemplateCompiler>;
  /** Read on first use: only the functions that sign or check links may read the link-signing secret. */
  linkSecret(): Promise<string>;
  /** The ingest API's bearer token (HTTP function only). */
  ingestToken(): Promise<string>;
  newClaimToken: () => string;
}

let runtime: Promise<LambdaRuntime> | undefined;

/** Built on first use and reused by later invocations of the same container. */
export function lambdaRuntime(): Promise<LambdaRuntime> {
  runtime ??= build().catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

async function build(): Promise<LambdaRuntime> {
  const env = readEnvironment(process.env);
  const root = env.CONFIG_ROOT ?? env.LAMBDA_TASK_ROOT ?? process.cwd();
  const config = await loadConfigOrThrow(defaultConfigLocation(root));
  let compiler: Promise<TemplateCompiler> | undefined;
  return {
    env,
    config,
    store: createDynamoStore(new DynamoDBClient({}), env.TABLE_NAME),
    queue: new SqsSendQueue(new SQSClient({}), env.SEND_QUEUE_URL),
    // Retries are the sender's decision: an SDK retry after a timeout could send an email twice.
    mailer: new SesMailer(new SESv2Client({ maxAttempts: 1 })),
    compiler: () => {
      compiler ??= import('../../core/rendering/template-compiler.ts').then(({ TemplateCompiler: Compiler }) => new Compiler(config.templates));
      return compiler;
    },
    linkSecret: () => readSecret(env.LINK_SECRET_ARN, 'link-signing secret'),
    ingestToken: () => {
      if (!env.INGEST_TOKEN_SECRET_ARN) return Promise.reject(new Error('INGEST_TOKEN_SECRET_ARN is not set for this function'));
      return readSecret(env.INGEST_TOKEN_SECRET_ARN, 'ingest token');
    },
    newClaimToken: randomUUID,
  };
}

async function readSecret(arn: string, what: string): Promise<string> {
  const secret = await getSecret(arn, { maxAge: 300 });
  if (typeof secret !== 'string' || secret.length < 16) throw new Error(`the ${what} is missing or shorter than 16 characters`);
  return secret;
}

export { systemClock };
