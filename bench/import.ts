/**
 * Bench `import`: customer import throughput against DynamoDB Local (started here, stopped in a
 * finally). Our path is the import use case over the DynamoDB customer store (validation, then a
 * conditional Put per row, 16 in flight); the baseline is plain unconditional BatchWriteItem of the
 * same items, 16 requests in flight, into a fresh table in the same run. One warm-up round (the
 * JVM behind DynamoDB Local is slow until it has compiled its hot paths), then the median of
 * several rounds, the two sides' order alternating so neither always goes first.
 */
import { deleteTable } from './bench-table.ts';
import { median, round1, round4 } from './figure-math.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock } from '../adapters/local/system-clock.ts';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { importCustomers, type CandidateRecord, type ImportInput, type ImportReport } from '../core/customers/import-customers.ts';
import { generateDemoCustomers } from '../local/demo-customers.ts';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import { batchWriteAll, scanAll, type RawItem } from './batch-write-baseline.ts';
import type { Figures } from './bench.ts';
import { DynamoRequestCounter } from './dynamodb-request-counter.ts';
import { formatNumber, formatTable } from './figure-table.ts';

export const name = 'import';

/** Untimed rounds first: DynamoDB Local's JVM keeps getting faster for a while after start. */
const WARM_UP_ROUNDS = 1;
const MEASURED_ROUNDS = 5;
/** The import use case's write concurrency; the baseline keeps as many requests in flight. */
const CONCURRENCY = 16;

interface RoundResult {
  importRowsPerSecond: number;
  reimportRowsPerSecond: number;
  importRequestsPerRow: number;
  importAttemptsPerRow: number;
  reimportRequestsPerRow: number;
  baselineRowsPerSecond: number;
  baselineRequestsPerRow: number;
}

/** The import did not do what the bench relies on, so its timing would measure something else. */
export class ImportBenchError extends Error {
  constructor(message: string) {
    super(`bench import: ${message}`);
    this.name = 'ImportBenchError';
  }
}

