/**
 * The HTTP app on API Gateway (HTTP API) + Lambda: open pixel, click redirect, one-click
 * unsubscribe, preference centre and the ingest API. The same Hono app the local runtime serves.
 */
import { handle } from 'hono/aws-lambda';
import { createHttpApp } from '../../http/app.ts';
import { importCatalogueOf } from '../../core/customers/import-customers.ts';
import { enrollAccounts } from '../../core/sequences/enroll-contacts.ts';
import { lambdaRuntime, logger, systemClock } from '../runtime/composition.ts';
import { coreLog } from '../runtime/core-log.ts';

let lambdaHandler: Promise<ReturnType<typeof handle>> | undefined;

async function build(): Promise<ReturnType<typeof handle>> {
  const runtime = await lambdaRuntime();
  const { store, config } = runtime;
  const app = createHttpApp({
    customers: store.customers,
    clock: systemClock,
    ingestToken: await runtime.ingestToken(),
    catalogue: importCatalogueOf(config),
    onImported: async (report) => {
      const enrolled = await enrollAccounts(report.accountIds, { ...store, config, clock: systemClock });
      logger.info('ingest', { accounts: report.accounts, contacts: report.contacts, rejected: report.rejected.length, enrolled });
    },
    tracking: {
      ...store,
      topics: config.topics,
      clock: systemClock,
      tokenSecret: await runtime.linkSecret(),
      log: coreLog(logger, 'tracking'),
    },
  });
  return handle(app);
}

export const handler: ReturnType<typeof handle> = async (event, context) => {
  lambdaHandler ??= build().catch((error: unknown) => {
    lambdaHandler = undefined;
    throw error;
  });
  return (await lambdaHandler)(event, context);
};
