/**
 * For the command-line tools (import, audience, preview, ses-event): the table of the local runtime.
 * DYNAMODB_ENDPOINT + TABLE_NAME when set. Else the DynamoDB Local of the engine running from the
 * data folder (found through its engine.json), checked to be that engine's before anything is
 * read or written; else, when no engine runs, one started on the data folder for the command and
 * stopped after. A port that answers but is not this engine's is refused: it may be another
 * program's DynamoDB Local.
 */
import { join } from 'node:path';
import { DescribeTableCommand, ListTablesCommand, ResourceNotFoundException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import type { Store } from '../core/ports.ts';
import type { KpiBatchOutcome } from '../core/reporting/count-kpi-changes.ts';
import type { ReputationGuardDeps } from '../core/sending/reputation-guard.ts';
import { openLocalKpiStream, STREAM_POSITIONS_FILE, type LocalKpiStream } from './kpi-stream.ts';
import { engineFilePath } from './engine-file.ts';
import { localDynamoClient, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { isPortFree } from './ports.ts';
import { progressOn } from './progress.ts';
import type { ToolSettings } from './settings.ts';
import { withWriteProgress } from './write-progress.ts';

/** The table cannot be used safely; the message says why and what to do. */
export class LocalStoreError extends Error {}

/** What a tool may do besides using the store. */
export interface ToolSession {
  /**
   * Counts what the table's stream holds into the KPI counters, with the reputation auto-pause (give
   * it: a batch counted without it is not checked again), when this tool is the table's only consumer: it started DynamoDB Local on the data
   * folder itself. Undefined when someone else counts: the running engine, or the KpiCounters
   * function of a deployed stage.
   */
  countKpis(reputation: ReputationGuardDeps): Promise<KpiBatchOutcome[] | undefined>;
}

const SOMEONE_ELSE_COUNTS: ToolSession = { countKpis: () => Promise.resolve(undefined) };

/**
 * Runs `work` on the local table. A table that cannot be used safely is a message to the user and
 * exit code 1, before anything is read or written (these are command-line tools).
 */
export async function withLocalStore<T>(settings: ToolSettings, env: NodeJS.ProcessEnv, work: (store: Store, session: ToolSession) => Promise<T>, options: { expectedWrites?: number } = {}): Promise<T> {
  try {
    return await openLocalStore(settings, env, work, options);
  } catch (error) {
    if (!(error instanceof LocalStoreError)) throw error;
    console.error(`not using the local table: ${error.message}`);
    process.exit(1);
  }
}

/** withLocalStore without the exit: throws LocalStoreError. */
export async function openLocalStore<T>(settings: ToolSettings, env: NodeJS.ProcessEnv, work: (store: Store, session: ToolSession) => Promise<T>, options: { expectedWrites?: number } = {}): Promise<T> {
  const explicit = env.DYNAMODB_ENDPOINT;
  let started: DynamoDbLocal | undefined;
  let endpoint: string;
  if (explicit) endpoint = explicit;
  else if (settings.runningEngine) endpoint = engineEndpoint(settings);
  else if (await isPortFree(settings.dynamodbPort)) {
    started = await startDynamoDbLocal({ port: settings.dynamodbPort, dbPath: join(settings.dataDir, 'dynamodb') });
    endpoint = started.endpoint;
  } else {
    throw new LocalStoreError(
      `port ${settings.dynamodbPort} answers, but no engine is running from ${settings.dataDir} (no ${engineFilePath(settings.dataDir)}): it may be another program's DynamoDB Local, so this command does not touch it. ` +
        'Start the engine (npm start), give the --data-dir it runs from, or choose a free --dynamodb-port to have this command start its own DynamoDB Local on the data folder.',
    );
  }
  const client = localDynamoClient(endpoint);
  // Writes of a long import are shown as they happen when the output is a terminal.
  // With the number of rows to write, it also shows the share done and the time left.
  const progress = progressOn(process.stderr, 'writing customers', options.expectedWrites);
  try {
    if (started || explicit) await ensureTable(client, settings.tableName);
    else await assertEngineTable(client, settings);
    const store = createDynamoStore(client, settings.tableName);
    let kpiStream: LocalKpiStream | undefined;
    let current: ReputationGuardDeps | undefined;
    // Only a DynamoDB Local this tool started is its to count: else the engine's consumer reads the stream.
    const session: ToolSession = started
      ? {
          countKpis: async (reputation) => {
            kpiStream ??= await openLocalKpiStream({ client, endpoint, tableName: settings.tableName, positionsFile: join(settings.dataDir, STREAM_POSITIONS_FILE), reputation: () => current });
            current = reputation;
            return kpiStream.drain();
          },
        }
      : SOMEONE_ELSE_COUNTS;
    const result = await work({ ...store, customers: withWriteProgress(store.customers, () => progress.advance()) }, session);
    progress.finish();
    return result;
  } finally {
    progress.finish();
    client.destroy();
    await started?.stop();
  }
}

/** The running engine's DynamoDB Local, if the settings point at it. */
function engineEndpoint(settings: ToolSettings): string {
  const engine = settings.runningEngine;
  if (!engine) throw new Error('no running engine');
  if (settings.dynamodbPort !== engine.dynamodbPort) {
    throw new LocalStoreError(
      `the engine running from ${settings.dataDir} (pid ${engine.pid}) has its DynamoDB Local on port ${engine.dynamodbPort}, not ${settings.dynamodbPort} (${settings.sources.dynamodbPort}): ` +
        'leave out --dynamodb-port / DYNAMODB_PORT to use it, or stop it first (two DynamoDB Locals must not share one data folder).',
    );
  }
  return `http://127.0.0.1:${engine.dynamodbPort}`;
}

/** The port answers as DynamoDB and has the engine's table: else it is not the engine's. */
async function assertEngineTable(client: DynamoDBClient, settings: ToolSettings): Promise<void> {
  const engine = settings.runningEngine;
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } catch (error) {
    throw new LocalStoreError(`port ${settings.dynamodbPort} does not answer as DynamoDB Local (${(error as Error).message}), although ${engineFilePath(settings.dataDir)} names it: is the engine (pid ${engine?.pid}) still starting or stuck?`);
  }
  try {
    await client.send(new DescribeTableCommand({ TableName: settings.tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    throw new LocalStoreError(
      `the DynamoDB Local on port ${settings.dynamodbPort} has no table ${settings.tableName}` +
        (engine && engine.tableName !== settings.tableName ? `; the engine running from ${settings.dataDir} uses table ${engine.tableName} (leave out --table / TABLE_NAME)` : ': it is not the engine this data folder names'),
    );
  }
}

/**
 * The table of a deployed stage (`--aws-table <name>`: credentials and region from the environment,
 * as the AWS CLI takes them), or else the local one (withLocalStore). For the commands ops run
 * against a stage: import, pause, resume.
 */
export async function withToolStore<T>(
  target: { awsTable?: string | undefined; settings: ToolSettings; env: NodeJS.ProcessEnv },
  work: (store: Store, session: ToolSession) => Promise<T>,
  options: { expectedWrites?: number } = {},
): Promise<T> {
  if (!target.awsTable) return withLocalStore(target.settings, target.env, work, options);
  const client = new DynamoDBClient({});
  try {
    return await work(createDynamoStore(client, target.awsTable), SOMEONE_ELSE_COUNTS);
  } finally {
    client.destroy();
  }
}
