/**
 * The dashboard function on API Gateway (HTTP API) + Lambda: GET /dashboard and its JSON and
 * assets (http/dashboard-routes.ts), behind the signed session. Reads the table; writes nothing.
 */
import { handle } from 'hono/aws-lambda';
import { createDashboardApp } from '../../http/dashboard-app.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { dashboardDeps, logger } from './composition.ts';

const lambdaHandler = onceBuilt(async () => handle(createDashboardApp(await dashboardDeps(), (entry) => logger.error(String(entry.message), entry))));

export const handler: ReturnType<typeof handle> = async (event, context) => (await lambdaHandler())(event, context);
