/**
 * Bench `history`: the history import (`npm run import -- events`) on generated files of events
 * (opens with Apple MPP among them, clicks, deliveries, webinar attendance, usage; 400 contacts in
 * 40 accounts; the last 60 days).
 * - `history.events_per_second`: the whole import (stream, parse, classify, record through the
 *   engagement path) of 3,000 events into DynamoDB Local, started here (its transactions set the
 *   pace, so more events would only make the bench longer); the baseline is the same events recorded
 *   directly through `recordEvent` (no file, no parsing, the same per-account concurrency), in the
 *   same run; two rounds each, ordered import, direct, direct, import, each into a fresh table:
 *   `history.events_per_second_vs_direct`.
 * - `history.peak_rss_mb_ratio`: peak RSS growth of importing 4N events over that of N, each in a
 *   fresh process over a store that only counts (so only the import's own memory is measured, not
 *   DynamoDB's): about 1 when memory is flat in the file's size. The children run with V8 heap
 *   limits (`--max-old-space-size=64 --max-semi-space-size=2`): the old space well below what
 *   holding 4N parsed events would take (~80 MB), so an import that held the file would fail there,
 *   and a small young generation, so the collector cannot defer its work and RSS shows what the
 *   import keeps. Without limits V8 lets both generations grow lazily the longer a process
 *   allocates, whatever it keeps: that ratio is reported too (`history.peak_rss_mb_ratio_unlimited_heap`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { openLineFile } from '../adapters/fs/history-file.ts';
import { defaultConfigLocation, loadConfigOrThrow } from '../adapters/fs/config-directory.ts';
import { systemClock } from '../adapters/local/system-clock.ts';
import { ensureTable } from '../adapters/aws/dynamo/create-table.ts';
import { createDynamoStore } from '../adapters/aws/dynamo/dynamo-store.ts';
import { mapBounded } from '../core/bounded-parallel.ts';
import type { Contact } from '../core/customers/contact.ts';
import { importHistory, type HistoryImportDeps, type HistoryImportReport } from '../core/history/import-history.ts';
import type { Store } from '../core/ports.ts';
import { engagementRecorderOf } from '../core/scoring/record-engagement.ts';
import type { EngagementEvent } from '../core/tracking/engagement-event.ts';
import { localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { freePort } from '../local/ports.ts';
import { deleteTable } from './bench-table.ts';
import type { Figures } from './bench.ts';
import { round1, round3 } from './figure-math.ts';
import { formatNumber } from './figure-table.ts';

export const name = 'history';

/** N for the memory figure (N and 4N events, over a counting store: fast). */
const EVENTS = 20_000;
/** Events imported into DynamoDB Local for the rate (its transactions, ~100-500/s here, set the pace). */
const RATE_EVENTS = 3_000;
const CONTACTS = 400;
const ACCOUNTS = 40;
const CHILD_ENV = 'HISTORY_BENCH_RSS_FILE';
const HEAP_LIMIT_MB = 64;
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** The import did not do what the bench relies on. */
export class HistoryBenchError extends Error {
  constructor(message: string) {
    super(`bench history: ${message}`);
    this.name = 'HistoryBenchError';
  }
}

const contactOf = (index: number): Contact => ({
  contactId: `hb-c${index}`,
  accountId: `hb-acc${index % ACCOUNTS}`,
  email: `hb${index}@bench.example.com`,
  firstName: '',
  lastName: '',
  locale: 'en',
  timeZone: 'UTC',
  consent: 'granted',
  topicsOptedOut: [],
});

