/**
 * `npm start`: the engine on this machine. Starts DynamoDB Local (data kept in .local/, listening
 * on 127.0.0.1 only), the SES v2 emulator, the HTTP app and the in-process scheduler; loads demo
 * customers on the first start. Writes `<data folder>/engine.json` (ports, table, pids) once it runs,
 * so the command-line tools find it. Ctrl-C or SIGTERM stops all of it, Java included, and removes
 * the engine file. Flags: --port, --dynamodb-port, --ses-port, --data-dir, --table, --ses-rate
 * (or ENGINE_PORT, DYNAMODB_PORT, ...); --help lists them.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { defaultConfigLocation, loadConfigDirectory } from '../adapters/fs/config-directory.ts';
import { InProcessScheduler } from '../adapters/local/in-process-scheduler.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { formatProblem } from '../core/config/problems.ts';
import { localHttpApp } from './local-http-app.ts';
import { CommandLineError, HelpRequested, parseCommandLine } from './command-line.ts';
import { importCsvFiles, writeDemoCsv } from './demo-customer-load.ts';
import { importCatalogueOf } from '../core/customers/import-customers.ts';
import { engineFilePath, removeEngineFile, writeEngineFile } from './engine-file.ts';
import { wireLocalEngine } from './engine-wiring.ts';
import { STREAM_POSITIONS_FILE } from './kpi-stream.ts';
import { describeImport } from './import-report.ts';
import { DASHBOARD_SECRET_FILE, localSecret } from './local-secret.ts';
import { DEFAULT_LOGIN_MINUTES, mintDashboardLink } from '../http/dashboard-auth.ts';

import { startLocalServices, type LocalServices } from './local-services.ts';
import { PortInUseError, PortsInUseError } from './ports.ts';
import { progressOn } from './progress.ts';
import { SettingsError } from './settings.ts';
import { withWriteProgress } from './write-progress.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const START_COMMAND = {
  usage: 'npm start [-- options]',
  summary: 'Runs the engine locally: DynamoDB Local, the SES emulator, the HTTP app, the scheduler and the sender workers. Ctrl-C stops everything.',
  options: {},
  optionHelp: {},
} as const;

async function main(): Promise<void> {
  const { settings } = parseCommandLine(START_COMMAND, process.argv.slice(2), process.env, projectRoot);
  if (settings.runningEngine) {
    const running = settings.runningEngine;
    throw new SettingsError(`an engine is already running from ${settings.dataDir} (pid ${running.pid}, http://127.0.0.1:${running.enginePort}/, see ${engineFilePath(settings.dataDir)}): stop it first, or give another --data-dir`);
  }
  const configResult = await loadConfigDirectory(defaultConfigLocation(projectRoot));
  if (!configResult.ok) {
    console.error('not starting: the config has problems (fix them, then run npm start again):');
    for (const problem of configResult.problems) console.error(`  ${formatProblem(problem)}`);
    process.exit(1);
  }
  const config = configResult.config;

  console.log('starting DynamoDB Local and the SES emulator ...');
  const servicesStarting: Promise<LocalServices> = startLocalServices({
    dynamodbPort: settings.dynamodbPort,
    sesPort: settings.sesPort,
    tableName: settings.tableName,
    dbPath: join(settings.dataDir, 'dynamodb'),
    sesMaxSendRate: settings.sesMaxSendRate,
    alsoCheck: [{ port: settings.enginePort, purpose: 'engine HTTP app', option: '--port or ENGINE_PORT' }],
  });
  // Signals are handled from here on (the same tick), so one arriving while Java starts still stops Java.
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
    removeEngineFile(settings.dataDir, process.pid);
    scheduler.stop();
    await workers?.stop();
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      // Idle keep-alive connections would hold close() open until they time out.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    const started = await servicesStarting.catch(() => undefined);
    await started?.stop();
    console.log('stopped.');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGHUP', () => void stop(0));
  // Whatever ends the process, the engine file must not outlive it.
  process.on('exit', () => removeEngineFile(settings.dataDir, process.pid));

  const running = await servicesStarting;
  if (stopping) return;
  if (!running.dynamo.loopbackOnly) console.log(`note: this Java cannot run local/LoopbackDynamoDbLocal.java (no jdk.compiler module; install a JDK), so DynamoDB Local listens on every interface, port ${settings.dynamodbPort}`);

  try {
    const engine = await wireLocalEngine({
      client: running.client,
      tableName: settings.tableName,
      dynamoEndpoint: running.dynamo.endpoint,
      streamPositionsFile: join(settings.dataDir, STREAM_POSITIONS_FILE),
      sesEndpoint: running.ses.endpoint,
      config,
      clock: systemClock,
      linkBaseUrl: `http://127.0.0.1:${settings.enginePort}`,
      tokenSecret: await localSecret(settings.dataDir, 'link-secret', process.env.LINK_SECRET),
      onDispatch: (campaignId, outcome) => console.log(JSON.stringify({ level: 'INFO', message: 'campaign run dispatched', campaignId, ...outcome })),
      log: (entry) => console.log(JSON.stringify(entry)),
    });
    workers = { stop: async () => void (await Promise.all([engine.workers.stop(), engine.kpiStream.stop()])) };
    engine.workers.start();
    // KPI counters move from the table's stream, read in the background as Lambda reads it in AWS.
    engine.kpiStream.start();
    if (running.tableCreated) {
      console.log('first start: loading demo customers ...');
      const { accountsCsv, contactsCsv, rows } = await writeDemoCsv(join(settings.dataDir, 'demo-data'));
      const progress = progressOn(process.stdout, '  demo customers written', rows);
      const report = await importCsvFiles(accountsCsv, contactsCsv, withWriteProgress(engine.store.customers, () => progress.advance()), systemClock, importCatalogueOf(config));
      progress.finish();
      for (const line of describeImport(report)) console.log(`  ${line}`);
      console.log(`  enrolled ${await engine.enroll(report.accountIds)} contact(s) in nurture sequences`);
    }
    const ingestToken = await localSecret(settings.dataDir, 'ingest-token', process.env.INGEST_TOKEN);
    const dashboardSecret = await localSecret(settings.dataDir, DASHBOARD_SECRET_FILE, process.env.DASHBOARD_SECRET);
    const app = localHttpApp(engine, {
      config,
      clock: systemClock,
      baseUrl: `http://127.0.0.1:${settings.enginePort}`,
      tokenSecret: await localSecret(settings.dataDir, 'link-secret', process.env.LINK_SECRET),
      ingestToken,
      zoomSecret: await localSecret(settings.dataDir, 'zoom-webhook-secret', process.env.ZOOM_WEBHOOK_SECRET),
      dashboardSecret,
      onImported: async (report) => void (await engine.enroll(report.accountIds)),
      log: (entry) => console.log(JSON.stringify(entry)),
    });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: settings.enginePort, hostname: '127.0.0.1' }, () => resolve());
    });
    const scheduled = engine.scheduleJobs(scheduler);
    writeEngineFile(settings.dataDir, {
      pid: process.pid,
      ...(running.dynamo.pid ? { dynamodbPid: running.dynamo.pid } : {}),
      enginePort: settings.enginePort,
      dynamodbPort: settings.dynamodbPort,
      sesPort: settings.sesPort,
      tableName: settings.tableName,
      startedAt: new Date().toISOString(),
    });

    console.log(
      [
        '',
        'nurture engine running',
        `  engine (HTTP app)      http://127.0.0.1:${settings.enginePort}/`,
        `  ingest API             POST http://127.0.0.1:${settings.enginePort}/api/ingest/customers  (Authorization: Bearer <token in ${join(settings.dataDir, 'ingest-token')}>)`,
        `  Zoom webhook           POST http://127.0.0.1:${settings.enginePort}/webhooks/zoom  (secret token in ${join(settings.dataDir, 'zoom-webhook-secret')})`,
        `  dashboard              ${await mintDashboardLink(dashboardSecret, `http://127.0.0.1:${settings.enginePort}`, new Date())}`,
        `                         (a login link, valid ${DEFAULT_LOGIN_MINUTES} min; another: npm run dashboard -- link)`,
        `  SES emulator mail list ${running.ses.mailListUrl}`,
        `  DynamoDB Local         ${running.dynamo.endpoint}  (table ${settings.tableName}, data in ${join(settings.dataDir, 'dynamodb')})`,
        `  scheduler              ${scheduled} active campaign(s): ${config.campaigns.map((campaign) => campaign.id).join(', ')}; deferred sends (and webinar emails) released every minute, webinar sweep every minute`,
        `  sender                 4 workers sharing MaxSendRate ${await engine.mailer.maxSendRate()}/s (from the emulator's GetAccount)`,
        `  KPI counters           counted from the table's stream as it changes (position kept in ${join(settings.dataDir, STREAM_POSITIONS_FILE)})`,
        `  engine file            ${engineFilePath(settings.dataDir)}  (npm run import / audience / preview / ses-event find this engine through it)`,
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
  if (error instanceof HelpRequested) {
    console.log(error.message);
    process.exit(0);
  }
  if (error instanceof PortInUseError || error instanceof PortsInUseError || error instanceof SettingsError || error instanceof CommandLineError) {
    console.error(`not starting: ${error.message}`);
  } else {
    console.error(`not starting: ${(error as Error).message}`);
  }
  process.exit(1);
});
