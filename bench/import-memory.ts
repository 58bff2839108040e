/**
 * Bench `import-memory` (figures `import.max_rss_*`): the peak memory of a contacts import as the
 * file grows. Files are generated on disk (streamed, in the temp folder) and each import runs as
 * its own process, which reports its peak resident set size at exit (bench/peak-memory-report.ts).
 * - a million contacts (plus 50,000 accounts) through the command's streamed path, into a store
 *   that counts and drops writes (DynamoDB Local would need 5+ minutes and gigabytes of disk);
 * - the baseline, measured in the same run: the same path on 10,000 contacts; flat memory is a
 *   ratio near 1;
 * - the earlier design (files read and checked whole, report kept) on 20,000 contacts, same store;
 * - the real command (`npm run import`) into DynamoDB Local on 1,000 contacts: the store adapter's
 *   own memory, to set beside the dropped-writes figures.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { CSV_COLUMNS } from '../adapters/fs/customer-csv.ts';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import type { Figures } from './bench.ts';
import { round1, round3 } from './figure-math.ts';
import { formatNumber, formatTable } from './figure-table.ts';

export const name = 'import-memory';
export const figurePrefixes = ['import'] as const;

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const MILLION = 1_000_000;
const BASELINE_CONTACTS = 10_000;
const WHOLE_FILE_CONTACTS = 20_000;
const DYNAMODB_CONTACTS = 1_000;
const CONTACTS_PER_ACCOUNT = 20;

const ACCOUNTS_HEADER = Object.keys(CSV_COLUMNS.accounts).join(',');
const CONTACTS_HEADER = Object.keys(CSV_COLUMNS.contacts).join(',');

/** The child did not end as a clean import of every row, so its memory would measure something else. */
export class ImportMemoryBenchError extends Error {
  constructor(message: string) {
    super(`bench import-memory: ${message}`);
    this.name = 'ImportMemoryBenchError';
  }
}

interface Measured {
  what: string;
  contacts: number;
  peakMb: number;
  seconds: number;
}