/** Writes `count` history lines, streamed (the bench must not hold the file either). */
async function writeHistory(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  const start = Date.now() - 60 * 86_400_000;
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  for (let index = 0; index < count; index++) {
    const contact = contactOf(Math.floor(random() * CONTACTS));
    const at = start + Math.floor((index / count) * 59 * 86_400_000);
    const messageId = `nl-${Math.floor(at / 86_400_000)}-${contact.contactId}`;
    const pick = random();
    const base = { contactId: contact.contactId, time: new Date(at).toISOString(), campaign: 'bench-newsletter', messageId, sourceId: `hb-${index}` };
    const line =
      pick < 0.3
        ? { ...base, type: 'delivered' }
        : pick < 0.45
          ? { ...base, type: 'open', userAgent: 'Mozilla/5.0', ip: '17.58.1.2' }
          : pick < 0.75
            ? { ...base, type: 'open', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0', ip: '203.0.113.4' }
            : pick < 0.95
              ? { ...base, type: 'click', link: `https://example.com/${Math.floor(random() * 4)}`, userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0', ip: '203.0.113.4' }
              : pick < 0.98
                ? { contactId: contact.contactId, time: base.time, type: 'webinar-attended', webinar: 'bench-webinar', watchMinutes: 30, watchShare: 0.5, sourceId: `hb-${index}` }
                : { contactId: contact.contactId, time: base.time, type: 'usage', figures: { logins_30d: index % 50 }, sourceId: `hb-${index}` };
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function depsOver(store: Pick<Store, 'customers' | 'suppressions' | 'usage' | 'engagement' | 'scores'>, seen?: EngagementEvent[]): Promise<HistoryImportDeps> {
  const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
  const path = engagementRecorderOf(store, config.scoring, systemClock);
  return {
    customers: store.customers,
    engagement: { recordEvent: (event) => (seen?.push(event), path.recordEvent(event)) },
    suppressions: store.suppressions,
    usage: store.usage,
    metrics: config.scoring.health.metrics,
    clock: systemClock,
  };
}

async function seedCustomers(store: Store): Promise<void> {
  const now = new Date();
  for (let account = 0; account < ACCOUNTS; account++) {
    await store.customers.upsertAccount({ accountId: `hb-acc${account}`, name: `Bench ${account}`, tier: 'tier3', plan: 'standard', products: ['core'], phase: 'adoption', mrr: 1, currency: 'JPY' }, now);
  }
  await mapBounded(Array.from({ length: CONTACTS }, (_, index) => contactOf(index)), 16, (contact) => store.customers.upsertContact(contact, now));
}

async function throughput(file: string): Promise<{ importRate: number; directRate: number; report: HistoryImportReport }> {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client = localDynamoClient(dynamo.endpoint);
  try {
    // Warm-up: DynamoDB Local's JVM is slow until it has compiled its hot paths.
    const warm = 'bench-history-warm';
    await ensureTable(client, warm);
    const warmStore = createDynamoStore(client, warm);
    await seedCustomers(warmStore);
    await deleteTable(client, warm);

    // Rounds in the order import, direct, direct, import: a load that drifts during the run (this
    // machine is shared) weighs on both sides alike. Each round writes into a fresh table.
    const seen: EngagementEvent[] = [];
    let report: HistoryImportReport | undefined;
    const importRound = async (round: number) => {
      const table = `bench-history-import-${round}`;
      await ensureTable(client, table);
      const store = createDynamoStore(client, table);
      await seedCustomers(store);
      const deps = await depsOver(store, report ? undefined : seen);
      const started = performance.now();
      const result = await importHistory((await openLineFile(file)).lines, deps);
      const seconds = (performance.now() - started) / 1000;
      if (result.refused > 0 || result.unknownContacts > 0 || result.recorded + result.duplicates !== RATE_EVENTS) {
        throw new HistoryBenchError(`expected ${RATE_EVENTS} events recorded, got ${JSON.stringify({ ...result, refusedLines: result.refusedLines.slice(0, 3) })}`);
      }
      report ??= result;
      await deleteTable(client, table);
      return seconds;
    };
    // Baseline: the same events straight into the path, grouped by account with as many in flight.
    const directRound = async (round: number) => {
      const table = `bench-history-direct-${round}`;
      await ensureTable(client, table);
      const store = createDynamoStore(client, table);
      await seedCustomers(store);
      const path = (await depsOver(store)).engagement;
      const byAccount = new Map<string, EngagementEvent[]>();
      for (const event of seen) byAccount.set(event.accountId, [...(byAccount.get(event.accountId) ?? []), event]);
      const started = performance.now();
      await mapBounded([...byAccount.values()], 16, async (events) => {
        for (const event of events) await path.recordEvent(event);
      });
      const seconds = (performance.now() - started) / 1000;
      await deleteTable(client, table);
      return seconds;
    };
    const importSeconds = await importRound(1);
    const directSeconds = (await directRound(1)) + (await directRound(2));
    const importSecondsTotal = importSeconds + (await importRound(2));
    return { importRate: (2 * RATE_EVENTS) / importSecondsTotal, directRate: (2 * seen.length) / directSeconds, report: report as HistoryImportReport };
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

/** The child: imports `file` over a counting store and prints its RSS growth in MB. */
async function rssChild(file: string): Promise<void> {
  const contacts = new Map(Array.from({ length: CONTACTS }, (_, index) => [contactOf(index).contactId, contactOf(index)] as const));
  const config = await loadConfigOrThrow(defaultConfigLocation(projectRoot));
  const deps: HistoryImportDeps = {
    customers: {
      contactIdsByEmail: async () => new Map(),
      getContacts: async (ids) => new Map(ids.flatMap((id) => (contacts.has(id) ? [[id, contacts.get(id) as Contact] as const] : []))),
      existingAccountIds: async (ids) => new Set(ids),
    },
    engagement: { recordEvent: async () => true },
    suppressions: { suppress: async () => true },
    usage: { recordUsage: async (records) => ({ stored: records.length, duplicates: 0 }) },
    metrics: config.scoring.health.metrics,
    clock: systemClock,
  };
  const before = process.memoryUsage().rss;
  let peak = before;
  const report = await importHistory((await openLineFile(file)).lines, { ...deps, onProgress: () => void (peak = Math.max(peak, process.memoryUsage().rss)) });
  peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
  process.stdout.write(JSON.stringify({ growthMb: (peak - before) / 1_048_576, lines: report.lines }));
}

async function rssGrowth(file: string, heapLimited: boolean): Promise<number> {
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', heapLimited ? `--max-old-space-size=${HEAP_LIMIT_MB} --max-semi-space-size=2` : ''].join(' ').trim();
  const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [fileURLToPath(import.meta.url)], { cwd: projectRoot, env: { ...process.env, [CHILD_ENV]: file, NODE_OPTIONS: nodeOptions }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new HistoryBenchError(`the memory child exited ${code}: ${output}`);
  return (JSON.parse(output.slice(output.lastIndexOf('{'))) as { growthMb: number }).growthMb;
}

export async function run(): Promise<Figures> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-history-'));
  try {
    const [small, large, rate] = [join(dir, 'history-n.jsonl'), join(dir, 'history-4n.jsonl'), join(dir, 'history-rate.jsonl')];
    await writeHistory(small, EVENTS);
    await writeHistory(large, 4 * EVENTS);
    await writeHistory(rate, RATE_EVENTS);
    const [growthSmall, growthLarge] = [await rssGrowth(small, true), await rssGrowth(large, true)];
    const ratio = growthLarge / Math.max(growthSmall, 1);
    console.log(`peak RSS growth (heap limits: old ${HEAP_LIMIT_MB} MB, semi-space 2 MB): ${formatNumber(growthSmall)} MB for ${formatNumber(EVENTS)} events, ${formatNumber(growthLarge)} MB for ${formatNumber(4 * EVENTS)}: ratio ${ratio.toFixed(2)} (1 = flat in the file's size)`);
    const [lazySmall, lazyLarge] = [await rssGrowth(small, false), await rssGrowth(large, false)];
    const lazyRatio = lazyLarge / Math.max(lazySmall, 1);
    console.log(`peak RSS growth (no heap limit, V8 grows lazily): ${formatNumber(lazySmall)} MB and ${formatNumber(lazyLarge)} MB: ratio ${lazyRatio.toFixed(2)}`);

    const { importRate, directRate, report } = await throughput(rate);
    console.log(
      `history import: ${formatNumber(importRate)} events/s (${formatNumber(report.recorded)} recorded, ${formatNumber(report.machine)} machine) = ` +
        `${(importRate / directRate).toFixed(3)} x direct recordEvent (${formatNumber(directRate)} events/s) into DynamoDB Local`,
    );
    return {
      'history.events_per_second': round1(importRate),
      'history.direct_record_events_per_second': round1(directRate),
      'history.events_per_second_vs_direct': round3(importRate / directRate),
      'history.peak_rss_mb_n': round1(growthSmall),
      'history.peak_rss_mb_4n': round1(growthLarge),
      'history.peak_rss_mb_ratio': round3(ratio),
      'history.peak_rss_mb_ratio_unlimited_heap': round3(lazyRatio),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.env[CHILD_ENV]) await rssChild(process.env[CHILD_ENV]);
