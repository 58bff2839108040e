/**
 * The ingest function's composition root: the customer, score and enrollment stores the ingest
 * API and the enrollment after it use, the webinar, engagement and send stores the attendance
 * endpoint (/api/ingest/webinars) uses, the ingest bearer token, and the bundled config (import
 * catalogue, sequences, webinars). No link-signing key: this function serves no email link.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import type { EngineConfig } from '../../core/config/engine-config.ts';
import type { Store } from '../../core/ports.ts';
import { readBundledConfig } from '../runtime/bundled-config.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { configRootOf, readEnvironment } from '../runtime/environment.ts';
import { INGEST_CONFIG_PARTS } from '../runtime/function-config-parts.ts';
import { readSecret } from '../runtime/secrets.ts';

/** Service name from POWERTOOLS_SERVICE_NAME (set in infra/). */
export const logger = new Logger();

export interface IngestRuntime {
  config: EngineConfig;
  store: Pick<Store, 'customers' | 'scores' | 'enrollments' | 'webinars' | 'engagement' | 'sends' | 'usage' | 'pipeline' | 'erasure'>;
  ingestToken: string;
}

export const ingestRuntime = onceBuilt(async (): Promise<IngestRuntime> => {
  const env = readEnvironment(process.env, ['TABLE_NAME', 'INGEST_TOKEN_SECRET_ARN']);
  const { customers, scores, enrollments, webinars, engagement, sends, usage, pipeline, erasure } = createDynamoStore(new DynamoDBClient({}), env.TABLE_NAME);
  return {
    config: readBundledConfig(configRootOf(env), INGEST_CONFIG_PARTS),
    store: { customers, scores, enrollments, webinars, engagement, sends, usage, pipeline, erasure },
    ingestToken: await readSecret(env.INGEST_TOKEN_SECRET_ARN, 'ingest token'),
  };
});