export async function run(): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-import-memory-'));
  try {
    const measured: Measured[] = [];
    const child = async (what: string, contacts: number, script: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
      const files = await writeCustomerFiles(dir, contacts);
      const result = await peakMemoryOf(script, [...args, files.accounts, files.contacts], env);
      expectEveryRowCreated(result.output, what, contacts);
      measured.push({ what, contacts, peakMb: result.peakMb, seconds: result.seconds });
      console.log(`  ${what}: ${formatNumber(contacts)} contacts, peak ${result.peakMb.toFixed(1)} MB, ${result.seconds.toFixed(1)} s`);
      return result.peakMb;
    };
    console.log(`files in ${dir}; each import in its own process, peak RSS from process.resourceUsage().maxRSS at exit`);
    const baseline = await child('streamed, writes dropped (baseline)', BASELINE_CONTACTS, 'bench/import-memory-child.ts', ['streamed']);
    const million = await child('streamed, writes dropped', MILLION, 'bench/import-memory-child.ts', ['streamed']);
    const wholeFile = await child('whole file (earlier design), writes dropped', WHOLE_FILE_CONTACTS, 'bench/import-memory-child.ts', ['whole-file']);
    const dynamodb = await withDynamoDbLocal((env) => child('npm run import into DynamoDB Local', DYNAMODB_CONTACTS, 'scripts/import.ts', [], env));

    const table = formatTable(
      ['import', 'contacts', 'accounts', 'peak RSS MB', 'seconds', 'rows/s'],
      measured.map((row) => [
        row.what,
        row.contacts.toLocaleString('en-US'),
        accountsFor(row.contacts).toLocaleString('en-US'),
        row.peakMb.toFixed(1),
        row.seconds.toFixed(1),
        formatNumber((row.contacts + accountsFor(row.contacts)) / row.seconds),
      ]),
    );
    console.log('');
    for (const line of table) console.log(`  ${line}`);
    const ratio = million / baseline;
    const wholeFilePerRowKb = ((wholeFile - baseline) * 1024) / (WHOLE_FILE_CONTACTS - BASELINE_CONTACTS);
    console.log(
      `\npeak memory of a 1,000,000-contact import (writes counted and dropped): ${million.toFixed(1)} MB = ${ratio.toFixed(3)} x the 10,000-contact import (${baseline.toFixed(1)} MB); ` +
        `the whole-file design used ${wholeFile.toFixed(1)} MB on ${formatNumber(WHOLE_FILE_CONTACTS)} contacts (about ${wholeFilePerRowKb.toFixed(1)} KB more per contact than the streamed baseline)`,
    );
    return {
      'import.max_rss_mb_1m_rows': round1(million),
      'import.max_rss_mb_10k_rows': round1(baseline),
      'import.max_rss_ratio_1m_vs_10k_rows': round3(ratio),
      'import.whole_file_max_rss_mb_20k_rows': round1(wholeFile),
      'import.dynamodb_local_max_rss_mb_1k_rows': round1(dynamodb),
      'import.streamed_rows_per_second_writes_dropped': round1((MILLION + accountsFor(MILLION)) / (measured[1] as Measured).seconds),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function accountsFor(contacts: number): number {
  return Math.max(1, Math.ceil(contacts / CONTACTS_PER_ACCOUNT));
}

/** Writes accounts.csv and contacts.csv line by line (never the whole file in memory); every row valid. */
async function writeCustomerFiles(dir: string, contacts: number): Promise<{ accounts: string; contacts: string }> {
  const accounts = accountsFor(contacts);
  const paths = { accounts: join(dir, `accounts-${contacts}.csv`), contacts: join(dir, `contacts-${contacts}.csv`) };
  const phases = ['onboarding', 'adoption', 'nurturing', 'opportunity'];
  await writeLines(paths.accounts, ACCOUNTS_HEADER, accounts, (i) => `acc-${i},Account ${i} K.K.,tier${(i % 3) + 1},standard,core;analytics,${phases[i % 4]},${1000 + i},JPY,csm-${i % 50}`);
  await writeLines(paths.contacts, CONTACTS_HEADER, contacts, (i) => {
    const japanese = i % 3 === 0;
    const [first, last, locale, zone] = japanese ? ['太郎', '佐藤', 'ja', 'Asia/Tokyo'] : ['Alex', 'Morgan', 'en', 'America/Chicago'];
    return `con-${i},acc-${i % accounts},person-${i}@customer-${i % accounts}.example.com,${first},${last},${locale},${zone},granted,2026-01-15T00:00:00Z,${i % 7 === 0 ? 'tips' : ''},Engineer`;
  });
  return paths;
}

async function writeLines(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  const finished = once(out, 'finish');
  if (!out.write(`${header}\n`)) await once(out, 'drain');
  for (let i = 0; i < count; i++) {
    if (!out.write(`${line(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await finished;
}

/** Runs a project script under Node with tsx, as the command runs, and reads its peak RSS from its last words. */
async function peakMemoryOf(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ peakMb: number; seconds: number; output: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './bench/peak-memory-report.ts', script, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  const seconds = (performance.now() - started) / 1000;
  const peak = /peak-rss-kb (\d+)/.exec(output);
  if (code !== 0 || !peak) throw new ImportMemoryBenchError(`${script} ${args.join(' ')} exited with ${String(code)}${peak ? '' : ' without its peak memory'}:\n${output.slice(-2000)}`);
  return { peakMb: Number(peak[1]) / 1024, seconds, output };
}

function expectEveryRowCreated(output: string, what: string, contacts: number): void {
  const expected = [`accounts: ${accountsFor(contacts)} created, 0 updated, 0 unchanged, 0 rejected`, `contacts: ${contacts} created, 0 updated, 0 unchanged, 0 rejected`];
  const missing = expected.filter((line) => !output.includes(line));
  if (missing.length > 0) throw new ImportMemoryBenchError(`${what}: expected '${missing.join("' and '")}' in its output:\n${output.slice(-2000)}`);
}

async function withDynamoDbLocal<T>(work: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client = localDynamoClient(dynamo.endpoint);
  try {
    const tableName = 'bench-import-memory';
    await ensureTable(client, tableName);
    return await work({ DYNAMODB_ENDPOINT: dynamo.endpoint, TABLE_NAME: tableName });
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}
