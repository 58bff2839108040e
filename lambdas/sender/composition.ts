/**
 * The sender's composition root: the DynamoDB store, the SES mailer, the link-signing key and the
 * template compiler over the bundled config, built once per container. The only function that
 * renders, so the only bundle that carries the renderer (mjml, LiquidJS, html-to-text).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { SesMailer } from '../../adapters/aws/ses-mailer.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Store } from '../../core/ports.ts';
import { TemplateCompiler } from '../../core/rendering/template-compiler.ts';
import { readBundledConfig } from '../runtime/bundled-config.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { configRootOf, readEnvironment } from '../runtime/environment.ts';
import { SENDER_CONFIG_PARTS } from '../runtime/function-config-parts.ts';
import { readSecret } from '../runtime/secrets.ts';

/** Service name from POWERTOOLS_SERVICE_NAME; metrics namespace from POWERTOOLS_METRICS_NAMESPACE (set in infra/). */
export const logger = new Logger();
export const metrics = new Metrics();

export interface SenderRuntime {
  config: EngineConfig;
  store: Store;
  mailer: SesMailer;
  compiler: TemplateCompiler;
  linkBaseUrl: string;
  linkSecret: string;
  /** Sender instances running at once: each keeps MaxSendRate / this. */
  concurrency: number;
  /** Unused send slots each instance may catch up (one batch's worth), seconds. */
  burstSeconds: number;
  newClaimToken: () => string;
}

export const senderRuntime = onceBuilt(async (): Promise<SenderRuntime> => {
  const env = readEnvironment(process.env, ['TABLE_NAME', 'LINK_BASE_URL', 'LINK_SECRET_ARN', 'SENDER_CONCURRENCY', 'SENDER_BURST_SECONDS']);
  const config = readBundledConfig(configRootOf(env), SENDER_CONFIG_PARTS);
  return {
    config,
    store: createDynamoStore(new DynamoDBClient({}), env.TABLE_NAME),
    // Retries are the sender's decision: an SDK retry after a timeout could send an email twice.
    mailer: new SesMailer(new SESv2Client({ maxAttempts: 1 })),
    compiler: new TemplateCompiler(config.templates),
    linkBaseUrl: env.LINK_BASE_URL,
    linkSecret: await readSecret(env.LINK_SECRET_ARN, 'link-signing secret'),
    concurrency: env.SENDER_CONCURRENCY,
    burstSeconds: env.SENDER_BURST_SECONDS,
    newClaimToken: randomUUID,
  };
});