export async function run(): Promise<Figures> {
  const customers = generateDemoCustomers();
  const input: ImportInput = {
    accounts: customers.accounts.map((value, index): CandidateRecord => ({ location: { source: 'accounts', index }, value })),
    contacts: customers.contacts.map((value, index): CandidateRecord => ({ location: { source: 'contacts', index }, value })),
  };
  const rows = input.accounts.length + input.contacts.length;

  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client = localDynamoClient(dynamo.endpoint);
  try {
    const counter = DynamoRequestCounter.attach(client);
    console.log(
      `DynamoDB Local on ${dynamo.endpoint}; ${formatNumber(rows)} rows (${input.accounts.length} accounts, ${formatNumber(input.contacts.length)} contacts); ` +
        `${CONCURRENCY} in flight; ${WARM_UP_ROUNDS} warm-up + ${MEASURED_ROUNDS} measured rounds`,
    );

    // What our path stores is what every baseline round writes, so both sides write the same items.
    const items = await storedItemsOfOneImport(client, counter, input);

    const rounds: [string, RoundResult][] = [];
    for (let round = 1; round <= WARM_UP_ROUNDS + MEASURED_ROUNDS; round++) {
      const label = round <= WARM_UP_ROUNDS ? `warm-up ${round}` : String(round - WARM_UP_ROUNDS);
      const ours = () => measureOurPathInFreshTable(client, counter, `bench-import-${round}-ours`, input);
      const baseline = () => measureBaseline(client, counter, `bench-import-${round}-batchwrite`, items, rows);
      if (round % 2 === 1) {
        const ourResult = await ours();
        rounds.push([label, { ...ourResult, ...(await baseline()) }]);
      } else {
        const baselineResult = await baseline();
        rounds.push([label, { ...(await ours()), ...baselineResult }]);
      }
    }
    printRounds(rounds);
    const measured = rounds.slice(WARM_UP_ROUNDS).map(([, result]) => result);

    const importRate = median(measured.map((round) => round.importRowsPerSecond));
    const baselineRate = median(measured.map((round) => round.baselineRowsPerSecond));
    const ratio = importRate / baselineRate;
    const spread = (values: number[]) => `${formatNumber(Math.min(...values))}-${formatNumber(Math.max(...values))}`;
    console.log(
      `\nour import path: ${formatNumber(importRate)} rows/s = ${ratio.toFixed(3)} x plain BatchWriteItem (${formatNumber(baselineRate)} rows/s), ` +
        `medians of ${MEASURED_ROUNDS} rounds (ranges ${spread(measured.map((round) => round.importRowsPerSecond))} and ${spread(measured.map((round) => round.baselineRowsPerSecond))} rows/s)`,
    );
    return {
      'import.rows_per_second': round1(importRate),
      'import.reimport_rows_per_second': round1(median(measured.map((round) => round.reimportRowsPerSecond))),
      'import.dynamodb_requests_per_row': round4(median(measured.map((round) => round.importRequestsPerRow))),
      'import.baseline_batchwrite_rows_per_second': round1(baselineRate),
      'import.rows_per_second_vs_batchwrite': round4(ratio),
    };
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

/** Imports once into a scratch table and reads back the items as stored (also warms the JVM). */
async function storedItemsOfOneImport(client: DynamoDBClient, counter: DynamoRequestCounter, input: ImportInput): Promise<RawItem[]> {
  const tableName = 'bench-import-items';
  await ensureTable(client, tableName);
  try {
    await measureOurPath(client, counter, tableName, input);
    const items = await scanAll(client, tableName);
    // One item per account, and per contact its profile and its email look-up item.
    const expected = input.accounts.length + 2 * input.contacts.length;
    if (items.length !== expected) throw new ImportBenchError(`expected ${expected} items in ${tableName} after the import, found ${items.length}`);
    return items;
  } finally {
    await deleteTable(client, tableName);
  }
}

async function measureOurPathInFreshTable(client: DynamoDBClient, counter: DynamoRequestCounter, tableName: string, input: ImportInput) {
  await ensureTable(client, tableName);
  try {
    return await measureOurPath(client, counter, tableName, input);
  } finally {
    await deleteTable(client, tableName);
  }
}

/** First import into an empty table, then the same data again (every row unchanged). */
async function measureOurPath(client: DynamoDBClient, counter: DynamoRequestCounter, tableName: string, input: ImportInput) {
  const store = createDynamoStore(client, tableName).customers;
  const rows = input.accounts.length + input.contacts.length;

  const first = await timed(counter, () => importCustomers(input, store, systemClock));
  expectCounts(first.value, 'first import into an empty table', { created: true, input });

  const again = await timed(counter, () => importCustomers(input, store, systemClock));
  expectCounts(again.value, 're-import of the same data', { created: false, input });

  return {
    importRowsPerSecond: rows / first.seconds,
    importRequestsPerRow: first.requests.commands / rows,
    importAttemptsPerRow: first.requests.attempts / rows,
    reimportRowsPerSecond: rows / again.seconds,
    reimportRequestsPerRow: again.requests.commands / rows,
  };
}

/** The same items written with plain BatchWriteItem; rates are per imported row, like ours. */
async function measureBaseline(client: DynamoDBClient, counter: DynamoRequestCounter, tableName: string, items: readonly RawItem[], rows: number) {
  await ensureTable(client, tableName);
  try {
    const written = await timed(counter, () => batchWriteAll(client, tableName, items, CONCURRENCY));
    return {
      baselineRowsPerSecond: rows / written.seconds,
      baselineRequestsPerRow: written.requests.commands / rows,
    };
  } finally {
    await deleteTable(client, tableName);
  }
}

async function timed<T>(counter: DynamoRequestCounter, task: () => Promise<T>) {
  const before = counter.snapshot();
  const started = performance.now();
  const value = await task();
  const seconds = (performance.now() - started) / 1000;
  return { value, seconds, requests: counter.since(before) };
}

/** A first import must create every row; a re-import must create and update none. */
function expectCounts(report: ImportReport, what: string, expected: { created: boolean; input: ImportInput }): void {
  const summary = `accounts ${JSON.stringify(report.accounts)}, contacts ${JSON.stringify(report.contacts)}, ${report.rejected.length} rejected`;
  if (report.rejected.length > 0) {
    const first = report.rejected[0];
    throw new ImportBenchError(`${what} rejected rows (first: ${first?.location.source}[${first?.location.index}]: ${first?.reason}); ${summary}`);
  }
  const sides = [
    { counts: report.accounts, total: expected.input.accounts.length },
    { counts: report.contacts, total: expected.input.contacts.length },
  ];
  const ok = expected.created
    ? sides.every(({ counts, total }) => counts.created === total && counts.updated === 0 && counts.unchanged === 0)
    : sides.every(({ counts, total }) => counts.created === 0 && counts.updated === 0 && counts.unchanged === total);
  if (!ok) throw new ImportBenchError(`${what}: expected every row ${expected.created ? 'created' : 'unchanged'}; got ${summary}`);
}

function printRounds(rounds: readonly [string, RoundResult][]): void {
  const table = formatTable(
    ['round', 'import rows/s', 'requests/row', 'reimport rows/s', 'reimport requests/row', 'BatchWrite rows/s', 'BatchWrite requests/row', 'import vs BatchWrite'],
    rounds.map(([label, result]) => [
      label,
      formatNumber(result.importRowsPerSecond),
      formatNumber(result.importRequestsPerRow),
      formatNumber(result.reimportRowsPerSecond),
      formatNumber(result.reimportRequestsPerRow),
      formatNumber(result.baselineRowsPerSecond),
      formatNumber(result.baselineRequestsPerRow),
      `${(result.importRowsPerSecond / result.baselineRowsPerSecond).toFixed(3)} x`,
    ]),
  );
  console.log('');
  for (const line of table) console.log(`  ${line}`);
  const retried = rounds.filter(([, result]) => result.importAttemptsPerRow > result.importRequestsPerRow);
  for (const [label, result] of retried) {
    console.log(`  round ${label}: the SDK retried some requests (${formatNumber(result.importAttemptsPerRow)} HTTP attempts per row)`);
  }
}



