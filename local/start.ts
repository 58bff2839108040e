/**
 * `npm start`: the engine on this machine. Starts DynamoDB Local (data kept in .local/),
 * the SES v2 emulator, the HTTP app and the in-process scheduler; loads demo customers on
 * the first start. Ctrl-C stops all of it, Java included.
 * Flags: --port, --dynamodb-port, --ses-port, --data-dir, --table (or ENGINE_PORT, DYNAMODB_PORT, ...).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { defaultConfigLocation, loadConfigDirectory } from '../adapters/fs/config-directory.ts';
import { InProcessScheduler } from '../adapters/local/in-process-scheduler.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { formatProblem } from '../core/config/problems.ts';
import { createHttpApp } from '../http/app.ts';
import { importCsvFiles, writeDemoCsv } from './demo-customer-load.ts';
import { importCatalogueOf } from '../core/customers/import-customers.ts';
import { wireLocalEngine } from './engine-wiring.ts';
import { describeImport } from './import-report.ts';
import { localSecret } from './local-secret.ts';
import { startLocalServices, type LocalServices } from './local-services.ts';
import { PortInUseError } from './ports.ts';
import { readLocalSettings, SettingsError } from './settings.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  const settings = readLocalSettings(process.argv.slice(2), process.env, projectRoot);
  const configResult = await loadConfigDirectory(defaultConfigLocation(projectRoot));
  if (!configResult.ok) {
    console.error('not starting: the config has problems (fix them, then run npm start again):');
    for (const problem of configResult.problems) console.error(`  ${formatProblem(problem)}`);
    process.exit(1);
  }
  const config = configResult.config;

  const services: LocalServices = await startLocalServices({
    dynamodbPort: settings.dynamodbPort,
    sesPort: settings.sesPort,
    tableName: settings.tableName,
    dbPath: join(settings.dataDir, 'dynamodb'),
    sesMaxSendRate: settings.sesMaxSendRate,
    alsoCheck: [{ port: settings.enginePort, purpose: 'engine HTTP app', option: '--port or ENGINE_PORT' }],
  });
  const scheduler = new InProcessScheduler(systemClock, (jobId, error) =>
    console.error(JSON.stringify({ level: 'ERROR', message: 'scheduled job failed', jobId, error: (error as Error).message })),
  );
  let server: ReturnType<typeof serve> | undefined;
  let workers: { stop(): Promise<void> } | undefined;
  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping: scheduler, HTTP app, SES emulator, DynamoDB Local ...');
    scheduler.stop();
    await workers?.stop();
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      // Idle keep-alive connections would hold close() open until they time out.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    await services.stop();
    console.log('stopped.');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const engine = await wireLocalEngine({
      client: services.client,
      tableName: settings.tableName,
      sesEndpoint: services.ses.endpoint,
      config,
      clock: systemClock,
      linkBaseUrl: `http://127.0.0.1:${settings.enginePort}`,
      tokenSecret: await localSecret(settings.dataDir, 'link-secret', process.env.LINK_SECRET),
      onDispatch: (campaignId, outcome) => console.log(JSON.stringify({ level: 'INFO', message: 'campaign run dispatched', campaignId, ...outcome })),
      log: (entry) => console.log(JSON.stringify(entry)),
    });
    workers = engine.workers;
    engine.workers.start();
    if (services.tableCreated) {
      console.log('first start: loading demo customers ...');
      const { accountsCsv, contactsCsv } = await writeDemoCsv(join(settings.dataDir, 'demo-data'));
      const report = await importCsvFiles(accountsCsv, contactsCsv, engine.store.customers, systemClock, importCatalogueOf(config));
      for (const line of describeImport(report)) console.log(`  ${line}`);
      console.log(`  enrolled ${await engine.enroll(report.accountIds)} contact(s) in nurture sequences`);
    }
    const ingestToken = await localSecret(settings.dataDir, 'ingest-token', process.env.INGEST_TOKEN);
    const app = createHttpApp({
      customers: engine.store.customers,
      clock: systemClock,
      ingestToken,
      catalogue: importCatalogueOf(config),
      onImported: async (report) => void (await engine.enroll(report.accountIds)),
      tracking: {
        ...engine.store,
        topics: config.topics,
        clock: systemClock,
        tokenSecret: await localSecret(settings.dataDir, 'link-secret', process.env.LINK_SECRET),
        log: (entry) => console.log(JSON.stringify(entry)),
      },
    });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: settings.enginePort, hostname: '127.0.0.1' }, () => resolve());
    });
    const scheduled = engine.scheduleJobs(scheduler);

    console.log(
      [
        '',
        'nurture engine running',
        `  engine (HTTP app)      http://127.0.0.1:${settings.enginePort}/`,
        `  ingest API             POST http://127.0.0.1:${settings.enginePort}/api/ingest/customers  (Authorization: Bearer <token in ${join(settings.dataDir, 'ingest-token')}>)`,
        `  SES emulator mail list ${services.ses.mailListUrl}`,
        `  DynamoDB Local         ${services.dynamo.endpoint}  (table ${settings.tableName}, data in ${join(settings.dataDir, 'dynamodb')})`,
        `  scheduler              ${scheduled} active campaign(s): ${config.campaigns.map((campaign) => campaign.id).join(', ')}; deferred sends released every minute`,
        `  sender                 4 workers sharing MaxSendRate ${await engine.mailer.maxSendRate()}/s (from the emulator's GetAccount)`,
        '',
        'Ctrl-C stops everything.',
      ].join('\n'),
    );
  } catch (error) {
    console.error(`failed to start: ${(error as Error).message}`);
    await stop(1);
  }
}

main().catch((error: unknown) => {
  if (error instanceof PortInUseError || error instanceof SettingsError) {
    console.error(`not starting: ${error.message}`);
  } else {
    console.error(`not starting: ${(error as Error).message}`);
  }
  process.exit(1);
});
