/**
 * The dashboard function's composition root: the stores the dashboard reads (never writes), the
 * SES account's send quota (GetAccount), the dashboard secret that signs login links and sessions,
 * the parts of the config it shows, and Chart.js from the bundle (copied next to the handler by
 * infra/tracking-api.ts).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoStore } from '../../adapters/aws/dynamo/dynamo-store.ts';
import { SesMailer } from '../../adapters/aws/ses-mailer.ts';
import { CHART_JS_FILE, chartJsLoader } from '../../adapters/fs/chart-library.ts';
import { systemClock } from '../../adapters/local/system-clock.ts';
import { readDashboard } from '../../core/reporting/dashboard.ts';
import type { DashboardHttpDeps } from '../../http/dashboard-routes.ts';
import { readBundledConfig } from '../runtime/bundled-config.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { configRootOf, readEnvironment } from '../runtime/environment.ts';
import { carriedConfig, DASHBOARD_CONFIG_PARTS } from '../runtime/function-config-parts.ts';
import { readSecret } from '../runtime/secrets.ts';

/** Service name from POWERTOOLS_SERVICE_NAME (set in infra/). */
export const logger = new Logger();

export const dashboardDeps = onceBuilt(async (): Promise<DashboardHttpDeps> => {
  const env = readEnvironment(process.env, ['TABLE_NAME', 'DASHBOARD_SECRET_ARN']);
  const config = carriedConfig(readBundledConfig(configRootOf(env), DASHBOARD_CONFIG_PARTS), 'dashboard');
  const store = createDynamoStore(new DynamoDBClient({}), env.TABLE_NAME);
  const mailer = new SesMailer(new SESv2Client({}));
  const secret = await readSecret(env.DASHBOARD_SECRET_ARN, 'dashboard secret');
  return {
    // API Gateway serves HTTPS only: the session cookie is Secure.
    auth: { secret, secureCookie: true, now: () => systemClock.now() },
    readView: (now) => readDashboard({ ...store, config, maxSendRate: () => mailer.maxSendRate() }, now),
    chartJs: chartJsLoader(join(dirname(fileURLToPath(import.meta.url)), CHART_JS_FILE)),
  };
});
