/**
 * The ingest API's routes (`/api/ingest/*`, bearer token): customers, webinar attendance, product
 * usage, CSQL outcomes and erasure requests. Mounted by the one HTTP app (app.ts) and, alone, by
 * the ingest function, whose bundle then carries none of the email-link, webhook or dashboard code
 * (a smaller bundle, a quicker cold start; the link routes run in the tracking function anyway).
 */
import type { Hono } from 'hono';
import { finishApp, startApp } from './app-shell.ts';
import { crmOutcomeRoutes, type CrmOutcomeIngestDeps } from './crm-outcome-routes.ts';
import { erasureRoutes, type ErasureHttpDeps } from './erasure-routes.ts';
import { ingestRoutes, type IngestDeps } from './ingest-routes.ts';
import { usageIngestRoutes, type UsageIngestDeps } from './usage-ingest-routes.ts';
import { webinarIngestRoutes } from './webinar-ingest-routes.ts';
import type { WebinarDeps } from '../core/webinars/register-for-webinar.ts';

export type IngestApiDeps = IngestDeps & {
  /** The JSON attendance endpoint under /api/ingest/webinars (same bearer token as the ingest API). */
  webinarIngest?: WebinarDeps;
  /** Product usage for the DEAR health score, POST /api/ingest/usage (same bearer token as the ingest API); absent, 404. */
  usageIngest?: UsageIngestDeps;
  /** CSQL outcomes and opportunities from the CRM, POST /api/ingest/csql-outcomes (same bearer token); absent, 404. */
  crmOutcomes?: CrmOutcomeIngestDeps;
  /** Right-to-erasure requests, POST /api/ingest/erasure (same bearer token); absent, 404. */
  erasure?: ErasureHttpDeps;
};

/** Mounts the ingest API's routes on `app`. */
export function mountIngestApi(app: Hono, deps: IngestApiDeps): void {
  // Before the customer ingest routes, whose bearer check covers /api/ingest/* as well.
  if (deps.webinarIngest) app.route('/api/ingest/webinars', webinarIngestRoutes({ ...deps.webinarIngest, ingestToken: deps.ingestToken }));
  if (deps.usageIngest) app.route('/api/ingest/usage', usageIngestRoutes({ ...deps.usageIngest, ingestToken: deps.ingestToken }));
  if (deps.crmOutcomes) app.route('/api/ingest/csql-outcomes', crmOutcomeRoutes({ ...deps.crmOutcomes, ingestToken: deps.ingestToken }));
  if (deps.erasure) app.route('/api/ingest/erasure', erasureRoutes({ ...deps.erasure, ingestToken: deps.ingestToken }));
  app.route('/api/ingest', ingestRoutes(deps));
}

/** The ingest API alone, as the ingest function serves it. */
export function createIngestApp(deps: IngestApiDeps): Hono {
  const app = startApp();
  mountIngestApi(app, deps);
  return finishApp(app, 'ingest API', (entry) => console.error(JSON.stringify(entry)));
}
