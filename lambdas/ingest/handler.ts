/**
 * The ingest function on API Gateway (HTTP API) + Lambda: `POST /api/ingest/customers`, batch
 * upserts of accounts and contacts from a CRM or a data pipeline (bearer token), then enrollment
 * of the accounts that entered a sequence's phase; and `POST /api/ingest/webinars/<webinar>/
 * sessions/<session>/attendance`, attendance and registrations from platforms other than Zoom
 * (same token); and `POST /api/ingest/erasure`, right-to-erasure requests (same token). The HTTP app without its email-link routes, so the public routes run in another
 * function with a role that cannot upsert customers.
 */
import { handle } from 'hono/aws-lambda';
import { systemClock } from '../../adapters/local/system-clock.ts';
import { importCatalogueOf } from '../../core/customers/import-customers.ts';
import { enrollAccounts } from '../../core/sequences/enroll-contacts.ts';
import { createIngestApp } from '../../http/ingest-app.ts';
import { onceBuilt } from '../runtime/cold-start.ts';
import { ingestRuntime, logger } from './composition.ts';
import { engagementRecorderOf } from '../../core/scoring/record-engagement.ts';
import { recordUsageSignals } from '../../core/scoring/usage-event.ts';

const lambdaHandler = onceBuilt(async () => {
  const { store, config, ingestToken } = await ingestRuntime();
  const engagement = engagementRecorderOf(store, config.scoring, systemClock);
  // The ingest API alone: the link routes answer 404 here (API Gateway sends them to the tracking function anyway).
  const app = createIngestApp({
    customers: store.customers,
    clock: systemClock,
    ingestToken,
    catalogue: importCatalogueOf(config),
    webinarIngest: { config, webinars: store.webinars, customers: store.customers, engagement, sends: store.sends, clock: systemClock },
    usageIngest: {
      usage: store.usage,
      customers: store.customers,
      clock: systemClock,
      metrics: config.scoring.health.metrics,
      onRecorded: async (records) => void (await recordUsageSignals(records, engagement)),
    },
    crmOutcomes: { pipeline: store.pipeline, customers: store.customers, clock: systemClock },
    erasure: {
      customers: store.customers,
      erasure: store.erasure,
      clock: systemClock,
      onErasure: (result) => logger.info('erasure', result.outcome === 'unknown' ? { outcome: result.outcome } : { outcome: result.outcome, ...result.removed }),
    },
    onImported: async (report) => {
      const enrolled = await enrollAccounts(report.accountIds, { ...store, config, clock: systemClock });
      logger.info('ingest', { accounts: report.accounts, contacts: report.contacts, rejected: report.rejected.length, enrolled });
    },
  });
  return handle(app);
});

export const handler: ReturnType<typeof handle> = async (event, context) => (await lambdaHandler())(event, context);
