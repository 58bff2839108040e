/**
 * The HTTP app on API Gateway (HTTP API) + Lambda: open pixel, click redirect, one-click
 * unsubscribe, preference centre and the ingest API. The same Hono app the local runtime serves.
 */
import { handle } from 'hono/aws-lambda';
import { createHttpApp } from '../../http/app.ts';
import { enrollOnPhaseChanges } from '../../core/sequences/enroll-contacts.ts';
import { lambdaRuntime, logger, systemClock } from '../runtime/composition.ts';

let lambdaHandler: Promise<ReturnType<typeof handle>> | undefined;

async function build(): Promise<ReturnType<typeof handle>> {
  const runtime = await lambdaRuntime();
  const { store, config } = runtime;
  const app = createHttpApp({
    customers: store.customers,
    clock: systemClock,
    ingestToken: await runtime.ingestToken(),
    onImported: async (report) => {
      const enrolled = await enrollOnPhaseChanges(report.phaseChanges, { ...store, config, clock: systemClock });
      logger.info('ingest', { accounts: report.accounts, contacts: report.contacts, rejected: report.rejected.length, enrolled });
    },
    tracking: {
      ...store,
      topics: config.topics,
      clock: systemClock,
      tokenSecret: await runtime.linkSecret(),
      log: (entry) => logger.info('tracking', entry),
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
